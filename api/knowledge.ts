import { createHash, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { DocumentError, documentKind, mediaTypes } from '../adapters/documents';
import { createDocument, deleteDocument, findDocument, listDocuments, markIndexing } from '../db/knowledge';
import { searchKnowledge } from '../db/knowledge';
import { bestExcerpt } from '../domain/knowledge';
import { knowledgeIndexWorkflowId, knowledgeIndexWorkflowType } from '../workflows/messages';
import { ApiError, lookupOr404, parseBody } from './errors';
import { logOf } from './problem';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';
import type { Embedder } from '../adapters/llm';

export interface KnowledgeRoutesDeps {
  db: pg.Pool;
  /** The embedding model, when one is configured: search is then hybrid. */
  embedder?: Embedder | undefined;
  client: Client;
  jwtSecret: string;
  taskQueue: string;
  callTimeoutMs: number;
}

/** The largest document the knowledge base takes (the upload route's body limit is a little above it). */
export const MAX_DOCUMENT_BYTES = 10 * 2 ** 20;

const collectionSchema = z.string().trim().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, - and _, up to 60');
export const knowledgeSearchSchema = z
  .object({
    query: z.string().trim().min(1).max(1_000),
    collection: collectionSchema.optional(),
    limit: z.number().int().min(1).max(20).default(5),
  })
  .strict();

function invalid(path: string, message: string, status: 413 | 415 | 422 = 422): ApiError {
  return new ApiError(status, status === 422 ? 'validation_failed' : status === 413 ? 'payload_too_large' : 'unsupported_media_type', `${path}: ${message}`, { issues: [{ path, message }] });
}

/**
 * /api/v2/knowledge: documents an admin uploads (indexed by a workflow each, progress on the
 * document), and the search the bot and the staff use.
 */
export function knowledgeRoutes(deps: KnowledgeRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  const startIndexing = (documentId: string) =>
    deps.client.withDeadline(Date.now() + deps.callTimeoutMs, () =>
      deps.client.workflow.start(knowledgeIndexWorkflowType, { workflowId: knowledgeIndexWorkflowId(documentId), taskQueue: deps.taskQueue, args: [{ documentId }], workflowIdConflictPolicy: 'FAIL' }),
    );

  const owned = lookupOr404('document', (tenantId, id) => findDocument(deps.db, tenantId, id));

  return new Hono<AuthEnv>()
    .post('/upload', auth(ADMINS), async (c) => {
      if (!/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) throw invalid('file', 'send the document as multipart/form-data in the field "file"', 415);
      const form = await c.req.parseBody().catch(() => {
        throw invalid('file', 'the multipart body could not be read');
      });
      const file = form.file;
      if (!(file instanceof File)) throw invalid('file', 'required: the document, as a file field named "file"');
      if (file.size > MAX_DOCUMENT_BYTES) throw invalid('file', `larger than ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB`, 413);
      if (file.size === 0) throw invalid('file', 'the file is empty');
      const collection = form.collection === undefined ? { success: true as const, data: 'default' } : collectionSchema.safeParse(form.collection);
      if (!collection.success) throw invalid('collection', collection.error.issues[0]!.message);
      const title = typeof form.title === 'string' ? form.title.trim().slice(0, 200) : '';
      const filename = (file.name || 'documento').slice(0, 200);
      const content = new Uint8Array(await file.arrayBuffer());
      let kind;
      try {
        kind = documentKind(filename, content);
      } catch (error) {
        if (error instanceof DocumentError) throw invalid('file', error.message);
        throw error;
      }
      const document = await createDocument(deps.db, {
        id: randomUUID(),
        tenantId: c.var.claims.tenant,
        collection: collection.data,
        title: title || filename,
        filename,
        mediaType: mediaTypes[kind],
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
      });
      try {
        await startIndexing(document.id);
      } catch (error) {
        // nothing half-written: without its indexer the document would wait forever
        await deleteDocument(deps.db, document.tenantId, document.id);
        throw error;
      }
      return c.json({ document: { id: document.id, status: document.status, title: document.title, collection: document.collection } }, 201);
    })
    .get('/documents', auth(STAFF), async (c) => {
      const raw = c.req.query('collection');
      const collection = raw === undefined ? undefined : collectionSchema.safeParse(raw);
      if (collection && !collection.success) throw invalid('collection', collection.error.issues[0]!.message);
      return c.json({ documents: await listDocuments(deps.db, c.var.claims.tenant, collection?.data) }, 200);
    })
    .get('/documents/:id', auth(STAFF), async (c) => c.json({ document: await owned(c.var.claims.tenant, c.req.param('id')) }, 200))
    .delete('/documents/:id', auth(ADMINS), async (c) => {
      const document = await owned(c.var.claims.tenant, c.req.param('id'));
      await deleteDocument(deps.db, document.tenantId, document.id);
      return c.json({ deleted: true }, 200);
    })
    .post('/documents/:id/reindex', auth(ADMINS), async (c) => {
      const document = await owned(c.var.claims.tenant, c.req.param('id'));
      if (document.status === 'indexing') throw new ApiError(409, 'conflict', 'the document is being indexed');
      const marked = await markIndexing(deps.db, document.tenantId, document.id);
      try {
        await startIndexing(document.id);
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError(409, 'conflict', 'the document is being indexed');
        throw error;
      }
      return c.json({ document: marked }, 202);
    })
    .post('/search', auth(STAFF), async (c) => {
      const body = await parseBody(c, knowledgeSearchSchema);
      const { hits, engine } = await searchKnowledge({ db: deps.db, embedder: deps.embedder, warn: (message) => logOf(c).warn(message) }, c.var.claims.tenant, body.query, body.limit, body.collection ? [body.collection] : undefined);
      return c.json(
        {
          query: body.query,
          engine,
          results: hits.map((hit) => ({
            document: { id: hit.documentId, title: hit.title },
            position: hit.position,
            heading: hit.heading,
            text: hit.text,
            excerpt: bestExcerpt(hit.text, body.query),
            score: hit.score,
            coverage: Math.round(hit.coverage * 100) / 100,
          })),
        },
        200,
      );
    });
}
