import type pg from 'pg';
import { queryTerms, type KnowledgeHit, type Passage } from '../domain/knowledge';
import { inTransaction } from './pool';
import { ensureVectorIndex, vectorOrdering, vectorSearchEnabled } from './vector';

/** Knowledge documents, their passages and the search over them (migration 1764800000000_knowledge.sql). */

export type DocumentStatus = 'indexing' | 'ready' | 'failed';

export interface KnowledgeDocument {
  id: string;
  tenantId: string;
  collection: string;
  title: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  status: DocumentStatus;
  error: string | null;
  progress: { chunksDone: number; chunksTotal: number | null };
  embeddingModel: string | null;
  createdAt: string;
  updatedAt: string;
  indexedAt: string | null;
}

const COLUMNS = 'id, tenant_id, collection, title, filename, media_type, size_bytes, sha256, status, error, chunks_total, chunks_done, embedding_model, created_at, updated_at, indexed_at';

function documentOf(row: Record<string, any>): KnowledgeDocument {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    collection: row.collection,
    title: row.title,
    filename: row.filename,
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    status: row.status,
    error: row.error,
    progress: { chunksDone: row.chunks_done, chunksTotal: row.chunks_total },
    embeddingModel: row.embedding_model,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    indexedAt: row.indexed_at?.toISOString() ?? null,
  };
}

export type NewDocument = Pick<KnowledgeDocument, 'id' | 'tenantId' | 'collection' | 'title' | 'filename' | 'mediaType' | 'sha256'> & { content: Uint8Array };

export async function createDocument(db: pg.Pool, input: NewDocument): Promise<KnowledgeDocument> {
  const { rows } = await db.query(
    `INSERT INTO knowledge_documents (id, tenant_id, collection, title, filename, media_type, size_bytes, sha256, content, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'indexing') RETURNING ${COLUMNS}`,
    [input.id, input.tenantId, input.collection, input.title, input.filename, input.mediaType, input.content.byteLength, input.sha256, Buffer.from(input.content)],
  );
  return documentOf(rows[0]);
}

export async function findDocument(db: pg.Pool, tenantId: string, id: string): Promise<KnowledgeDocument | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM knowledge_documents WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] && documentOf(rows[0]);
}

/** The stored file, for the indexer. */
export async function documentContent(db: pg.Pool, id: string): Promise<{ document: KnowledgeDocument; content: Buffer } | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS}, content FROM knowledge_documents WHERE id = $1`, [id]);
  return rows[0] && { document: documentOf(rows[0]), content: rows[0].content };
}

export async function listDocuments(db: pg.Pool, tenantId: string, collection?: string): Promise<KnowledgeDocument[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM knowledge_documents WHERE tenant_id = $1 AND ($2::text IS NULL OR collection = $2) ORDER BY created_at DESC, id LIMIT 1000`,
    [tenantId, collection ?? null],
  );
  return rows.map(documentOf);
}

export async function deleteDocument(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM knowledge_documents WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return (rowCount ?? 0) > 0;
}

/** Back to `indexing` for a re-index (its passages stay searchable until the new ones replace them). */
export async function markIndexing(db: pg.Pool, tenantId: string, id: string): Promise<KnowledgeDocument | undefined> {
  const { rows } = await db.query(
    `UPDATE knowledge_documents SET status = 'indexing', error = NULL, chunks_done = 0, chunks_total = NULL, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id],
  );
  return rows[0] && documentOf(rows[0]);
}

/** The parse is done: the title it found and how many passages are coming. */
export async function startPassages(db: pg.Pool, id: string, title: string | null, total: number): Promise<void> {
  await db.query(
    `UPDATE knowledge_documents SET title = coalesce($2, title), chunks_total = $3, chunks_done = 0, updated_at = now() WHERE id = $1`,
    [id, title, total],
  );
}

/**
 * Writes a batch of passages (replacing any at those positions) with the words they use, and
 * moves the progress on, in one transaction.
 */
export async function storePassages(db: pg.Pool, id: string, passages: readonly Passage[], embeddings?: readonly (number[] | null)[]): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO knowledge_chunks (document_id, position, tenant_id, collection, heading, text, embedding)
       SELECT $1, p.position, d.tenant_id, d.collection, p.heading, p.text, CASE WHEN p.embedding IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(p.embedding)::real) END
         FROM knowledge_documents d,
              unnest($2::int[], $3::text[], $4::text[], $5::jsonb[]) AS p (position, heading, text, embedding)
        WHERE d.id = $1
       ON CONFLICT (document_id, position) DO UPDATE SET heading = EXCLUDED.heading, text = EXCLUDED.text, embedding = EXCLUDED.embedding`,
      [
        id,
        passages.map((passage) => passage.position),
        passages.map((passage) => passage.heading),
        passages.map((passage) => passage.text),
        passages.map((_, index) => (embeddings?.[index] ? JSON.stringify(embeddings[index]) : null)),
      ],
    );
    await client.query(
      `INSERT INTO knowledge_words (tenant_id, word)
       SELECT DISTINCT d.tenant_id, w FROM knowledge_documents d,
              regexp_split_to_table(atende_fold(array_to_string($2::text[], ' ')), '[^a-z0-9]+') AS w
        WHERE d.id = $1 AND length(w) BETWEEN 4 AND 40
       ON CONFLICT DO NOTHING`,
      [id, passages.map((passage) => `${passage.heading ?? ''} ${passage.text}`)],
    );
    await client.query('UPDATE knowledge_documents SET chunks_done = chunks_done + $2, updated_at = now() WHERE id = $1', [id, passages.length]);
  });
}

