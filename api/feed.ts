import type pg from 'pg';
import type { SSEStreamingApi } from 'hono/streaming';
import { MESSAGES_CHANNEL } from '../db/conversations';

/**
 * Tells open event streams that something has news, from Postgres NOTIFY on one channel whose
 * payload names it (a conversation on the messages channel, a tenant on the events channel): one
 * listening connection per API process and channel, held only while some stream is open. A
 * payload may carry more after its key and a space (a model's text on the tokens channel); the
 * listener receives that rest.
 */
export class ConversationFeed {
  private readonly listeners = new Map<string, Set<(detail: string) => void>>();
  private client: pg.PoolClient | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly db: pg.Pool,
    private readonly channel: string = MESSAGES_CHANNEL,
  ) {}

  /** Calls `onChange` whenever `key` (the notification's payload, up to a space) has news; returns the unsubscribe function. */
  async subscribe(key: string, onChange: (detail: string) => void): Promise<() => void> {
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

  /**
   * Runs an event stream: `round` writes what is new (true when the stream is done), then it
   * waits for news of `key`, or for the heartbeat: a ping, and a re-read in case a notification
   * was missed.
   */
  async follow(stream: SSEStreamingApi, key: string, heartbeatMs: number, round: () => Promise<boolean | void>): Promise<void> {
    let wake: (() => void) | null = null;
    const unsubscribe = await this.subscribe(key, () => wake?.());
    stream.onAbort(() => wake?.());
    try {
      while (!stream.aborted && !stream.closed) {
        const changed = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), heartbeatMs);
          // an idle stream's keep-alive must not hold the process open
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        if (await round()) return;
        if (!(await changed) && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
      }
    } finally {
      unsubscribe();
    }
  }

  private listen(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = await this.db.connect();
      client.on('notification', (notification) => {
        const payload = notification.payload ?? '';
        const space = payload.indexOf(' ');
        const [key, detail] = space < 0 ? [payload, ''] : [payload.slice(0, space), payload.slice(space + 1)];
        for (const listener of this.listeners.get(key) ?? []) listener(detail);
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
