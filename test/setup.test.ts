import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app';
import { createPool } from '../db/pool';
import { createWorker } from '../workers/worker';
import { testAppConfig } from './support/app-stack';
import { testStack } from './support/stack';

/**
 * `atende setup`, the compose stack's one-shot `setup` service, against a database and a Temporal
 * namespace that have never seen Atende: it prepares both, a second run changes nothing, and a
 * conversation then works through the API with no manual step.
 */
const run = promisify(execFile);
const root = path.join(__dirname, '..');

test('setup prepares a fresh database and namespace, runs again harmlessly, and a conversation works after it', async () => {
  const stack = testStack();
  const name = `setup_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  // a database of its own, as a fresh stack has (the app's role owns it, as in the embedded cluster)
  const admin = createPool(process.env.ATENDE_TEST_SUPERUSER_URL!, 1);
  await admin.query(`CREATE DATABASE ${name} OWNER atende_app`);
  const url = new URL(stack.databaseUrl);
  url.pathname = `/${name}`;
  const env = {
    ...process.env,
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: name,
    ATENDE_DEFAULT_TENANT: 'acme',
    ATENDE_ADMIN_EMAIL: 'ops@acme.example',
    JWT_SECRET: randomUUID(),
  };
  const setup = () => run(process.execPath, [path.join(root, 'bin', 'atende.js'), 'setup'], { cwd: root, env, timeout: 120_000 });
  const db = createPool(url.toString(), 5);
  let worker: Awaited<ReturnType<typeof createWorker>> | undefined;
  let running: Promise<void> | undefined;
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const native = await NativeConnection.connect({ address: stack.temporalAddress });
  try {
    const first = await setup();
    expect(first.stdout).toMatch(/database: applied/);
    expect(first.stdout).toMatch(new RegExp(`namespace "${name}" registered`));
    expect(first.stdout).toMatch(/search attributes added: .*ConversationStage/);
    expect(first.stdout).toMatch(/tenant "acme": created with \d+ scripts/);
    expect(first.stdout).toMatch(/admin ops@acme\.example: created[\s\S]*one-time login link/);
    const second = await setup();
    expect(second.stdout.split('\n').filter((line) => line.startsWith('[setup]'))).toEqual([
      '[setup] database: up to date',
      `[setup] temporal: namespace "${name}" exists`,
      '[setup] temporal: search attributes present',
      '[setup] tenant "acme": exists',
      '[setup] admin ops@acme.example: exists',
      '[setup] done',
    ]);

    const taskQueue = `setup-${randomUUID()}`;
    worker = await createWorker({ connection: native, namespace: name, taskQueue, deps: { db } });
    running = worker.run();
    const app = createApp({ client: new Client({ connection, namespace: name }), db, config: { ...testAppConfig({ jwtSecret: env.JWT_SECRET, taskQueue, defaultTenant: 'acme' }), namespace: name } });
    const started = await app.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'preciso da segunda via do boleto' }) });
    expect(started.status).toBe(201);
    expect(((await started.json()) as { state: { script: { id: string } } }).state.script.id).toBe('boleto');
  } finally {
    worker?.shutdown();
    await running;
    await native.close();
    await connection.close();
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
});
