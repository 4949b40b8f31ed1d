import type pg from 'pg';
import { MESSAGES_CHANNEL } from '../db/conversations';

/**
 * Tells open event streams that a conversation has something new, from Postgres NOTIFY: one
 * listening connection per API process, held only while some stream is open.
 */
export class ConversationFeed {
  private readonly listeners = new Map<string, Set<() => void>>();
  private client: pg.PoolClient | null = null;
  private connecting: Promise<void> | null = null;

  constructor(private readonly db: pg.Pool) {}

  /** Calls `onChange` whenever the conversation is written; returns the unsubscribe function. */
  async subscribe(conversationId: string, onChange: () => void): Promise<() => void> {
    const set = this.listeners.get(conversationId) ?? new Set();
    set.add(onChange);
    this.listeners.set(conversationId, set);
    await this.listen();
    return () => {
      set.delete(onChange);
      if (!set.size) this.listeners.delete(conversationId);
      if (!this.listeners.size) void this.stop();
    };
  }

  private listen(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = await this.db.connect();
      client.on('notification', (notification) => {
        for (const listener of this.listeners.get(notification.payload ?? '') ?? []) listener();
      });
      // a broken listening connection is dropped; streams still poll, and the next subscriber listens again
      client.on('error', () => {
        if (this.client === client) this.client = null;
        client.release(true);
      });
      await client.query(`LISTEN ${MESSAGES_CHANNEL}`);
      this.client = client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async stop(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    if (!client || this.listeners.size) return;
    this.client = null;
    // a listening connection is not handed back to the pool for other work: it is closed
    client.release(true);
  }
}
