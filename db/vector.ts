import type pg from 'pg';
import { inTransaction } from './pool';

/**
 * pgvector, where the server has it: passages' embeddings (kept as real[] either way) get a
 * generated `vector` column, searched with pgvector's cosine distance and an HNSW index per
 * dimension. Without the extension the knowledge base scans the arrays (db/knowledge.ts), so a
 * server without it still works. Creating the extension needs a superuser unless a DBA already
 * did; `atende setup` (or any migration run) enables it whenever it can.
 */
export async function enableVectorSearch(pool: pg.Pool): Promise<boolean> {
  const state = await vectorState(pool);
  if (state.column) return true;
  if (!state.available || (!state.installed && !state.superuser)) return false;
  await inTransaction(pool, async (client) => {
    // an API and a worker starting together: one of them adds the column
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('atende:pgvector'))`);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query('ALTER TABLE knowledge_chunks ADD COLUMN IF NOT EXISTS embedding_vector vector GENERATED ALWAYS AS (embedding::vector) STORED');
  });
  enabled.set(pool, true);
  return true;
}

async function vectorState(db: pg.Pool): Promise<{ available: boolean; installed: boolean; superuser: boolean; column: boolean }> {
  const { rows } = await db.query<{ available: boolean; installed: boolean; superuser: boolean; column: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed,
            coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
            EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'knowledge_chunks' AND column_name = 'embedding_vector') AS column`,
  );
  return rows[0]!;
}

const enabled = new WeakMap<pg.Pool, boolean>();

/** Whether this database searches vectors with pgvector (read once per pool). */
export async function vectorSearchEnabled(db: pg.Pool): Promise<boolean> {
  const known = enabled.get(db);
  if (known !== undefined) return known;
  const { column } = await vectorState(db);
  enabled.set(db, column);
  return column;
}

/** The largest dimension pgvector's HNSW indexes take for `vector`. */
const HNSW_MAX_DIMENSIONS = 2000;

/**
 * An HNSW index for one embedding dimension (an index needs a fixed one; tenants' models differ),
 * made the first time passages of that dimension are stored. Idempotent.
 */
export async function ensureVectorIndex(db: pg.Pool, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > HNSW_MAX_DIMENSIONS) return;
  if (!(await vectorSearchEnabled(db))) return;
  await db
    .query(
      `CREATE INDEX IF NOT EXISTS knowledge_chunks_hnsw_${dimensions} ON knowledge_chunks
         USING hnsw ((embedding_vector::vector(${dimensions})) vector_cosine_ops)
         WHERE vector_dims(embedding_vector) = ${dimensions}`,
    )
    .catch((error: { code?: string }) => {
      // two documents finishing at once: the other one made it
      if (error.code !== '23505' && error.code !== '42P07') throw error;
    });
}

/**
 * The SQL that orders passages by pgvector's cosine distance to $2 (a query vector of `dimensions`),
 * written to match ensureVectorIndex's expression and predicate so the planner can use the index.
 */
export function vectorOrdering(dimensions: number): { similarity: string; where: string; orderBy: string } {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new Error(`invalid vector dimensions: ${dimensions}`);
  const distance = `c.embedding_vector::vector(${dimensions}) <=> $2::real[]::vector(${dimensions})`;
  return { similarity: `(1 - (${distance}))::float8`, where: `vector_dims(c.embedding_vector) = ${dimensions}`, orderBy: distance };
}
