/**
 * Records a conversation history with the current workflow code, for test/replay.test.ts:
 *   npx tsx test/histories/record.ts handoff test/histories/conversation-handoff.binpb
 * Activities are in memory (the pure domain logic), on the time-skipping test server.
 */
import fs from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { analyzeOffline } from '../../domain/analysis';
import { DEFAULT_MATCH_THRESHOLD, ScriptMatcher } from '../../domain/matcher';
import { plainPersona } from '../../domain/persona';
import { catalogSchema } from '../../domain/scripts';
import { resolveBinary } from '../../temporal/binaries';
import { registerSearchAttributes } from '../../temporal/namespace';
import { claimUpdate, agentMessageUpdate, conversationWorkflowId, handbackUpdate, sendMessageUpdate, closeSignal } from '../../workflows/definitions';
import { conversationWorkflow } from '../../workflows/conversation';
import catalog from '../../db/demo-catalog.json';

const scenarios: Record<string, (run: Run) => Promise<void>> = {
  /** Escalated through the "atendente" script, claimed, answered by the agent, handed back, thanked, closed. */
  async handoff({ say, handle }) {
    for (const text of ['oi, quero falar com um atendente', 'problema com a minha apólice', 'sim']) await say(text);
    await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
    await say('alô?');
    await handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'ana', text: 'Oi! Sou a Ana, já vi sua apólice.' }] });
    await handle.executeUpdate(handbackUpdate, { args: [{ agentId: 'ana' }] });
    await say('obrigado');
  },
};

interface Run {
  say(text: string): Promise<unknown>;
  handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
}

async function main() {
  const [name, out] = process.argv.slice(2);
  const scenario = scenarios[name ?? ''];
  if (!scenario || !out) throw new Error(`usage: record.ts <${Object.keys(scenarios).join('|')}> <out.binpb>`);
  const scripts = catalogSchema.parse(catalog).scripts.map((script) => ({ ...script, version: 1 }));
  const testServer = resolveBinary('testServer');
  if (!testServer) throw new Error('no Temporal test server: run npx atende tools install');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  await registerSearchAttributes(env.connection, 'default');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'history',
    workflowBundle,
    activities: {
      recordTurn: async () => {},
      matchScript: async ({ text, threshold }: { text: string; threshold: number }) => {
        const match = new ScriptMatcher(scripts, { threshold }).match(text);
        return { match, script: scripts.find((script) => script.id === match.scriptId) ?? null };
      },
      loadScript: async ({ scriptId }: { scriptId: string }) => scripts.find((script) => script.id === scriptId) ?? null,
      loadPersona: async ({ businessName }: { businessName: string }) => ({ persona: plainPersona(businessName), llm: false, helpdesk: 'inbox' }),
      composeLine: async ({ fallback }: { fallback: string }) => fallback,
      analyzeConversation: async (input: Parameters<typeof analyzeOffline>[0]) => analyzeOffline({ ...input, now: new Date('2026-11-01T12:00:00Z') }),
    },
  });
  const conversationId = '00000000-0000-4000-8000-000000000002';
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(conversationWorkflow, {
      workflowId: conversationWorkflowId(conversationId),
      taskQueue: 'history',
      args: [
        {
          conversationId,
          tenantId: 'demo',
          channel: 'web',
          customer: { name: 'Maria Souza' },
          settings: { businessName: 'Segurozinho', timeZone: 'America/Sao_Paulo', followUpDelayMs: 3_600_000, closeAfterFollowUpMs: 86_400_000, matchThreshold: DEFAULT_MATCH_THRESHOLD },
        },
      ],
    });
    await scenario({ say: (text) => handle.executeUpdate(sendMessageUpdate, { args: [{ text }] }), handle });
    await handle.signal(closeSignal, { reason: 'recorded' });
    await handle.result();
    fs.writeFileSync(out, temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
  });
  await env.teardown();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
