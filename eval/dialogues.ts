/**
 * npm run eval:dialogues -- [FILE ...] [--json] [--verbose] [--catalog FILE]
 *
 * Plays whole conversations through the real stack (the Hono API → Temporal → a worker →
 * PostgreSQL, started here on free ports) with a simulated customer, in the format of
 * shared/fixtures/dialogues-dev.jsonl (shared/datasets/README.md). Prints a verdict per
 * dialogue and the success rate; --json prints one JSON document for machines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { importCatalog } from '../db/scripts';
import type { ConversationState } from '../domain/conversation';
import { catalogSchema } from '../domain/schemas';
import { testAppConfig } from '../test/support/app-stack';
import { createWorker } from '../workers/worker';
import { startEvalStack } from './stack';

export interface Dialogue {
  id: string;
  opening: string[];
  replies: Record<string, string>;
  interject?: Record<string, { say: string; re?: string; notRe?: string }>;
  openingChecks?: { turn: number; re?: string; notRe?: string }[];
  after?: string[];
  expect: {
    script?: string;
    scriptIn?: string[];
    status?: string;
    statusIn?: string[];
    answers?: Record<string, string>;
    urgencyIn?: string[];
    maxTurns?: number;
  };
}

export interface Verdict {
  id: string;
  ok: boolean;
  problems: string[];
  turns: number;
  script: string | null;
  status: string;
  transcript: string[];
}

/** What the simulated customer talks to: one customer message in, the bot's replies and the lean state out. */
export type Send = (text: string) => Promise<Turn>;
export interface Turn {
  replies: string[];
  state: ConversationState;
}
/**
 * Starts a conversation with its first message: the first turn, how to send the next ones, and
 * (optionally) how to read the whole state as staff see it — a customer's view has no analysis.
 */
export type Open = (first: string) => Promise<Turn & { send: Send; staffState?: () => Promise<ConversationState> }>;

/** The stages where the bot is no longer asking the customer anything. */
const DONE = new Set(['resolved', 'escalated', 'with_agent', 'rating', 'closed', 'abandoned', 'analyzing']);

/** Accent-folded and lower-cased, as the dialogue format's checks read a reply; punctuation stays ("08:00"). */
function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

function check(text: string, re: string | undefined, notRe: string | undefined, what: string, problems: string[]): void {
  const reply = folded(text);
  if (re && !new RegExp(re).test(reply)) problems.push(`${what}: reply does not match /${re}/: ${JSON.stringify(text.slice(0, 160))}`);
  if (notRe && new RegExp(notRe).test(reply)) problems.push(`${what}: reply matches /${notRe}/: ${JSON.stringify(text.slice(0, 160))}`);
}

