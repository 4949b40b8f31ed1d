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
import { plainPersona, type Persona } from '../../domain/persona';
import { catalogSchema } from '../../domain/schemas';
import { resolveBinary } from '../../temporal/binaries';
import { registerSearchAttributes } from '../../temporal/namespace';
import { type ConversationSettings } from '../../domain/conversation';
import { claimUpdate, agentMessageUpdate, conversationWorkflowId, handbackUpdate, resolveUpdate, sendMessageUpdate, closeSignal } from '../../workflows/messages';
import { conversationWorkflow } from '../../workflows';
import catalog from '../../db/demo-catalog.json';

const HOUR = 3_600_000;
/** Conversation settings of the aftercare scenarios: nudges, the survey and a short history bound. */
const aftercare = { inactivity: { nudgeAfterMs: 10 * 60_000, abandonAfterMs: 20 * 60_000, resumeWithinMs: 24 * HOUR }, csat: true };

const scenarios: Record<string, Scenario> = {
  /** Matching: an ambiguous demand, the options, a pick by number, then a cancel and a fresh demand. */
  match: {
    settings: aftercare,
    async run({ say }) {
      await say('oi');
      await say('quero resolver uma coisa do meu seguro');
      await say('1');
      await say('cancelar');
      await say('preciso da segunda via do boleto');
    },
  },
  /** Collecting: an invalid CPF re-asked, answers, a correction from the summary, confirmation and resolution. */
  collect: {
    settings: aftercare,
    async run({ say }) {
      for (const text of ['preciso da segunda via do boleto', '123', '529.982.247-25', 'março', 'maria@exemplo.com', 'não', '3', 'maria.souza@exemplo.com', 'sim']) await say(text);
    },
  },
  /** Escalation with this code: a person asked for, claimed, a message each way, resolved by the agent, then surveyed. */
  escalate: {
    settings: aftercare,
    async run({ say, handle }) {
      for (const text of ['quero falar com um atendente', 'problema com a minha apólice', 'sim']) await say(text);
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      await say('alô?');
      await handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'ana', text: 'Oi! Sou a Ana, já resolvi aqui.' }] });
      await handle.executeUpdate(resolveUpdate, { args: [{ by: 'agent:ana', agentId: 'ana' }] });
      await say('obrigado');
      await say('5');
    },
  },
  /** Follow-up: resolved, the check-in sent after its delay, a nudge-free reply that all went well, then the survey. */
  'follow-up': {
    settings: aftercare,
    async run({ say, env }) {
      for (const text of ['preciso da segunda via do boleto', '529.982.247-25', 'março', 'maria@exemplo.com', 'sim']) await say(text);
      await env.sleep(HOUR + 60_000);
      await say('sim, deu tudo certo');
      await say('ótimo');
    },
  },
  /** Satisfaction: asked after thanks, an unclear reply asked about once more, then a new demand. */
  csat: {
    settings: aftercare,
    async run({ say }) {
      for (const text of ['preciso da segunda via do boleto', '529.982.247-25', 'março', 'maria@exemplo.com', 'sim', 'valeu', 'hmm', 'tanto faz']) await say(text);
    },
  },
  /** Inactivity: a question left unanswered, nudged, abandoned, then resumed with a greeting. */
  inactivity: {
    settings: aftercare,
    async run({ say, env }) {
      await say('preciso da segunda via do boleto');
      await say('529.982.247-25');
      await env.sleep(31 * 60_000);
      await say('oi, voltei');
      await say('março');
    },
  },

  /** Collecting under a business with a 40-entry FAQ: for measuring what a large persona costs each turn (npm run bench:history). */
  'collect-large-persona': {
    settings: aftercare,
    persona: {
      faq: Array.from({ length: 40 }, (_, index) => ({ question: `Pergunta frequente número ${index + 1} sobre apólices e boletos?`, answer: `Resposta detalhada ${index + 1}: `.padEnd(300, 'texto ') })),
      systemPrompt: 'Você é o assistente virtual da Segurozinho Seguros. '.repeat(20),
    },
    async run({ say }) {
      for (const text of ['preciso da segunda via do boleto', '529.982.247-25', 'março', 'maria@exemplo.com', 'sim']) await say(text);
    },
  },
  /**
   * The whole design in one run, recorded before the workflow was split into stage modules:
   * greeting, an ambiguous demand and a pick, a bad answer, a correction, a fix from the summary,
   * resolution, the check-in, a request for a person, an agent's claim, message and handback, thanks.
   */
  tour: {
    settings: aftercare,
    async run({ say, handle, env }) {
      for (const text of ['oi', 'quero resolver uma coisa do meu seguro', '3', '123', '529.982.247-25', 'março', 'errei o cpf, é 111.444.777-35', 'maria@exemplo.com', 'não', '2', 'abril', 'sim']) await say(text);
      await env.sleep(HOUR + 60_000);
      await say('não deu certo, quero falar com um atendente');
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      await say('oi?');
      await handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'ana', text: 'Oi! Sou a Ana, vou verificar.' }] });
      await handle.executeUpdate(handbackUpdate, { args: [{ agentId: 'ana' }] });
      await say('obrigado');
    },
  },
  /**
   * Competence: small talk answered in kind, a question while the CPF waits, a choice in the
   * customer's words, a correction in their words, then a person asked for at the summary.
   */
  competence: {
    settings: aftercare,
    async run({ say }) {
      for (const text of ['oi', 'bom dia, tudo bem?', 'quero abrir um sinistro do meu carro', 'por que vocês precisam do meu cpf?', '529.982.247-25', 'foi uma batida', 'graças a deus ninguém', 'bateram na traseira no sinal', 'me passa pra um humano agora']) await say(text);
    },
  },
  /** A model configured: a question the FAQ does not cover, asked while the CPF waits, is answered by the model. */
  'model-answers': {
    settings: aftercare,
    llm: true,
    async run({ say }) {
      for (const text of ['oi', 'preciso da segunda via do boleto', 'vocês têm estacionamento?', '529.982.247-25']) await say(text);
    },
  },
  /** Escalated through the "atendente" script, claimed, answered by the agent, handed back, thanked, closed. */
  handoff: {
    async run({ say, handle }) {
      for (const text of ['oi, quero falar com um atendente', 'problema com a minha apólice', 'sim']) await say(text);
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      await say('alô?');
      await handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'ana', text: 'Oi! Sou a Ana, já vi sua apólice.' }] });
      await handle.executeUpdate(handbackUpdate, { args: [{ agentId: 'ana' }] });
      await say('obrigado');
    },
  },
};

