import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/process';
import { startLocalCluster } from '../../db/local-cluster';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { resolveBinary } from '../../temporal/binaries';
import { startDevServer } from '../../temporal/dev-server';

/**
 * One real PostgreSQL cluster and one real Temporal dev server for the whole run; each test
 * file isolates itself with its own tenant and task queue.
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-test-'));
  // PostgreSQL runs as an unprivileged user when the tests run as root; it must reach its data dir.
  fs.chmodSync(dir, 0o755);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cliPath = resolveBinary('cli', { explicitPath: process.env.TEMPORAL_CLI_PATH, log });
  const testServerPath = resolveBinary('testServer', { explicitPath: process.env.TEMPORAL_TEST_SERVER_PATH, log });
  if (!cliPath || !testServerPath) throw new Error('the Temporal binaries could not be found or installed; see README (Temporal binaries)');

  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const cluster = await startLocalCluster({ dataDir: path.join(dir, 'pg'), port: pgPort, logFile: path.join(dir, 'postgres.log'), durable: false });
  const temporal = await startDevServer({
    binary: cliPath,
    port: temporalPort,
    namespace: 'default',
    logFile: path.join(dir, 'temporal.log'),
  });
  const pool = createPool(cluster.url);
  await migrate(pool);
  await pool.end();

  process.env.ATENDE_TEST_DATABASE_URL = cluster.url;
  process.env.ATENDE_TEST_SUPERUSER_URL = cluster.superuserUrl;
  process.env.ATENDE_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.ATENDE_TEST_CLI_PATH = cliPath;
  process.env.ATENDE_TEST_SERVER_PATH = testServerPath;
  process.env.ATENDE_TEST_DIR = dir;
  (globalThis as Record<string, unknown>).__atendeStack = { cluster, temporal, dir };
}
