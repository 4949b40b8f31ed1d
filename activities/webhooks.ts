import { Context, heartbeat, log } from '@temporalio/activity';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { EVENTS_CHANNEL } from '../db/conversations';
import { disableWebhook, dispatchEvents, findDelivery, markDelivery, noteEndpointHealth, recordAttempt, signingSecrets } from '../db/webhooks';
import { publicUrlProblem } from '../lib/public-url';
import { webhookAttempts } from '../lib/metrics';

export interface WebhookDeps {
  db: pg.Pool;
  /** Allow endpoints on private addresses (WEBHOOKS_ALLOW_PRIVATE; tests deliver to 127.0.0.1). */
  webhooksAllowPrivate?: boolean;
}

export interface DispatchInput {
  /** How long to wait for new events when there are none (heartbeating). */
  waitMs: number;
}

export interface AttemptInput {
  deliveryId: string;
  attempt: number;
  /** The last attempt of the schedule: a failure now fails the delivery. */
  last: boolean;
}

export type AttemptOutcome = 'delivered' | 'failed' | 'gone' | 'skipped';

const ATTEMPT_TIMEOUT_MS = 15_000;
const RESPONSE_EXCERPT = 500;

/** Signs a delivery the Standard Webhooks way, with each secret in force (two during a rotation). */
function signatures(secrets: string[], id: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}

export function createWebhookActivities(deps: WebhookDeps) {
  return {
    /** New deliveries from the outbox; with none, waits (up to waitMs) for a turn to write events. */
    async dispatchWebhookEvents(input: DispatchInput): Promise<{ deliveries: string[]; more: boolean }> {
      const first = await dispatchEvents(deps.db);
      if (first.deliveries.length || first.more) return first;
      const client = await deps.db.connect();
      try {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearInterval(beat);
            clearTimeout(timer);
            resolve();
          };
          const beat = setInterval(() => heartbeat(), 2_000);
          const timer = setTimeout(done, input.waitMs);
          client.on('notification', done);
          Context.current().cancellationSignal.addEventListener('abort', done);
          void client.query(`LISTEN ${EVENTS_CHANNEL}`).catch(done);
        });
        await client.query(`UNLISTEN ${EVENTS_CHANNEL}`).catch(() => undefined);
      } finally {
        client.release(true);
      }
      return dispatchEvents(deps.db);
    },

    /** One HTTP attempt, recorded with its status, duration and the start of the response. */
    async attemptWebhookDelivery(input: AttemptInput): Promise<AttemptOutcome> {
      const delivery = await findDelivery(deps.db, input.deliveryId);
      if (!delivery || delivery.status === 'succeeded') return 'skipped';
      const endpoint = await signingSecrets(deps.db, delivery.webhookId);
      if (!endpoint || !endpoint.active) {
        await markDelivery(deps.db, delivery.id, 'failed');
        return 'skipped';
      }
      const at = new Date();
      const started = Date.now();
      const body = JSON.stringify(delivery.payload);
      let status: number | null = null;
      let response: string | null = null;
      let error: string | null = await publicUrlProblem(endpoint.url, deps.webhooksAllowPrivate ?? false);
      if (!error) {
        try {
          const answer = await fetch(endpoint.url, {
            method: 'POST',
            redirect: 'manual',
            signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Atende-Webhooks/1',
              'webhook-id': delivery.id,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': signatures([endpoint.secret, ...(endpoint.previousSecret ? [endpoint.previousSecret] : [])], delivery.id, at, body),
            },
            body,
          });
          status = answer.status;
          response = (await answer.text().catch(() => '')).slice(0, RESPONSE_EXCERPT);
        } catch (failure) {
          error = (failure as Error).name === 'TimeoutError' ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : String((failure as Error).message ?? failure);
        }
      }
      const delivered = status !== null && status >= 200 && status < 300;
      const outcome: AttemptOutcome = delivered ? 'delivered' : status === 410 ? 'gone' : 'failed';
      const final = delivered ? 'succeeded' : outcome === 'gone' || input.last ? 'failed' : 'pending';
      await recordAttempt(deps.db, delivery.id, { attempt: input.attempt, at: at.toISOString(), status, durationMs: Date.now() - started, response, error }, final);
      // 410 Gone: the receiver says the endpoint is no more
      const expired = outcome !== 'gone' && (await noteEndpointHealth(deps.db, delivery.webhookId, delivered));
      if (outcome === 'gone' || expired) {
        const cause = outcome === 'gone' ? 'gone' : 'failing';
        if (await disableWebhook(deps.db, delivery.webhookId, cause)) log.warn('webhook endpoint disabled; the admins are told', { webhookId: delivery.webhookId, tenantId: delivery.tenantId, cause });
      }
      webhookAttempts.inc({ outcome });
      return outcome;
    },
  };
}
