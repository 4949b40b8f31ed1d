import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { TOKENS_CHANNEL } from '../db/conversations';
import type { TokenNotice } from '../domain/events';

/**
 * A model's text as it arrives, from the activity to whoever streams the conversation (the v2
 * chat stream), through Postgres NOTIFY and never through workflow history: the history keeps
 * only the finished line. Pieces are batched a few milliseconds at a time, in order.
 */
export interface TokenSink {
  push(text: string): void;
  /** Sends what is left; resolves when every piece has been handed to Postgres. */
  close(): Promise<void>;
}

/** One notice to the conversation's listeners: its id, a space, the notice (api/feed.ts reads that shape). */
function notify(db: pg.Pool, conversationId: string, notice: TokenNotice): Promise<unknown> {
  return db.query('SELECT pg_notify($1, $2)', [TOKENS_CHANNEL, `${conversationId} ${JSON.stringify(notice)}`]);
}

/** Tells the conversation's listeners what the turn is doing; a lost notice costs nothing but the word. */
export async function announce(db: pg.Pool, conversationId: string, progress: 'searching_knowledge' | 'calling_tool'): Promise<void> {
  await notify(db, conversationId, { progress }).catch(() => undefined);
}

const BATCH_MS = 25;
const MAX_PIECE = 2_000;

/** The conversation the running activity serves, or null outside a conversation (or outside an activity). */
export function streamingConversation(): string | null {
  try {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
    return workflowId.startsWith('conversation-') ? workflowId.slice('conversation-'.length) : null;
  } catch {
    return null;
  }
}

export function tokenSink(db: pg.Pool, conversationId: string, onError: (error: Error) => void): TokenSink {
  const segment = randomUUID();
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  let sent: Promise<void> = Promise.resolve();
  const flush = () => {
    timer = null;
    while (pending) {
      const text = pending.slice(0, MAX_PIECE);
      pending = pending.slice(MAX_PIECE);
      // a lost piece costs the listener a smoother answer, never the turn: the reply itself is in the update's result
      sent = sent.then(() => notify(db, conversationId, { segment, text }).then(() => undefined, onError));
    }
  };
  return {
    push(text) {
      pending += text;
      timer ??= setTimeout(flush, BATCH_MS);
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      await sent;
    },
  };
}
