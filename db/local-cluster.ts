import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stopChild, waitFor } from '../lib/process';

/**
 * A PostgreSQL cluster run from the machine's own server binaries: the same engine the
 * tests and production use, with no install step. Postgres refuses to run as root, so
 * as root the cluster runs as the `postgres` (or `nobody`) user.
 */
export interface LocalClusterOptions {
  dataDir: string;
  port: number;
  logFile?: string;
}

export interface RunningCluster {
  url: string;
  stop(): Promise<void>;
}

const SEARCH_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

export function findPostgresBinaries(): { initdb: string; postgres: string } | undefined {
  const dirs = [process.env.PG_BIN_DIR ?? '', ...SEARCH_DIRS, ...(process.env.PATH ?? '').split(path.delimiter)];
  for (const dir of dirs) {
    if (!dir) continue;
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (fs.existsSync(initdb) && fs.existsSync(postgres)) return { initdb, postgres };
  }
  return undefined;
}

function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { uid, gid };
    } catch {
      // try the next candidate
    }
  }
  throw new Error('running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as');
}

function chownTree(dir: string, user: { uid: number; gid: number }): void {
  fs.chownSync(dir, user.uid, user.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, user);
    else fs.chownSync(full, user.uid, user.gid);
  }
}

export async function startLocalCluster(options: LocalClusterOptions, timeoutMs = 60_000): Promise<RunningCluster> {
  const binaries = findPostgresBinaries();
  if (!binaries) throw new Error('PostgreSQL server binaries (initdb, postgres) not found; set DATABASE_URL or PG_BIN_DIR');
  const user = serviceUser();
  const dataDir = path.resolve(options.dataDir);
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-pg-'));
  if (user) fs.chownSync(socketDir, user.uid, user.gid);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownTree(dataDir, user);
    execFileSync(binaries.initdb, ['-D', dataDir, '-U', 'atende', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...user,
    });
  }
  // A stale pid file from a killed run would stop the server from starting.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!isAlive(pid)) fs.rmSync(pidFile);
  }

  const log = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  if (user && options.logFile) fs.chownSync(options.logFile, user.uid, user.gid);
  const child: ChildProcess = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(options.port), '-h', '127.0.0.1', '-k', socketDir, '-c', 'fsync=off', '-c', 'max_connections=200'],
    { stdio: ['ignore', log, log], ...user },
  );
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });

  const adminUrl = `postgres://atende@127.0.0.1:${options.port}/postgres`;
  await waitFor(
    `PostgreSQL on port ${options.port}`,
    async () => {
      if (exited) throw new Error(`PostgreSQL ${exited}${options.logFile ? `; see ${options.logFile}` : ''}`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['atende']);
        if (exists.rowCount === 0) await client.query('CREATE DATABASE atende');
        return true;
      } finally {
        await client.end();
      }
    },
    timeoutMs,
  );
  return {
    url: `postgres://atende@127.0.0.1:${options.port}/atende`,
    stop: async () => {
      // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and stop cleanly.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await stopChild(child);
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
