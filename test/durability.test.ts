import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type pg from 'pg';
import { createApp } from '../api/app';
import { freshTenant, testStack, validCpf } from './support/stack';
import { testAppConfig } from './support/app-stack';

const root = path.resolve(__dirname, '..');
let db: pg.Pool;
let tenantId: string;
let connection: Connection;
let app: ReturnType<typeof createApp>;
/** The same API with a follow-up a few seconds after resolution, so the timer is pending when the worker dies. */
let quickFollowUpApp: ReturnType<typeof createApp>;
const FOLLOW_UP_MS = 6_000;
const taskQueue = `durability-${randomUUID()}`;
const workers: ChildProcess[] = [];

/** The real worker entry point in its own process, so it can be killed like a crashed pod. */
function startWorkerProcess(): Promise<ChildProcess> {
  const stack = testStack();
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'workers/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling:\n${output}`)));
  });
}

beforeAll(async () => {
  ({ db, tenantId } = await freshTenant());
  connection = await Connection.connect({ address: testStack().temporalAddress });
  app = createApp({
    client: new Client({ connection }),
    db,
    config: testAppConfig({
      jwtSecret: 'durability-secret',
      taskQueue,
      defaultTenant: tenantId,
      // long enough to outlast the crash and the sticky-queue timeout
      callTimeoutMs: 60_000,
    }),
  });
  quickFollowUpApp = createApp({
    client: new Client({ connection }),
    db,
    config: testAppConfig({ jwtSecret: 'durability-secret', taskQueue, defaultTenant: tenantId, callTimeoutMs: 60_000, followUpDelayMs: FOLLOW_UP_MS }),
  });
});

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await connection?.close();
  await db?.end();
});

async function post(pathname: string, body: unknown, token?: string, via = app) {
  const response = await via.request(pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('when the worker is killed with SIGKILL mid-collection, then the conversation continues with no answer lost and no bot message duplicated', async () => {
  const first = await startWorkerProcess();
  const started = await post('/api/v1/conversations', { message: 'quero cancelar meu seguro' });
  expect(started.status).toBe(201);
  const { conversationId, token } = started.body;
  const answered = await post(`/api/v1/conversations/${conversationId}/messages`, { text: validCpf }, token);
  expect(answered.body.state.pending.stepId).toBe('motivo');

  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  // The customer writes while no worker is alive; the reply arrives once a new worker picks the workflow up.
  const pending = post(`/api/v1/conversations/${conversationId}/messages`, { text: 'outra seguradora' }, token);
  await startWorkerProcess();
  const resumed = await pending;
  expect(resumed.status).toBe(200);
  expect(resumed.body.state.answers).toEqual({ cpf: validCpf, motivo: 'outra seguradora' });
  expect(resumed.body.state.pending.stepId).toBe('confirma');

  const summary = await post(`/api/v1/conversations/${conversationId}/messages`, { text: 'sim' }, token);
  expect(summary.body.state.stage).toBe('confirming');
  const done = await post(`/api/v1/conversations/${conversationId}/messages`, { text: 'pode confirmar' }, token);
  expect(done.body.state.stage).toBe('resolved');

  const rows = await db.query<{ seq: number; role: string; text: string }>(
    'SELECT seq, role, text FROM messages WHERE conversation_id = $1 ORDER BY seq',
    [conversationId],
  );
  expect(rows.rows.map((row) => row.seq)).toEqual(rows.rows.map((_, index) => index + 1));
  expect(rows.rows.filter((row) => row.role === 'customer').map((row) => row.text)).toEqual([
    'quero cancelar meu seguro',
    validCpf,
    'outra seguradora',
    'sim',
    'pode confirmar',
  ]);
  const questions = rows.rows.filter((row) => row.role === 'bot' && row.text.endsWith('?')).map((row) => row.text);
  expect(new Set(questions).size).toBe(questions.length);
  expect(rows.rowCount).toBe(done.body.state.messageCount);
});

test('when the worker is killed with SIGKILL while a follow-up is pending, then the follow-up is sent once by the next worker', async () => {
  // round the clock, so the follow-up is due in seconds whatever the day and hour of the run
  await db.query(`UPDATE tenants SET settings = settings #- '{business,workingHours}' WHERE id = $1`, [tenantId]);
  const first = await startWorkerProcess();
  const say = (conversationId: string, text: string, token: string) =>
    post(`/api/v1/conversations/${conversationId}/messages`, { text }, token, quickFollowUpApp);
  const started = await post('/api/v1/conversations', { message: 'preciso da segunda via do boleto' }, undefined, quickFollowUpApp);
  const { conversationId, token } = started.body;
  for (const text of [validCpf, 'março', 'maria@exemplo.com']) await say(conversationId, text, token);
  const resolved = await say(conversationId, 'sim', token);
  expect(resolved.body.state.stage).toBe('resolved');
  const resolvedAt = Date.now();

  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  // the follow-up falls due while no worker is alive
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, resolvedAt + FOLLOW_UP_MS + 1_000 - Date.now())));
  await startWorkerProcess();

  const followUps = async () =>
    (await db.query<{ text: string }>(`SELECT text FROM messages WHERE conversation_id = $1 AND role = 'bot' AND text LIKE '%ficou tudo certo%'`, [conversationId])).rows;
  const deadline = Date.now() + 60_000;
  while ((await followUps()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  expect(await followUps()).toHaveLength(1);
  // a duplicate would come from a replayed or retried task: give one a moment to appear
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await followUps()).toHaveLength(1);

  const reply = await say(conversationId, 'sim, deu tudo certo', token);
  expect(reply.body.replies.map((line: { text: string }) => line.text).join()).toMatch(/de 1 a 5/);
  const rated = await say(conversationId, '5', token);
  expect(rated.body.state.csat).toMatchObject({ score: 5 });
  expect(await followUps()).toHaveLength(1);
});

test('when the worker is killed with SIGKILL and a message comes, then 202 with its id, and it is applied exactly once when a worker returns', async () => {
  const first = await startWorkerProcess();
  const impatient = createApp({ client: new Client({ connection }), db, config: testAppConfig({ jwtSecret: 'durability-secret', taskQueue, defaultTenant: tenantId, callTimeoutMs: 2_000 }) });
  const started = await post('/api/v1/conversations', { message: 'quero cancelar meu seguro' });
  const { conversationId, token } = started.body;

  // every worker of this file dies, the one the earlier tests left included
  await Promise.all(workers.filter((worker) => worker.exitCode === null && worker.signalCode === null).map((worker) => new Promise((resolve) => (worker.once('exit', resolve), worker.kill('SIGKILL')))));
  expect(first.signalCode).toBe('SIGKILL');
  const held = await post(`/api/v1/conversations/${conversationId}/messages`, { text: validCpf, messageId: 'after-the-crash' }, token, impatient);
  expect(held.status).toBe(202);
  expect(held.body).toMatchObject({ status: 'accepted', messageId: 'after-the-crash' });
  expect((await post(`/api/v1/conversations/${conversationId}/messages`, { text: validCpf, messageId: 'after-the-crash' }, token, impatient)).status).toBe(202);

  await startWorkerProcess();
  const answered = await post(`/api/v1/conversations/${conversationId}/messages`, { text: validCpf, messageId: 'after-the-crash' }, token);
  expect(answered.status).toBe(200);
  expect(answered.body.state.pending.stepId).toBe('motivo');
  const stored = await db.query("SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND role = 'customer' AND text = $2", [conversationId, validCpf]);
  expect(stored.rows[0].n).toBe(1);
});
