import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBinaries } from '../db/local-cluster';

/**
 * pgvector for the machine's PostgreSQL server, built from its pinned source. Debian packages it
 * as postgresql-NN-pgvector, but that package is not in every machine's apt sources (it is not in
 * this project's CI machine's); the source is the pgvector repository's tag as the Go module proxy
 * serves it (a registry these machines reach), checked against the digest below before building
 * (Subresource Integrity form: `sha256-` and the base64 digest, as npm's lockfile writes them).
 * Needs the server's headers (Debian: postgresql-server-dev-NN) and write access to its
 * extension directories (root); without either it says why and Atende scans vectors instead.
 */
export const PGVECTOR = {
  version: 'v0.8.1',
  integrity: 'sha256-J7kOm3QnRHmEZupjLNKd6B1tVQA+FuAG5APxFtNq6SI=',
} as const;

function pgConfig(dir: string, flag: string): string {
  return execFileSync(path.join(dir, 'pg_config'), [flag]).toString().trim();
}

/** The module proxy to fetch from: GOPROXY's first URL entry, else the public one. */
function moduleProxy(): string {
  const entry = (process.env.GOPROXY ?? '').split(/[,|]/).find((value) => /^https?:\/\//.test(value));
  return (entry ?? 'https://proxy.golang.org').replace(/\/+$/, '');
}

/** Whether the machine's PostgreSQL has pgvector; if not, builds and installs it when it can. Idempotent. */
export async function installPgvector(log: (line: string) => void = (line) => console.error(line)): Promise<boolean> {
  const binaries = findPostgresBinaries();
  if (!binaries) {
    log('pgvector: no PostgreSQL server binaries found; skipped');
    return false;
  }
  const binDir = path.dirname(binaries.postgres);
  if (!fs.existsSync(path.join(binDir, 'pg_config'))) {
    log(`pgvector: no pg_config beside ${binaries.postgres}; skipped`);
    return false;
  }
  const shareDir = pgConfig(binDir, '--sharedir');
  if (fs.existsSync(path.join(shareDir, 'extension', 'vector.control'))) {
    log('pgvector: already installed');
    return true;
  }
  const includeDir = pgConfig(binDir, '--includedir-server');
  if (!fs.existsSync(path.join(includeDir, 'postgres.h'))) {
    const major = pgConfig(binDir, '--version').match(/(\d+)/)?.[1] ?? 'NN';
    log(`pgvector: the server headers are missing (Debian: apt-get install postgresql-server-dev-${major}); knowledge search scans vectors without it`);
    return false;
  }
  try {
    fs.accessSync(path.join(shareDir, 'extension'), fs.constants.W_OK);
    fs.accessSync(pgConfig(binDir, '--pkglibdir'), fs.constants.W_OK);
  } catch {
    log(`pgvector: cannot write to ${shareDir}/extension; run \`npx atende tools install\` as root to build it`);
    return false;
  }

  const url = `${moduleProxy()}/github.com/pgvector/pgvector/@v/${PGVECTOR.version}.zip`;
  log(`pgvector: building ${PGVECTOR.version} from ${url}`);
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) {
    log(`pgvector: ${url} answered ${response.status}; skipped`);
    return false;
  }
  const archive = Buffer.from(await response.arrayBuffer());
  const integrity = `sha256-${crypto.createHash('sha256').update(archive).digest('base64')}`;
  if (integrity !== PGVECTOR.integrity) {
    log(`pgvector: the archive's integrity is ${integrity}, not the pinned ${PGVECTOR.integrity}; not built`);
    return false;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-pgvector-'));
  try {
    fs.writeFileSync(path.join(work, 'source.zip'), archive);
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(work, 'source.zip'), path.join(work, 'src')]);
    const source = path.join(work, 'src', 'github.com', 'pgvector', `pgvector@${PGVECTOR.version}`);
    // OPTFLAGS="": no -march=native, so the library runs on any machine of the same architecture
    const make = ['-C', source, `PG_CONFIG=${path.join(binDir, 'pg_config')}`, 'OPTFLAGS='];
    for (const target of [[], ['install']]) {
      const result = spawnSync('make', [...make, ...target], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (result.status !== 0) {
        log(`pgvector: make ${target.join(' ')} failed (${result.status}): ${result.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`);
        return false;
      }
    }
    log(`pgvector: ${PGVECTOR.version} installed into ${shareDir}/extension`);
    return true;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
