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
});

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await connection?.close();
  await db?.end();
});

async function post(pathname: string, body: unknown, token?: string) {
  const response = await app.request(pathname, {
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
