import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/**
 * Applies pending migrations. node-pg-migrate takes an advisory lock, so an API and a worker
 * starting together never apply the same migration twice.
 */
export async function migrate(pool: pg.Pool, log: (line: string) => void = () => {}): Promise<string[]> {
  const client = await pool.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'schema_migrations',
      checkOrder: true,
      log,
    });
    return applied.map((migration) => migration.name);
  } finally {
    client.release();
  }
}
