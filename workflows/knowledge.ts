import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const indexing = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  // the indexer heartbeats after every batch of passages
  heartbeatTimeout: '1 minute',
  // a database hiccup is worth a few tries; an unreadable file is not retried at all (non-retryable)
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});
const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export interface KnowledgeIndexInput {
  documentId: string;
}

export type KnowledgeIndexResult = { status: 'ready'; passages: number } | { status: 'failed'; error: string };

/**
 * Indexes one uploaded document (workflow id `knowledge-index-<document id>`): durable, so an
 * upload survives a worker restart mid-way, and a failure is written on the document for the admin.
 */
export async function knowledgeIndexWorkflow({ documentId }: KnowledgeIndexInput): Promise<KnowledgeIndexResult> {
  try {
    const { passages } = await indexing.indexKnowledgeDocument({ documentId });
    return { status: 'ready', passages };
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const message = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
    await bookkeeping.failKnowledgeDocument({ documentId, error: message });
    return { status: 'failed', error: message };
  }
}
