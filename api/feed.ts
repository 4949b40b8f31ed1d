import type pg from 'pg';
import { MESSAGES_CHANNEL } from '../db/conversations';

/**
 * Tells open event streams that something has news, from Postgres NOTIFY on one channel whose
 * payload names it (a conversation on the messages channel, a tenant on the events channel): one
 * listening connection per API process and channel, held only while some stream is open.
 */
export class ConversationFeed {
  private readonly listeners = new Map<string, Set<() => void>>();
  private client: pg.PoolClient | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly db: pg.Pool,
    private readonly channel: string = MESSAGES_CHANNEL,
  ) {}

  /** Calls `onChange` whenever `key` (the notification's payload) has news; returns the unsubscribe function. */
  async subscribe(key: string, onChange: () => void): Promise<() => void> {
    const set = this.listeners.get(key) ?? new Set();
    set.add(onChange);
    this.listeners.set(key, set);
    await this.listen();
    return () => {
      set.delete(onChange);
      if (!set.size) this.listeners.delete(key);
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
      await client.query(`LISTEN ${this.channel}`);
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