/** The simulated customer: opening turns, then answers by step, "sim" to a confirmation, the expected option by number. */
export async function play(dialogue: Dialogue, open: Open): Promise<Verdict> {
  const problems: string[] = [];
  const transcript: string[] = [];
  const expected = dialogue.expect.script ? [dialogue.expect.script] : (dialogue.expect.scriptIn ?? []);
  const budget = (dialogue.expect.maxTurns ?? 10) + 6;
  let turns = 0;
  let send: Send | null = null;
  let staffState: (() => Promise<ConversationState>) | undefined;
  let state: ConversationState | null = null;
  const say = async (text: string): Promise<string> => {
    turns += 1;
    transcript.push(`> ${text}`);
    let result: Turn;
    if (send) result = await send(text);
    else ({ send, staffState, ...result } = await open(text));
    state = result.state;
    const reply = result.replies.join('\n');
    for (const line of result.replies) transcript.push(`< ${line}`);
    return reply;
  };

  for (const [index, text] of dialogue.opening.entries()) {
    const reply = await say(text);
    for (const openingCheck of dialogue.openingChecks ?? []) {
      if (openingCheck.turn === index) check(reply, openingCheck.re, openingCheck.notRe, `opening turn ${index}`, problems);
    }
  }
  const interjected = new Set<string>();
  while (state && turns < budget) {
    const current: ConversationState = state;
    if (DONE.has(current.stage)) break;
    if (current.stage === 'collecting' && current.pending) {
      const stepId = current.pending.stepId;
      const interjection = dialogue.interject?.[stepId];
      if (interjection && !interjected.has(stepId)) {
        interjected.add(stepId);
        check(await say(interjection.say), interjection.re, interjection.notRe, `interjection at ${stepId}`, problems);
        continue;
      }
      const answer = dialogue.replies[stepId];
      if (answer === undefined) {
        problems.push(`the bot asked step "${stepId}" (${current.script?.id}), which this customer has no answer for`);
        break;
      }
      await say(answer);
    } else if (current.stage === 'confirming') {
      await say('sim');
    } else if (current.stage === 'clarifying' && current.options) {
      const at = current.options.findIndex((option) => expected.includes(option.scriptId));
      await say(at >= 0 ? String(at + 1) : 'nenhum');
    } else {
      break;
    }
  }
  const customerTurns = turns;
  for (const text of dialogue.after ?? []) await say(text);

  const final = (staffState ? await staffState() : state) as ConversationState | null;
  const expect = dialogue.expect;
  const script = final?.script?.id ?? null;
  const status = final?.status ?? 'none';
  if (expect.script && script !== expect.script) problems.push(`script ${script}, expected ${expect.script}`);
  if (expect.scriptIn && !expect.scriptIn.includes(script ?? '')) problems.push(`script ${script}, expected one of ${expect.scriptIn.join(', ')}`);
  if (expect.status && status !== expect.status) problems.push(`status ${status}, expected ${expect.status}`);
  if (expect.statusIn && !expect.statusIn.includes(status)) problems.push(`status ${status}, expected one of ${expect.statusIn.join(', ')}`);
  for (const [step, value] of Object.entries(expect.answers ?? {})) {
    const got = final?.answers?.[step];
    if (got !== value) problems.push(`answer ${step} = ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
  }
  if (expect.urgencyIn && !expect.urgencyIn.includes(final?.analysis?.urgency ?? 'none')) {
    problems.push(`urgency ${final?.analysis?.urgency ?? 'none'}, expected one of ${expect.urgencyIn.join(', ')}`);
  }
  if (expect.maxTurns !== undefined && customerTurns > expect.maxTurns) problems.push(`${customerTurns} customer turns, budget ${expect.maxTurns}`);
  return { id: dialogue.id, ok: problems.length === 0, problems, turns: customerTurns, script, status, transcript };
}

export function readDialogues(file: string): Dialogue[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => {
      try {
        return JSON.parse(line) as Dialogue;
      } catch {
        throw new Error(`${file}:${index + 1}: not valid JSON`);
      }
    });
}

export interface DialogueReport {
  file: string;
  passed: number;
  total: number;
  rate: number;
  verdicts: Verdict[];
}

/**
 * Plays every dialogue of `files` through a stack started for the purpose (PostgreSQL, the
 * Temporal dev server, a worker and the API in this process), on the catalog of `catalogFile`.
 */
export async function evaluateDialogues(
  files: readonly string[],
  catalogFile: string,
  onVerdict: (verdict: Verdict) => void = () => {},
  log: (line: string) => void = () => {},
): Promise<DialogueReport[]> {
  const stack = await startEvalStack('dialogues', log);
  const tenantId = 'seguro';
  await importCatalog(stack.db, tenantId, catalogSchema.parse(JSON.parse(fs.readFileSync(catalogFile, 'utf8'))));
  const taskQueue = `dialogues-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, deps: { db: stack.db } });
  const running = worker.run();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const jwtSecret = randomUUID();
  const app = createApp({ client, db: stack.db, config: testAppConfig({ jwtSecret, taskQueue, defaultTenant: tenantId }) });
  // the verdict reads the analysis (urgency) as staff do: the customer's view has none
  const staff = await mintToken(jwtSecret, { role: 'agent', tenant: tenantId, subject: 'eval' });

  const open: Open = async (first) => {
    const response = await app.request('/api/v1/conversations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: first, channel: 'eval', customer: { name: 'Cliente' } }),
    });
    if (response.status !== 201) throw new Error(`start: ${response.status} ${await response.text()}`);
    const started = (await response.json()) as { conversationId: string; token: string; replies: { text: string }[]; state: ConversationState };
    const send: Send = async (text) => {
      const sent = await app.request(`/api/v1/conversations/${started.conversationId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${started.token}` },
        body: JSON.stringify({ text }),
      });
      if (sent.status !== 200) throw new Error(`message refused: ${sent.status} ${await sent.text()}`);
      const body = (await sent.json()) as { replies: { text: string }[]; state: ConversationState };
      return { replies: body.replies.map((reply) => reply.text), state: body.state };
    };
    const staffState = async () => {
      const read = await app.request(`/api/v1/conversations/${started.conversationId}`, { headers: { authorization: `Bearer ${staff}` } });
      return ((await read.json()) as { state: ConversationState }).state;
    };
    return { replies: started.replies.map((reply) => reply.text), state: started.state, send, staffState };
  };

  try {
    const reports: DialogueReport[] = [];
    for (const file of files) {
      const verdicts: Verdict[] = [];
      for (const dialogue of readDialogues(file)) {
        const verdict = await play(dialogue, open).catch(
          (error: unknown): Verdict => ({ id: dialogue.id, ok: false, problems: [`failed: ${(error as Error).message}`], turns: 0, script: null, status: 'none', transcript: [] }),
        );
        verdicts.push(verdict);
        onVerdict(verdict);
      }
      const passed = verdicts.filter((verdict) => verdict.ok).length;
      reports.push({ file: path.relative(process.cwd(), file), passed, total: verdicts.length, rate: verdicts.length ? passed / verdicts.length : 0, verdicts });
    }
    return reports;
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await stack.stop();
  }
}

/** The catalog the shared dialogues are written for. */
export const seguroCatalog = path.join(__dirname, '../../shared/fixtures/scripts.seguro.json');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const verbose = args.includes('--verbose');
  const catalogAt = args.indexOf('--catalog');
  const catalogFile = catalogAt >= 0 ? args[catalogAt + 1]! : seguroCatalog;
  const files = args.filter((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--catalog');
  if (!files.length) files.push(path.join(__dirname, '../../shared/fixtures/dialogues-dev.jsonl'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const reports = await evaluateDialogues(files, catalogFile, (verdict) => {
    if (json) return;
    log(`${verdict.ok ? '✓' : '✗'} ${verdict.id} (${verdict.turns} turns, ${verdict.script ?? 'no script'}, ${verdict.status})${verdict.ok ? '' : `: ${verdict.problems.join('; ')}`}`);
    if (verbose && !verdict.ok) log(verdict.transcript.map((line) => `    ${line.replace(/\n/g, '\n      ')}`).join('\n'));
  }, log);
  if (json) {
    console.log(JSON.stringify({ files: reports.map(({ verdicts, ...rest }) => ({ ...rest, verdicts: verdicts.map(({ transcript, ...verdict }) => verdict) })) }, null, 2));
    return;
  }
  for (const report of reports) console.log(`${report.file}: ${report.passed} of ${report.total} dialogues succeed (${(100 * report.rate).toFixed(1)} %)`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
