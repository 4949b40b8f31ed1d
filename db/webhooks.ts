import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { EVENTS_CHANNEL } from './conversations';
import { inTransaction } from './pool';

/** Webhook endpoints, their deliveries and the dispatcher's place in the events outbox. */

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookSecrets {
  secret: string;
  previousSecret: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status: number | null;
  durationMs: number;
  response: string | null;
  error: string | null;
}

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
}

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const COLUMNS = 'id, tenant_id, url, events, description, active, disabled_reason, created_at, updated_at';

function webhookOf(row: Record<string, any>): Webhook {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function createWebhook(db: pg.Pool, tenantId: string, input: { url: string; events: string[]; description?: string | undefined; active?: boolean | undefined }): Promise<{ webhook: Webhook; secret: string }> {
  const secret = newSecret();
  const { rows } = await db.query(
    `INSERT INTO webhooks (id, tenant_id, url, events, description, active, secret, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now()) RETURNING ${COLUMNS}`,
    [randomUUID(), tenantId, input.url, input.events, input.description ?? null, input.active ?? true, secret],
  );
  return { webhook: webhookOf(rows[0]), secret };
}

export async function listWebhooks(db: pg.Pool, tenantId: string): Promise<Webhook[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM webhooks WHERE tenant_id = $1 ORDER BY created_at`, [tenantId]);
  return rows.map(webhookOf);
}

export async function findWebhook(db: pg.Pool, tenantId: string, id: string): Promise<Webhook | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM webhooks WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] && webhookOf(rows[0]);
}

/** Changes what is given; turning an endpoint back on clears why it was disabled. */
export async function updateWebhook(db: pg.Pool, tenantId: string, id: string, change: { url?: string | undefined; events?: string[] | undefined; description?: string | undefined; active?: boolean | undefined }): Promise<Webhook | undefined> {
  const { rows } = await db.query(
    `UPDATE webhooks SET url = coalesce($3, url), events = coalesce($4, events), description = coalesce($5, description),
            active = coalesce($6, active), disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, change.url ?? null, change.events ?? null, change.description ?? null, change.active ?? null],
  );
  return rows[0] && webhookOf(rows[0]);
}

export async function deleteWebhook(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  return ((await db.query('DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2', [tenantId, id])).rowCount ?? 0) > 0;
}

/** A new secret; the old one keeps signing beside it for `graceMs` (receivers switch without a gap). */
export async function rotateSecret(db: pg.Pool, tenantId: string, id: string, graceMs: number): Promise<{ secret: string; previousValidUntil: string } | undefined> {
  const secret = newSecret();
  const { rows } = await db.query<{ until: Date }>(
    `UPDATE webhooks SET previous_secret = secret, previous_secret_until = now() + ($3 || ' milliseconds')::interval, secret = $4, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING previous_secret_until AS until`,
    [tenantId, id, String(graceMs), secret],
  );
  return rows[0] && { secret, previousValidUntil: rows[0].until.toISOString() };
}

/** The secrets that sign now: the current one, and a rotated one still in its grace period. */
export async function signingSecrets(db: pg.Pool, id: string): Promise<(WebhookSecrets & { url: string; active: boolean }) | undefined> {
  const { rows } = await db.query(
    `SELECT url, active, secret, CASE WHEN previous_secret_until > now() THEN previous_secret END AS previous_secret FROM webhooks WHERE id = $1`,
    [id],
  );
  return rows[0] && { url: rows[0].url, active: rows[0].active, secret: rows[0].secret, previousSecret: rows[0].previous_secret };
}

/** An endpoint that has failed every attempt for this long is disabled. */
export const FAILING_LIMIT_MS = 5 * 86_400_000;

/**
 * Keeps the endpoint's failing streak: a delivery ends it, a failure starts one (or continues it).
 * Returns whether the streak has lasted FAILING_LIMIT_MS, so the endpoint should be disabled.
 */
