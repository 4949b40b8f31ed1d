import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Env } from '../env';
import { findPostgresBinaries } from '../db/local-cluster';
import { resolveBinary } from '../temporal/binaries';

/**
 * What `npm start` needs of the machine, checked before anything starts, each failure with what
 * to do about it: Node's version, a writable data directory, the PostgreSQL server binaries (for
 * the embedded cluster), Python 3 with venv (to install the pinned Temporal binaries) and a free
 * API port.
 */
export interface Probes {
  postgresBinaries(): boolean;
  /** The Temporal CLI is installed (in .tools/ or on PATH). */
  temporalCli(): boolean;
  /** python3 (or python) with a working venv module, by name; undefined when there is none. */
  python(): { name: string; venv: boolean } | undefined;
}

const machine: Probes = {
  postgresBinaries: () => findPostgresBinaries() !== undefined,
  temporalCli: () => resolveBinary('cli', { install: false }) !== undefined,
  python: () => {
    const name = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['--version']).status === 0);
    return name ? { name, venv: spawnSync(name, ['-m', 'venv', '--help']).status === 0 } : undefined;
  },
};

export async function preflight(env: Env, probes: Probes = machine): Promise<string[]> {
  const problems: string[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major < 20 || (major === 20 && minor < 11)) problems.push(`Node ${process.versions.node} is too old: Atende needs Node 20.11 or newer.`);

  const dataDir = path.resolve(env.ATENDE_DATA_DIR);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch {
    problems.push(`The data directory ${dataDir} cannot be written: fix its permissions or set ATENDE_DATA_DIR to another folder.`);
  }

  if (!env.DATABASE_URL && !probes.postgresBinaries()) {
    problems.push('PostgreSQL server binaries (initdb, postgres) were not found: install them (Debian/Ubuntu: apt-get install postgresql; set PG_BIN_DIR if they live elsewhere) or point DATABASE_URL at a running PostgreSQL.');
  }

  if (!env.TEMPORAL_ADDRESS && !env.TEMPORAL_CLI_PATH && !probes.temporalCli()) {
    const python = probes.python();
    if (!python) problems.push('The Temporal CLI is not installed and Python 3 is missing to install it: install python3 (with python3-venv), or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.');
    else if (!python.venv) problems.push(`The Temporal CLI is not installed and ${python.name} has no venv module: install python3-venv (Debian/Ubuntu), or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.`);
  }

  if (!(await portFree(env.HOST, env.PORT))) problems.push(`Port ${env.PORT} on ${env.HOST} is in use (another Atende?): stop that process or set PORT to a free one.`);
  return problems;
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