interface Scenario {
  settings?: Partial<ConversationSettings>;
  /** The business's onboarding, when the scenario needs more than the plain persona. */
  persona?: Partial<Persona>;
  /** A model is configured (phrasing and answers come from it). */
  llm?: boolean;
  run(run: Run): Promise<void>;
}

interface Run {
  say(text: string): Promise<unknown>;
  handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  env: TestWorkflowEnvironment;
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
      loadPersona: async ({ businessName }: { businessName: string }) => ({ persona: { ...plainPersona(businessName), ...scenario.persona }, llm: scenario.llm ?? false, helpdesk: 'inbox' }),
      answerFaq: async ({ text }: { text: string }) => ({ question: text, answer: 'Temos estacionamento gratuito.' }),
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
          settings: {
            businessName: 'Segurozinho',
            timeZone: 'America/Sao_Paulo',
            followUpDelayMs: HOUR,
            closeAfterFollowUpMs: 24 * HOUR,
            matchThreshold: DEFAULT_MATCH_THRESHOLD,
            ...scenario.settings,
          },
        },
      ],
    });
    const say = async (text: string) => {
      const result = await handle.executeUpdate(sendMessageUpdate, { args: [{ text }] });
      if (process.env.RECORD_VERBOSE) console.log(`> ${text}\n${result.replies.map((reply) => `< ${reply.text}`).join("\n")}`);
      return result;
    };
    await scenario.run({ say, handle, env });
    await handle.signal(closeSignal, { reason: 'recorded' }).catch(() => undefined);
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
