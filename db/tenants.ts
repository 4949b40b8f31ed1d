import type pg from 'pg';
import { inTransaction } from './pool';
import type { z } from 'zod';
import { defaultEscalationPolicy, type EscalationPolicy } from '../domain/escalation';
import { escalationPolicySchema, rateLimitsSchema } from '../domain/schemas';

/** Tenants and their settings (business, escalation policy). */

export async function upsertTenant(pool: pg.Pool, id: string, name: string, settings: object = {}): Promise<void> {
  await pool.query(
    `INSERT INTO tenants (id, name, settings) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, settings = EXCLUDED.settings`,
    [id, name, settings],
  );
}

export interface TenantSettings {
  business?: {
    name?: string;
    timezone?: string;
    workingHours?: { start: string; end: string; workDays: number[]; intervals?: { start: string; end: string }[]; holidays?: string[] };
  };
  escalation?: unknown;
  /** What the tenant lets Atende learn from its agents; on unless set to false. */
  learning?: { fromAgents?: boolean };
  /** Requests per minute (see api/limits.ts); missing ones keep the server's defaults. */
  limits?: unknown;
  /** The agent a conversation gets when it names none (GET/PATCH /api/v2/settings). */
  defaultAgent?: string;
  csat?: { enabled?: boolean };
  followUp?: { delayMinutes?: number; closeAfterHours?: number };
  retention?: { closedConversationDays?: number | null };
}

/** The limits the tenant set (a stored value that no longer parses counts as none: the server's defaults apply). */
export function rateLimitsOf(settings: TenantSettings): z.infer<typeof rateLimitsSchema> {
  const own = rateLimitsSchema.safeParse(settings.limits ?? {});
  return own.success ? own.data : {};
}

export async function saveLimits(pool: pg.Pool, tenantId: string, limits: object): Promise<void> {
  await pool.query(`UPDATE tenants SET settings = jsonb_set(settings, '{limits}', $2) WHERE id = $1`, [tenantId, limits]);
}

/** Whether an agent's re-script teaches the matcher (the customer's demand becomes an example of the chosen script). */
export function learnsFromAgents(settings: TenantSettings): boolean {
  return settings.learning?.fromAgents !== false;
}

export async function saveLearning(pool: pg.Pool, tenantId: string, learning: { fromAgents: boolean }): Promise<void> {
  await pool.query(`UPDATE tenants SET settings = jsonb_set(settings, '{learning}', $2) WHERE id = $1`, [tenantId, learning]);
}

export async function findTenant(pool: pg.Pool, id: string): Promise<{ name: string; settings: TenantSettings } | undefined> {
  const result = await pool.query<{ name: string; settings: TenantSettings }>('SELECT name, settings FROM tenants WHERE id = $1', [id]);
  return result.rows[0];
}

/** The tenant's escalation policy; a stored one that no longer parses falls back to the defaults rather than stopping conversations. */
export function escalationPolicyOf(settings: TenantSettings): EscalationPolicy {
  const parsed = escalationPolicySchema.safeParse(settings.escalation ?? {});
  return parsed.success ? parsed.data : defaultEscalationPolicy;
}

export async function saveEscalationPolicy(pool: pg.Pool, tenantId: string, policy: EscalationPolicy): Promise<void> {
  await pool.query(`UPDATE tenants SET settings = jsonb_set(settings, '{escalation}', $2) WHERE id = $1`, [tenantId, policy]);
}

export async function tenantExists(pool: pg.Pool, id: string): Promise<boolean> {
  const result = await pool.query('SELECT 1 FROM tenants WHERE id = $1', [id]);
  return result.rowCount === 1;
}

/**
 * Writes the settings document's sections over the stored ones and moves the default models (they
 * live on the model endpoints: one default per purpose), in one transaction.
 */
export async function saveSettingsDocument(pool: pg.Pool, tenantId: string, sections: object, defaultModels: { chat: string | null; embedding: string | null }): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('UPDATE tenants SET settings = settings || $2::jsonb WHERE id = $1', [tenantId, sections]);
    // the old default first: the index allows one per purpose at any moment
    await client.query(
      `UPDATE model_endpoints SET is_default = false, updated_at = now()
        WHERE tenant_id = $1 AND is_default AND ((purpose = 'chat' AND id IS DISTINCT FROM $2::uuid) OR (purpose = 'embedding' AND id IS DISTINCT FROM $3::uuid))`,
      [tenantId, defaultModels.chat, defaultModels.embedding],
    );
    await client.query(`UPDATE model_endpoints SET is_default = true, updated_at = now() WHERE tenant_id = $1 AND NOT is_default AND id IN ($2::uuid, $3::uuid)`, [tenantId, defaultModels.chat, defaultModels.embedding]);
  });
}
