import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { startLocalCluster } from '../db/local-cluster';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { resolveBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { freePort } from '../lib/process';

export interface EvalStack {
  dir: string;
  db: pg.Pool;
  databaseUrl: string;
  temporalAddress: string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster and Temporal dev server on free ports, in a temp dir, for the
 * evaluations and benchmarks: they never touch the `npm start` data or a developer's stack.
 */
export async function startEvalStack(name: string, log: (line: string) => void = () => {}): Promise<EvalStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `atende-${name}-`));
  // PostgreSQL runs as an unprivileged user when started as root; it must reach its data dir
  fs.chmodSync(dir, 0o755);
  const cli = resolveBinary('cli', { log });
  if (!cli) throw new Error('no Temporal CLI: run npx atende tools install');
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const cluster = await startLocalCluster({ dataDir: path.join(dir, 'pg'), port: pgPort, logFile: path.join(dir, 'postgres.log'), durable: false });
  const temporal = await startDevServer({ binary: cli, port: temporalPort, namespace: 'default', logFile: path.join(dir, 'temporal.log') });
  const db = createPool(cluster.url, 8);
  await migrate(db);
  return {
    dir,
    db,
    databaseUrl: cluster.url,
    temporalAddress: temporal.address,
    async stop() {
      await db.end();
      await temporal.stop();
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
