import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type pg from 'pg';
import { DocumentError, documentKind, parseDocument } from '../adapters/documents';
import type { Embedder } from '../adapters/llm';
import { documentContent, failDocument, finishDocument, startPassages, storePassages } from '../db/knowledge';
import { chunk } from '../domain/knowledge';

export interface KnowledgeDeps {
  db: pg.Pool;
  /** The tenant's embedding model, if any: passages then get vectors and search is hybrid. */
  embedderFor(tenantId: string): Promise<Embedder | undefined>;
}

export interface IndexDocumentInput {
  documentId: string;
}

export interface IndexDocumentResult {
  passages: number;
}

/** Passages written per transaction (and per progress step). */
const BATCH = 25;

/** Why a document cannot be indexed, for an admin: retrying will not change it. */
export const documentUnreadable = 'DocumentUnreadable';

export function createKnowledgeActivities(deps: KnowledgeDeps) {
  return {
    /**
     * Reads the stored file, cuts it into passages and writes them a batch at a time, so
     * `chunksDone / chunksTotal` moves as it goes; a retry starts again from the file (writes
     * are upserts by position). An unreadable file fails at once, without retries.
     */
    async indexKnowledgeDocument(input: IndexDocumentInput): Promise<IndexDocumentResult> {
      const stored = await documentContent(deps.db, input.documentId);
      if (!stored) throw ApplicationFailure.nonRetryable('the document was deleted', 'DocumentDeleted');
      const { document, content } = stored;
      let parsed;
      try {
        parsed = await parseDocument(documentKind(document.filename, content), document.filename, content);
      } catch (error) {
        if (error instanceof DocumentError) throw ApplicationFailure.nonRetryable(error.message, documentUnreadable);
        throw error;
      }
      const passages = chunk(parsed.blocks);
      // a title the admin gave stays; the one the file suggests replaces only the file name
      await startPassages(deps.db, document.id, document.title === document.filename ? parsed.title : null, passages.length);
      const embedder = await deps.embedderFor(document.tenantId);
      for (let start = 0; start < passages.length; start += BATCH) {
        const batch = passages.slice(start, start + BATCH);
        // a passage's vector reads its heading too, as the full text does
        const vectors = embedder ? await embedder.embed(batch.map((passage) => (passage.heading ? `${passage.heading}\n${passage.text}` : passage.text))) : undefined;
        await storePassages(deps.db, document.id, batch, vectors);
        heartbeat({ done: Math.min(start + BATCH, passages.length), total: passages.length });
      }
      await finishDocument(deps.db, document.id, passages.length, embedder?.model ?? null);
      return { passages: passages.length };
    },

    async failKnowledgeDocument(input: { documentId: string; error: string }): Promise<void> {
      await failDocument(deps.db, input.documentId, input.error);
    },
  };
}
