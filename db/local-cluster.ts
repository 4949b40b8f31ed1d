import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
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
  /**
   * fsync on (the default): a turn Temporal believes recorded survives an OS crash. Only the
   * throwaway test cluster turns it off.
   */
  durable?: boolean;
}

/** The roles of the embedded cluster: a superuser for setup, and the app's own, which owns its database and nothing else. */
const SUPERUSER = 'atende';
const APP_ROLE = 'atende_app';

interface Credentials {
  superuser: string;
  app: string;
}

export interface RunningCluster {
  url: string;
  /** The superuser's URL (its `postgres` database), for creating databases: never the app's. */
  superuserUrl: string;
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
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (user) assertReachable(path.dirname(dataDir), user);
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-pg-'));
  if (user) fs.chownSync(socketDir, user.uid, user.gid);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownTree(dataDir, user);
    execFileSync(binaries.initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...user,
    });
  }
  await stopOrphan(dataDir);

  // Passwords live beside the data dir (0600), never in the repo or the logs. The first start
  // with them (a fresh cluster, or one from before) runs trusted once to set them, then never again.
  const credentialsFile = credentialsFileOf(dataDir);
  const known = fs.existsSync(credentialsFile) ? (JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as Credentials) : undefined;
  const credentials: Credentials = known ?? { superuser: crypto.randomBytes(24).toString('base64url'), app: crypto.randomBytes(24).toString('base64url') };
  writeHba(dataDir, known ? 'scram-sha-256' : 'trust', user);

  const log = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  if (user && options.logFile) fs.chownSync(options.logFile, user.uid, user.gid);
  const settings = ['-c', `fsync=${options.durable === false ? 'off' : 'on'}`, '-c', 'max_connections=200', '-c', 'password_encryption=scram-sha-256'];
  const child: ChildProcess = spawn(binaries.postgres, ['-D', dataDir, '-p', String(options.port), '-h', '127.0.0.1', '-k', socketDir, ...settings], {
    stdio: ['ignore', log, log],
    ...user,
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });

  const superuserUrl = `postgres://${SUPERUSER}:${encodeURIComponent(credentials.superuser)}@127.0.0.1:${options.port}/postgres`;
  await waitFor(
    `PostgreSQL on port ${options.port}`,
    async () => {
      if (exited) throw new Error(`PostgreSQL ${exited}${options.logFile ? `; see ${options.logFile}` : ''}`);
      const client = new pg.Client({ connectionString: superuserUrl });
      await client.connect();
      await client.end();
      return true;
    },
    timeoutMs,
  );
  if (!known) {
    await setUpRoles(superuserUrl, credentials);
    fs.writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
    writeHba(dataDir, 'scram-sha-256', user);
    await query(superuserUrl, 'SELECT pg_reload_conf()');
  }
  return {
    url: `postgres://${APP_ROLE}:${encodeURIComponent(credentials.app)}@127.0.0.1:${options.port}/atende`,
    superuserUrl,
    stop: async () => {
      // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and stop cleanly.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await stopChild(child);
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** Where the embedded cluster's passwords are kept: beside its data directory, readable by its owner only. */
export function credentialsFileOf(dataDir: string): string {
  const resolved = path.resolve(dataDir);
  return path.join(path.dirname(resolved), `${path.basename(resolved)}-credentials.json`);
}

/** The app's URL for an embedded cluster another process started (the worker, `atende` commands). */
export function embeddedUrl(dataDir: string, port: number): string {
  const file = credentialsFileOf(dataDir);
  const password = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials).app : undefined;
  return `postgres://${APP_ROLE}${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${port}/atende`;
}

/** A database URL fit for a log line: the password replaced. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** Only TCP on 127.0.0.1 and the socket, each with a password once the roles are set. */
function writeHba(dataDir: string, method: 'trust' | 'scram-sha-256', user: { uid: number; gid: number } | undefined): void {
  const file = path.join(dataDir, 'pg_hba.conf');
  fs.writeFileSync(file, [`local all all ${method}`, `host all all 127.0.0.1/32 ${method}`, `host all all ::1/128 ${method}`, ''].join('\n'), { mode: 0o600 });
  if (user) fs.chownSync(file, user.uid, user.gid);
}

/**
 * The app's role: it logs in with a password, owns the `atende` database and its tables (also
 * tables an older version created as the superuser), and is no superuser.
 */
async function setUpRoles(superuserUrl: string, credentials: Credentials): Promise<void> {
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  await query(superuserUrl, `ALTER ROLE ${SUPERUSER} PASSWORD ${quote(credentials.superuser)}`);
  const role = await query(superuserUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
  await query(superuserUrl, `${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${quote(credentials.app)}`);
  const database = await query(superuserUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', ['atende']);
  if (!database.rowCount) await query(superuserUrl, `CREATE DATABASE atende OWNER ${APP_ROLE}`);
  else await query(superuserUrl, `ALTER DATABASE atende OWNER TO ${APP_ROLE}`);
  // pgvector is not a trusted extension: the superuser creates it, the app's migrations use it (db/vector.ts)
  await query(
    superuserUrl.replace(/\/postgres$/, '/atende'),
    `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN CREATE EXTENSION IF NOT EXISTS vector; END IF; END $$`,
  );
  await query(
    superuserUrl.replace(/\/postgres$/, '/atende'),
    `DO $$ DECLARE r record; BEGIN
       FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP EXECUTE format('ALTER TABLE public.%I OWNER TO ${APP_ROLE}', r.tablename); END LOOP;
       FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP EXECUTE format('ALTER SEQUENCE public.%I OWNER TO ${APP_ROLE}', r.sequencename); END LOOP;
       FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO ${APP_ROLE}', r.fn); END LOOP;
     END $$`,
  );
}

async function query(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/**
 * A postmaster still running on this data dir was left by a start that was killed (kill -9 of
 * `npm start`): stop it, saying so, instead of reporting "up" on a server this run cannot stop.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!isAlive(pid)) {
    fs.rmSync(pidFile); // stale: it would stop the server from starting
    return;
  }
  console.error(`[atende] PostgreSQL (pid ${pid}) is still running on ${dataDir}, left by a run that was killed; stopping it`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) throw new Error(`PostgreSQL (pid ${pid}) on ${dataDir} did not stop; stop it (kill ${pid}) and start again`);
}

/** Run as root, PostgreSQL runs as `postgres`: it must be able to reach the data directory's parent. */
function assertReachable(dir: string, user: { uid: number; gid: number }): void {
  const probe = spawnSync('sh', ['-c', 'test -x "$1" && test -r "$1"', 'sh', dir], { uid: user.uid, gid: user.gid });
  if (probe.status === 0) return;
  throw new Error(
    `PostgreSQL runs as an unprivileged user (uid ${user.uid}) because Atende was started as root, and that user cannot reach ${dir}. ` +
      `Give it access (chmod o+rx on ${dir} and each directory above it), or set ATENDE_DATA_DIR to a directory it can use (e.g. /var/lib/atende), or run as a normal user.`,
  );
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
