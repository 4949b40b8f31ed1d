import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { enableVectorSearch } from './vector';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/**
 * Applies pending migrations, then turns pgvector on when the server has it (db/vector.ts: a
 * server that gains the extension later gets it at the next start or `atende setup`).
 * node-pg-migrate takes an advisory lock, so an API and a worker starting together never apply
 * the same migration twice.
 */
export async function migrate(pool: pg.Pool, log: (line: string) => void = () => {}): Promise<string[]> {
  const client = await pool.connect();
  let applied: string[];
  try {
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'schema_migrations',
      checkOrder: true,
      log,
    });
    applied = ran.map((migration) => migration.name);
  } finally {
    client.release();
  }
  const vectors = await enableVectorSearch(pool).catch((error: Error) => log(`pgvector not enabled: ${error.message}`));
  if (vectors) log('pgvector: knowledge vectors are searched with its HNSW index');
  return applied;
}