/** Every passage written: the ones past the new end (a shorter re-index) go, and the document is ready. */
export async function finishDocument(db: pg.Pool, id: string, total: number, embeddingModel: string | null): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM knowledge_chunks WHERE document_id = $1 AND position >= $2', [id, total]);
    await client.query(
      `UPDATE knowledge_documents SET status = 'ready', error = NULL, chunks_done = $2, chunks_total = $2, embedding_model = $3, indexed_at = now(), updated_at = now() WHERE id = $1`,
      [id, total, embeddingModel],
    );
  });
  if (embeddingModel) {
    const { rows } = await db.query<{ dimensions: number | null }>('SELECT array_length(embedding, 1) AS dimensions FROM knowledge_chunks WHERE document_id = $1 AND embedding IS NOT NULL LIMIT 1', [id]);
    if (rows[0]?.dimensions) await ensureVectorIndex(db, rows[0].dimensions);
  }
}

export async function failDocument(db: pg.Pool, id: string, error: string): Promise<void> {
  await db.query(`UPDATE knowledge_documents SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, [id, error.slice(0, 500)]);
}

export interface SearchInput {
  tenantId: string;
  /** Folded query words (domain/knowledge.ts queryTerms). */
  terms: readonly string[];
  collections?: readonly string[] | undefined;
  limit: number;
}

/**
 * Full-text search in Portuguese over the ready documents' passages: each query word is read as
 * the nearest word the tenant's passages use (trigram similarity: "reembolço" finds "reembolso"),
 * the words are OR-ed, ranked by ts_rank_cd with headings above body text, and each hit says
 * which share of the words it holds (`coverage`).
 */
export async function searchPassages(db: pg.Pool, input: SearchInput): Promise<KnowledgeHit[]> {
  if (!input.terms.length) return [];
  const { rows } = await db.query<{ document_id: string; title: string; position: number; heading: string | null; text: string; rank: number; hits: number; in_heading: number; counted: number }>(
    `WITH fixed AS (
       SELECT coalesce(
                (SELECT w.word FROM knowledge_words w
                  WHERE length(t.term) >= 4 AND w.tenant_id = $1 AND w.word % t.term AND similarity(w.word, t.term) >= 0.4
                  ORDER BY w.word <-> t.term LIMIT 1),
                t.term) AS word
         FROM unnest($2::text[]) AS t (term)
     ), lexemes AS (
       SELECT DISTINCT to_tsquery('portuguese', word) AS q FROM fixed WHERE numnode(to_tsquery('portuguese', word)) > 0
     ), query AS (
       SELECT (SELECT string_agg(q::text, ' | ') FROM lexemes)::tsquery AS q, (SELECT count(*) FROM lexemes)::int AS counted
     )
     SELECT c.document_id, d.title, c.position, c.heading, c.text,
            ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.search, query.q, 1)::float8 AS rank,
            (SELECT count(*) FROM lexemes l WHERE c.search @@ l.q)::int AS hits,
            (SELECT count(*) FROM lexemes l WHERE ts_filter(c.search, '{a}') @@ l.q)::int AS in_heading,
            query.counted
       FROM query, knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id AND d.indexed_at IS NOT NULL
      WHERE query.counted > 0 AND c.tenant_id = $1 AND ($3::text[] IS NULL OR c.collection = ANY ($3)) AND c.search @@ query.q
      ORDER BY hits DESC, rank DESC, c.document_id, c.position
      LIMIT $4`,
    [input.tenantId, input.terms, input.collections?.length ? input.collections : null, input.limit],
  );
  return rows.map((row) => ({
    documentId: row.document_id,
    title: row.title,
    position: row.position,
    heading: row.heading,
    text: row.text,
    score: Math.round(row.rank * 10_000) / 10_000,
    coverage: row.counted ? row.hits / row.counted : 0,
    matched: row.hits,
    inHeading: row.in_heading,
  }));
}

/**
 * The passages nearest a query's vector, among those embedded by the same model, by cosine:
 * pgvector's distance (HNSW-indexed) where the server has the extension (db/vector.ts), else a
 * dot product of the unit vectors scanned by Postgres, fine for thousands of passages per tenant.
 */
export async function nearestPassages(db: pg.Pool, input: { tenantId: string; vector: readonly number[]; model: string; collections?: readonly string[] | undefined; limit: number }): Promise<(KnowledgeHit & { similarity: number })[]> {
  const ordering = (await vectorSearchEnabled(db))
    ? vectorOrdering(input.vector.length)
    : { similarity: '(SELECT sum(a * b) FROM unnest(c.embedding, $2::real[]) AS v (a, b))::float8', where: 'c.embedding IS NOT NULL', orderBy: 'similarity DESC' };
  const { rows } = await db.query<{ document_id: string; title: string; position: number; heading: string | null; text: string; similarity: number }>(
    `SELECT c.document_id, d.title, c.position, c.heading, c.text, ${ordering.similarity} AS similarity
       FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id AND d.indexed_at IS NOT NULL AND d.embedding_model = $3
      WHERE c.tenant_id = $1 AND ${ordering.where} AND ($4::text[] IS NULL OR c.collection = ANY ($4))
      ORDER BY ${ordering.orderBy}, c.document_id, c.position
      LIMIT $5`,
    [input.tenantId, input.vector, input.model, input.collections?.length ? input.collections : null, input.limit],
  );
  return rows.map((row) => ({ documentId: row.document_id, title: row.title, position: row.position, heading: row.heading, text: row.text, score: 0, coverage: 0, matched: 0, inHeading: 0, similarity: row.similarity }));
}

/** An embedding model as search needs it (adapters/llm.ts makes one): unit vectors for texts. */
export interface QueryEmbedder {
  model: string;
  embed(texts: readonly string[]): Promise<number[][]>;
}

export interface SearchDeps {
  db: pg.Pool;
  embedder?: QueryEmbedder | undefined;
  warn?: (message: string) => void;
}

/** How far down each ranking reciprocal rank fusion reads, and its damping constant. */
const FUSION_DEPTH = 20;
const RRF_K = 60;

export type SearchEngine = 'fulltext' | 'hybrid';

/**
 * The knowledge base's search, for the bot's activities and the API alike: Postgres full text;
 * with an embedding model, also the passages nearest the query's vector, the two rankings fused
 * by reciprocal rank (1 / (60 + rank) summed). A failing embedding call falls back to full text.
 */
export async function searchKnowledge(
  deps: SearchDeps,
  tenantId: string,
  query: string,
  limit = 5,
  collections?: readonly string[],
): Promise<{ hits: KnowledgeHit[]; engine: SearchEngine }> {
  const terms = queryTerms(query);
  if (!deps.embedder) return { hits: await searchPassages(deps.db, { tenantId, terms, collections, limit }), engine: 'fulltext' };
  const [text, vector] = await Promise.all([
    searchPassages(deps.db, { tenantId, terms, collections, limit: FUSION_DEPTH }),
    deps.embedder.embed([query]).then(
      ([embedding]) => embedding,
      (error: Error) => {
        deps.warn?.(`embedding the query failed, searching full text only: ${error.message}`);
        return undefined;
      },
    ),
  ]);
  if (!vector) return { hits: text.slice(0, limit), engine: 'fulltext' };
  const near = await nearestPassages(deps.db, { tenantId, vector, model: deps.embedder.model, collections, limit: FUSION_DEPTH });
  const fused = new Map<string, KnowledgeHit>();
  const add = (hits: readonly KnowledgeHit[]) =>
    hits.forEach((hit, index) => {
      const key = `${hit.documentId}:${hit.position}`;
      const known = fused.get(key);
      // the full-text hit keeps its word counts (the offline answer rule reads them)
      fused.set(key, { ...(known ?? hit), score: (known?.score ?? 0) + 1 / (RRF_K + index + 1) });
    });
  add(text);
  add(near);
  const hits = [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit).map((hit) => ({ ...hit, score: Math.round(hit.score * 10_000) / 10_000 }));
  return { hits, engine: 'hybrid' };
}

