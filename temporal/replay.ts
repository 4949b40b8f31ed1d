import { codecConverter } from '../lib/codec';
import type { SecretKey } from '../lib/secrets';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { conversationWorkflowType } from '../workflows/messages';

export interface ReplayOptions {
  /** A visibility query; running conversations by default. */
  query?: string;
  /** Replay at most this many executions. */
  limit?: number;
  /** One line per replayed execution, for the operator watching. */
  onProgress?(line: string): void;
  /** ATENDE_CODEC_KEYS, when the histories' payloads are encrypted. */
  codecKeys?: SecretKey[] | undefined;
}

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  error: string;
}

export interface ReplayReport {
  query: string;
  replayed: number;
  failures: ReplayFailure[];
}

export const runningConversationsQuery = `WorkflowType = '${conversationWorkflowType}' AND ExecutionStatus = 'Running'`;

async function* upTo<T>(items: AsyncIterable<T>, limit: number): AsyncIterable<T> {
  let count = 0;
  for await (const history of items) {
    if (count++ >= limit) return;
    yield history;
  }
}

/**
 * Replays the histories of live conversations against this build's workflow code, before it
 * is deployed: a change that would break a conversation in flight (a missing `patched()`) is
 * reported here with the conversation's id instead of failing in production.
 */
export async function replayConversations(client: Client, options: ReplayOptions = {}): Promise<ReplayReport> {
  const query = options.query ?? runningConversationsQuery;
  const histories = client.workflow.list({ query }).intoHistories();
  const report: ReplayReport = { query, replayed: 0, failures: [] };
  const replays = Worker.runReplayHistories(
    // with the payload codec's keys, the encrypted histories are read as the worker reads them
    { workflowsPath: require.resolve('../workflows'), replayName: 'atende-workflows-replay', ...codecConverter(options.codecKeys) },
    options.limit === undefined ? histories : upTo(histories, options.limit),
  );
  for await (const result of replays) {
    report.replayed += 1;
    if (result.error) {
      const error = result.error.cause instanceof Error ? `${result.error.message}: ${result.error.cause.message}` : result.error.message;
      report.failures.push({ workflowId: result.workflowId, runId: result.runId, error });
      options.onProgress?.(`✗ ${result.workflowId} (${result.runId}): ${error}`);
    } else {
      options.onProgress?.(`✓ ${result.workflowId}`);
    }
  }
  return report;
}
