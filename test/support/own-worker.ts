import { randomUUID } from 'node:crypto';
import { Client, Connection, type ClientOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type pg from 'pg';
import { createWorker, type CreateWorkerOptions } from '../../workers/worker';
import { freshTenant, testStack } from './stack';

export interface OwnWorker {
  db: pg.Pool;
  tenantId: string;
  taskQueue: string;
  client: Client;
}

/**
 * A fresh tenant, a worker of the real workers/worker.ts (its codec, its tracing…) on a task queue of
 * its own, and a client shaped the same way; everything is stopped after `run`, whatever it throws.
 */
export async function withOwnWorker<T>(
  options: Pick<CreateWorkerOptions, 'codecKeys' | 'tracing'> & { client?: Omit<ClientOptions, 'connection'> },
  run: (stack: OwnWorker) => Promise<T>,
): Promise<T> {
  const { db, tenantId } = await freshTenant();
  const taskQueue = `own-${randomUUID()}`;
  const connection = await Connection.connect({ address: testStack().temporalAddress });
  const native = await NativeConnection.connect({ address: testStack().temporalAddress });
  const worker = await createWorker({ connection: native, namespace: 'default', taskQueue, deps: { db }, ...options });
  const running = worker.run();
  try {
    return await run({ db, tenantId, taskQueue, client: new Client({ connection, ...options.client }) });
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await db.end();
  }
}