export async function noteEndpointHealth(db: pg.Pool, id: string, delivered: boolean): Promise<boolean> {
  if (delivered) {
    await db.query('UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [id]);
    return false;
  }
  const { rows } = await db.query<{ expired: boolean }>(
    `UPDATE webhooks SET failing_since = coalesce(failing_since, now())
      WHERE id = $1
      RETURNING active AND failing_since < now() - ($2 || ' milliseconds')::interval AS expired`,
    [id, String(FAILING_LIMIT_MS)],
  );
  return rows[0]?.expired ?? false;
}

/**
 * Disables an active endpoint and tells the tenant, in one transaction: a `webhook.disabled`
 * event (the tenant stream, other endpoints) and a notice the admins see in the console.
 * Returns false when the endpoint was already disabled (a retried activity tells nobody twice).
 */
export async function disableWebhook(db: pg.Pool, id: string, cause: DisableCause): Promise<boolean> {
  const { reason, words } = disableCauses[cause];
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ tenant_id: string; url: string; description: string | null }>(
      `UPDATE webhooks SET active = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND active RETURNING tenant_id, url, description`,
      [id, reason],
    );
    const endpoint = rows[0];
    if (!endpoint) return false;
    const data = { webhookId: id, url: endpoint.url, description: endpoint.description, cause, reason };
    await client.query(
      `INSERT INTO events (id, tenant_id, conversation_id, conversation_seq, type, data, created_at) VALUES ($1, $2, NULL, NULL, 'webhook.disabled', $3, now())`,
      [`webhook.disabled:${randomUUID()}`, endpoint.tenant_id, data],
    );
    await client.query(`INSERT INTO notices (id, tenant_id, audience, kind, title, body, data) VALUES ($1, $2, 'admin', 'webhook.disabled', $3, $4, $5)`, [
      randomUUID(),
      endpoint.tenant_id,
      'Webhook desativado',
      `O endpoint ${endpoint.url}${endpoint.description ? ` (${endpoint.description})` : ''} foi desativado: ${words}. Corrija o receptor e reative-o.`,
      data,
    ]);
    await client.query(`SELECT pg_notify('${EVENTS_CHANNEL}', $1)`, [endpoint.tenant_id]);
    return true;
  });
}

/** Why an endpoint is disabled: the reason the API shows, and the console's words for the admins. */
export type DisableCause = 'gone' | 'failing';
const disableCauses: Record<DisableCause, { reason: string; words: string }> = {
  gone: { reason: 'the receiver answered 410 Gone', words: 'o receptor respondeu 410 Gone' },
  failing: { reason: 'every delivery failed for 5 days', words: 'todas as entregas falharam por 5 dias seguidos' },
};

function deliveryOf(row: Record<string, any>): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findDelivery(db: pg.Pool, id: string): Promise<(Delivery & { payload: unknown; tenantId: string }) | undefined> {
  const { rows } = await db.query('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
  return rows[0] && { ...deliveryOf(rows[0]), payload: rows[0].payload, tenantId: rows[0].tenant_id };
}

export async function listDeliveries(db: pg.Pool, webhookId: string, limit = 100): Promise<Delivery[]> {
  const { rows } = await db.query('SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id LIMIT $2', [webhookId, limit]);
  return rows.map(deliveryOf);
}

export async function recordAttempt(db: pg.Pool, id: string, attempt: DeliveryAttempt, status: Delivery['status']): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET attempts = attempts || $2::jsonb, status = $3, updated_at = now() WHERE id = $1`, [id, JSON.stringify([attempt]), status]);
}

export async function markDelivery(db: pg.Pool, id: string, status: Delivery['status']): Promise<void> {
  await db.query('UPDATE webhook_deliveries SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
}

/** A delivery made by hand (the endpoint's test event, or a retry that starts over). */
export async function createDelivery(db: pg.Pool, input: { id: string; webhookId: string; tenantId: string; eventId: string; eventType: string; payload: unknown }): Promise<void> {
  await db.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now(), now()) ON CONFLICT (id) DO NOTHING`,
    [input.id, input.webhookId, input.tenantId, input.eventId, input.eventType, input.payload],
  );
}

/**
 * Moves the dispatcher along the outbox: the events after its place, each matched to the active
 * endpoints that subscribe to its type ("*" for all), become deliveries; the place moves past
 * them, in one transaction. Returns the new deliveries' ids and whether events remain.
 */
export async function dispatchEvents(db: pg.Pool, limit = 500): Promise<{ deliveries: string[]; more: boolean }> {
  return inTransaction(db, async (client) => {
    const { rows: [cursor] } = await client.query<{ after_seq: string }>('SELECT after_seq FROM webhook_dispatch WHERE id = 1 FOR UPDATE');
    const after = Number(cursor?.after_seq ?? 0);
    const { rows: events } = await client.query<{ seq: string }>('SELECT seq FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [after, limit]);
    if (!events.length) return { deliveries: [], more: false };
    const last = Number(events.at(-1)!.seq);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, created_at, updated_at)
       SELECT w.id || ':' || e.id, w.id, e.tenant_id, e.id, e.type,
              jsonb_build_object('type', e.type, 'timestamp', e.created_at, 'data',
                jsonb_build_object('id', e.id, 'seq', e.seq, 'tenantId', e.tenant_id, 'conversationId', e.conversation_id,
                                   'conversationSeq', e.conversation_seq, 'data', e.data, 'createdAt', e.created_at)),
              now(), now()
         FROM events e JOIN webhooks w ON w.tenant_id = e.tenant_id AND w.active
              -- subscribers of the type, and the endpoint a script names for its own completion
              AND (e.type = ANY (w.events) OR '*' = ANY (w.events) OR (e.type IN ('script.completed', 'tool.webhook') AND e.data ->> 'webhook' = w.id::text))
        WHERE e.seq > $1 AND e.seq <= $2
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [after, last],
    );
    await client.query('UPDATE webhook_dispatch SET after_seq = $1 WHERE id = 1', [last]);
    return { deliveries: rows.map((row) => row.id), more: events.length === limit };
  });
}
