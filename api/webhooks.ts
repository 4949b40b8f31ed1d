import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import { createDelivery, createWebhook, deleteWebhook, findDelivery, findWebhook, listDeliveries, listWebhooks, markDelivery, rotateSecret, updateWebhook } from '../db/webhooks';
import { eventTypes } from '../domain/events';
import { publicUrlProblem } from '../lib/public-url';
import { retentionWorkflowId, retentionWorkflowType, webhookDeliveryWorkflowId, webhookDeliveryWorkflowType, webhookDispatcherWorkflowId, webhookDispatcherWorkflowType } from '../workflows/messages';
import { ApiError, lookupOr404, parseBody } from './errors';
import { ADMINS, authenticate, type AuthEnv } from './middleware';

export interface WebhookRoutesDeps {
  db: pg.Pool;
  client: Client;
  jwtSecret: string;
  taskQueue: string;
  callTimeoutMs: number;
  allowPrivate: boolean;
}

/** A rotated secret keeps signing beside the new one for a day, so receivers can switch without a gap. */
export const ROTATION_GRACE_MS = 86_400_000;

const subscribable = z.enum([...eventTypes, '*']);
export const webhookSchema = z
  .object({
    url: z.string().trim().url().max(2_000),
    events: z.array(subscribable).min(1).max(eventTypes.length + 1),
    description: z.string().trim().max(500).optional(),
    active: z.boolean().optional(),
  })
  .strict();
export const webhookChangeSchema = webhookSchema.partial().strict();


/** Starts the data-retention workflow of the task queue (settings' retention); a running one is kept. */
export async function ensureRetentionPurge(client: Client, taskQueue: string, input: { everyMs?: number } = {}): Promise<void> {
  await client.workflow.start(retentionWorkflowType, { workflowId: retentionWorkflowId(taskQueue), taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });
}

/** Starts the dispatcher that turns the events outbox into deliveries; a running one is kept. */
export async function ensureWebhookDispatcher(client: Client, taskQueue: string, input: { scheduleMs?: number[]; waitMs?: number } = {}): Promise<void> {
  await client.workflow.start(webhookDispatcherWorkflowType, {
    workflowId: webhookDispatcherWorkflowId(taskQueue),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** /api/v2/webhooks: an admin's endpoints, their secrets, deliveries, retries and a test event. */
export function webhookRoutes(deps: WebhookRoutesDeps) {
  const admins = authenticate(deps.jwtSecret)(ADMINS);

  async function checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const problem = await publicUrlProblem(url, deps.allowPrivate);
    if (problem) throw new ApiError(422, 'validation_failed', `url: ${problem}`, { issues: [{ path: 'url', message: problem }] });
  }

  const owned = lookupOr404('webhook', (tenantId, id) => findWebhook(deps.db, tenantId, id));

  /** A delivery's workflow; a retry is a new workflow of the same delivery (the first one ended). */
  const startDelivery = (deliveryId: string, workflowId = webhookDeliveryWorkflowId(deliveryId)) =>
    deps.client.withDeadline(Date.now() + deps.callTimeoutMs, () =>
      deps.client.workflow.start(webhookDeliveryWorkflowType, { workflowId, taskQueue: deps.taskQueue, args: [{ deliveryId }], workflowIdConflictPolicy: 'USE_EXISTING' }),
    );

  return new Hono<AuthEnv>()
    .get('/', admins, async (c) => c.json({ webhooks: await listWebhooks(deps.db, c.var.claims.tenant) }, 200))
    .post('/', admins, async (c) => {
      const body = await parseBody(c, webhookSchema);
      await checkUrl(body.url);
      const { webhook, secret } = await createWebhook(deps.db, c.var.claims.tenant, body);
      // the secret is shown this once; rotate it to get a new one
      return c.json({ webhook, secret }, 201);
    })
    .get('/:id', admins, async (c) => c.json({ webhook: await owned(c.var.claims.tenant, c.req.param('id')) }, 200))
    .put('/:id', admins, async (c) => {
      await owned(c.var.claims.tenant, c.req.param('id'));
      const change = await parseBody(c, webhookChangeSchema);
      await checkUrl(change.url);
      return c.json({ webhook: await updateWebhook(deps.db, c.var.claims.tenant, c.req.param('id'), change) }, 200);
    })
    .delete('/:id', admins, async (c) => {
      await owned(c.var.claims.tenant, c.req.param('id'));
      await deleteWebhook(deps.db, c.var.claims.tenant, c.req.param('id'));
      return c.json({ deleted: true }, 200);
    })
    .post('/:id/rotate-secret', admins, async (c) => {
      await owned(c.var.claims.tenant, c.req.param('id'));
      return c.json((await rotateSecret(deps.db, c.var.claims.tenant, c.req.param('id'), ROTATION_GRACE_MS))!, 200);
    })
    .get('/:id/deliveries', admins, async (c) => {
      const webhook = await owned(c.var.claims.tenant, c.req.param('id'));
      return c.json({ deliveries: await listDeliveries(deps.db, webhook.id) }, 200);
    })
    .post('/:id/deliveries/:deliveryId/retry', admins, async (c) => {
      const webhook = await owned(c.var.claims.tenant, c.req.param('id'));
      const delivery = await findDelivery(deps.db, c.req.param('deliveryId'));
      if (!delivery || delivery.webhookId !== webhook.id) throw new ApiError(404, 'not_found', 'delivery not found');
      if (delivery.status === 'pending') throw new ApiError(409, 'delivery_pending', 'the delivery is still being attempted');
      await markDelivery(deps.db, delivery.id, 'pending');
      await startDelivery(delivery.id, `${webhookDeliveryWorkflowId(delivery.id)}-retry-${randomUUID()}`);
      return c.json({ delivery: { id: delivery.id, status: 'pending' } }, 202);
    })
    .post('/:id/test', admins, async (c) => {
      const webhook = await owned(c.var.claims.tenant, c.req.param('id'));
      const eventId = `test-${randomUUID()}`;
      const deliveryId = `${webhook.id}:${eventId}`;
      const at = new Date().toISOString();
      await createDelivery(deps.db, {
        id: deliveryId,
        webhookId: webhook.id,
        tenantId: webhook.tenantId,
        eventId,
        eventType: 'webhook.test',
        payload: { type: 'webhook.test', timestamp: at, data: { id: eventId, tenantId: webhook.tenantId, webhookId: webhook.id, createdAt: at } },
      });
      await startDelivery(deliveryId);
      return c.json({ delivery: { id: deliveryId, status: 'pending' } }, 202);
    });
}
