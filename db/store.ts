import pg from 'pg';
import { type Catalog, type Script, type ScriptDefinition, type ScriptInput } from '../domain/scripts';
import { scriptInputSchema } from '../domain/schemas';
import type { Analysis } from '../domain/analysis';
import { defaultEscalationPolicy, type EscalationPolicy } from '../domain/escalation';
import { escalationPolicySchema } from '../domain/schemas';
import type { ConversationState, StoredMessage } from '../domain/conversation';

export type { StoredMessage };

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

export interface ConversationRow {
  id: string;
  tenantId: string;
  status: string;
  stage: string;
  state: ConversationState;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

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

/** JSON with sorted keys: jsonb does not keep key order, so plain stringify can't compare. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}

export interface SavedScript extends Script {
  /** False when the definition was identical to the latest version, so nothing was written. */
  changed: boolean;
}

/**
 * Saves a script as a new version when its definition changed; an identical save is a no-op,
 * so importing the same catalog twice creates nothing.
 */
async function saveScriptWith(client: pg.PoolClient, tenantId: string, input: ScriptInput): Promise<SavedScript> {
  const definition = scriptInputSchema.parse(input);
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`script:${tenantId}:${definition.id}`]);
  const latest = await client.query<{ version: number; definition: object; deleted: boolean }>(
    `SELECT version, definition, deleted FROM scripts WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
    [tenantId, definition.id],
  );
  const current = latest.rows[0];
  if (current && !current.deleted && canonicalJson(current.definition) === canonicalJson(definition)) {
    return { ...definition, version: current.version, changed: false };
  }
  const version = (current?.version ?? 0) + 1;
  await client.query(`INSERT INTO scripts (tenant_id, id, version, definition, active) VALUES ($1, $2, $3, $4, $5)`, [
    tenantId,
    definition.id,
    version,
    definition,
    definition.active,
  ]);
  return { ...definition, version, changed: true };
}

export async function saveScript(pool: pg.Pool, tenantId: string, input: ScriptInput): Promise<SavedScript> {
  return inTransaction(pool, (client) => saveScriptWith(client, tenantId, input));
}

interface ScriptRow {
  id: string;
  version: number;
  definition: ScriptDefinition;
  active: boolean;
  deleted: boolean;
  created_at: Date;
}

export interface ScriptVersion extends Script {
  deleted: boolean;
  createdAt: string;
}

const toVersion = (row: ScriptRow): ScriptVersion => ({
  ...row.definition,
  version: row.version,
  deleted: row.deleted,
  createdAt: row.created_at.toISOString(),
});

/** The latest version of every script of a tenant that is not deleted, active or not. */
export async function listScripts(pool: pg.Pool, tenantId: string): Promise<ScriptVersion[]> {
  const result = await pool.query<ScriptRow>(
    `SELECT * FROM (SELECT DISTINCT ON (id) id, version, definition, active, deleted, created_at FROM scripts
                    WHERE tenant_id = $1 ORDER BY id, version DESC) latest
     WHERE NOT deleted ORDER BY id`,
    [tenantId],
  );
  return result.rows.map(toVersion);
}

/** The latest version of a script, or undefined when it never existed or was deleted. */
export async function findScript(pool: pg.Pool, tenantId: string, id: string): Promise<ScriptVersion | undefined> {
  const result = await pool.query<ScriptRow>(
    `SELECT id, version, definition, active, deleted, created_at FROM scripts
     WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
    [tenantId, id],
  );
  const latest = result.rows[0];
  return latest && !latest.deleted ? toVersion(latest) : undefined;
}

/** Every version of a script, newest first, deletions included. */
export async function scriptVersions(pool: pg.Pool, tenantId: string, id: string): Promise<ScriptVersion[]> {
  const result = await pool.query<ScriptRow>(
    `SELECT id, version, definition, active, deleted, created_at FROM scripts WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC`,
    [tenantId, id],
  );
  return result.rows.map(toVersion);
}

/**
 * Deletes a script by writing a tombstone version: history stays, conversations already
 * running keep their version, and new conversations no longer match it.
 */
export async function deleteScript(pool: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`script:${tenantId}:${id}`]);
    const latest = await client.query<ScriptRow>(
      `SELECT id, version, definition, active, deleted, created_at FROM scripts WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
      [tenantId, id],
    );
    const current = latest.rows[0];
    if (!current || current.deleted) return false;
    await client.query(`INSERT INTO scripts (tenant_id, id, version, definition, active, deleted) VALUES ($1, $2, $3, $4, false, true)`, [
      tenantId,
      id,
      current.version + 1,
      current.definition,
    ]);
    return true;
  });
}

/** The latest version of every active, not deleted script of a tenant. */
export async function activeScripts(pool: pg.Pool, tenantId: string): Promise<Script[]> {
  const result = await pool.query<{ version: number; definition: ScriptDefinition; active: boolean; deleted: boolean }>(
    `SELECT DISTINCT ON (id) version, definition, active, deleted FROM scripts
     WHERE tenant_id = $1 ORDER BY id, version DESC`,
    [tenantId],
  );
  return result.rows
    .filter((row) => row.active && !row.deleted)
    .map((row) => ({ ...row.definition, version: row.version }));
}

/**
 * Writes one conversation turn atomically: the state projection (only if newer than what is
 * stored) and its messages (ids are deterministic, so a retried write inserts nothing twice).
 */
export async function recordTurn(pool: pg.Pool, state: ConversationState, messages: StoredMessage[], workflowId: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    const written = await client.query(
      `INSERT INTO conversations (id, tenant_id, workflow_id, channel, customer, status, stage, script_id, script_version,
                                  answers, analysis, protocol, state, revision, created_at, updated_at, closed_at, csat_score)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (id) DO UPDATE SET
         customer = EXCLUDED.customer, status = EXCLUDED.status, stage = EXCLUDED.stage,
         script_id = EXCLUDED.script_id, script_version = EXCLUDED.script_version, answers = EXCLUDED.answers,
         analysis = EXCLUDED.analysis, protocol = EXCLUDED.protocol, state = EXCLUDED.state,
         revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at,
         csat_score = EXCLUDED.csat_score
       WHERE conversations.revision < EXCLUDED.revision
       RETURNING 1`,
      [
        state.conversationId,
        state.tenantId,
        workflowId,
        state.channel,
        state.customer,
        state.status,
        state.stage,
        state.script?.id ?? null,
        state.script?.version ?? null,
        state.answers,
        state.analysis,
        state.protocol,
        state,
        state.revision,
        state.startedAt,
        state.updatedAt,
        state.closedAt,
        state.csat?.score ?? null,
      ],
    );
    for (const message of messages) {
      await client.query(
        `INSERT INTO messages (id, conversation_id, seq, role, text, client_message_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [message.id, state.conversationId, message.seq, message.role, message.text, message.clientMessageId, message.createdAt],
      );
    }
    if (written.rowCount === 1) await mirrorInboxItem(client, state);
    // delivered at commit: open event streams of this conversation read what is new
    if (messages.length || written.rowCount === 1) await client.query(`SELECT pg_notify('${MESSAGES_CHANNEL}', $1)`, [state.conversationId]);
  });
}

/** The Postgres NOTIFY channel that carries the id of a conversation with new messages or a new state. */
export const MESSAGES_CHANNEL = 'atende_conversation_changed';

export type InboxStatus = 'waiting' | 'claimed' | 'handed_back' | 'resolved';

/** The inbox row of the conversation's latest escalation, when it waits in the built-in inbox. */
async function mirrorInboxItem(client: pg.PoolClient, state: ConversationState): Promise<void> {
  const escalation = state.escalation;
  if (!escalation || escalation.via !== 'inbox') return;
  const status: InboxStatus = escalation.outcome ?? (state.agent ? 'claimed' : 'waiting');
  await client.query(
    `INSERT INTO inbox_items (id, tenant_id, conversation_id, reason, detail, urgency, summary, failure, status, claimed_by,
                              claimed_at, ended_at, revision, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (id) DO UPDATE SET
       detail = EXCLUDED.detail, urgency = EXCLUDED.urgency, summary = EXCLUDED.summary, failure = EXCLUDED.failure,
       status = EXCLUDED.status, claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at,
       ended_at = EXCLUDED.ended_at, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
     WHERE inbox_items.revision < EXCLUDED.revision`,
    [
      escalation.inboxItemId,
      state.tenantId,
      state.conversationId,
      escalation.reason,
      escalation.detail ?? null,
      state.analysis?.urgency ?? 'medium',
      state.analysis?.summary ?? escalation.detail ?? `Escalado: ${escalation.reason}`,
      escalation.failure ?? null,
      status,
      state.agent?.agentId ?? null,
      state.agent?.since ?? null,
      escalation.endedAt ?? null,
      state.revision,
      escalation.at,
      state.updatedAt,
    ],
  );
}

export interface InboxEntry {
  id: string;
  conversationId: string;
  status: InboxStatus;
  reason: string;
  detail: string | null;
  urgency: string;
  summary: string;
  /** Why Mindchat could not take it, when it fell back here. */
  failure: string | null;
  claimedBy: string | null;
  claimedAt: string | null;
  waitingSince: string;
  customer: ConversationState['customer'];
  channel: string;
  stage: string;
  scriptTitle: string | null;
  protocol: string | null;
}

const URGENCY_RANK = `CASE i.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END`;

/** The tenant's queue: most urgent first, then the longest waiting. */
export async function listInbox(pool: pg.Pool, tenantId: string, statuses: readonly InboxStatus[], limit = 200): Promise<InboxEntry[]> {
  const result = await pool.query<{
    id: string;
    conversation_id: string;
    status: InboxStatus;
    reason: string;
    detail: string | null;
    urgency: string;
    summary: string;
    failure: string | null;
    claimed_by: string | null;
    claimed_at: Date | null;
    created_at: Date;
    state: ConversationState;
    channel: string;
    stage: string;
    protocol: string | null;
  }>(
    `SELECT i.id, i.conversation_id, i.status, i.reason, i.detail, i.urgency, i.summary, i.failure, i.claimed_by, i.claimed_at,
            i.created_at, c.state, c.channel, c.stage, c.protocol
     FROM inbox_items i JOIN conversations c ON c.id = i.conversation_id
     WHERE i.tenant_id = $1 AND i.status = ANY($2)
     ORDER BY ${URGENCY_RANK}, i.created_at
     LIMIT $3`,
    [tenantId, statuses, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    urgency: row.urgency,
    summary: row.summary,
    failure: row.failure,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at?.toISOString() ?? null,
    waitingSince: row.created_at.toISOString(),
    customer: row.state.customer,
    channel: row.channel,
    stage: row.stage,
    scriptTitle: row.state.script?.title ?? null,
    protocol: row.protocol,
  }));
}

export async function findConversation(pool: pg.Pool, id: string): Promise<ConversationRow | undefined> {
  const result = await pool.query<{ id: string; tenant_id: string; status: string; stage: string; state: ConversationState }>(
    'SELECT id, tenant_id, status, stage, state FROM conversations WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row && { id: row.id, tenantId: row.tenant_id, status: row.status, stage: row.stage, state: row.state };
}

export async function listMessages(pool: pg.Pool, conversationId: string, afterSeq = 0, limit = 500): Promise<StoredMessage[]> {
  const result = await pool.query<{
    id: string;
    seq: number;
    role: StoredMessage['role'];
    text: string;
    client_message_id: string | null;
    created_at: Date;
  }>(
    `SELECT id, seq, role, text, client_message_id, created_at FROM messages
     WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [conversationId, afterSeq, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    seq: row.seq,
    role: row.role,
    text: row.text,
    clientMessageId: row.client_message_id,
    createdAt: row.created_at.toISOString(),
  }));
}

export interface InboxItemInput {
  id: string;
  tenantId: string;
  conversationId: string;
  reason: string;
  urgency: string;
  summary: string;
}

/** Idempotent: the id comes from the conversation and its escalation number. */
export async function enqueueInboxItem(pool: pg.Pool, item: InboxItemInput): Promise<void> {
  await pool.query(
    `INSERT INTO inbox_items (id, tenant_id, conversation_id, reason, urgency, summary)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [item.id, item.tenantId, item.conversationId, item.reason, item.urgency, item.summary],
  );
}

/**
 * Imports a catalog (the `script-catalog/v1` format): the tenant's business settings and
 * every script, in one transaction, so a failing import leaves nothing half-written.
 */
export async function importCatalog(pool: pg.Pool, tenantId: string, catalog: Catalog): Promise<SavedScript[]> {
  return inTransaction(pool, async (client) => {
    const existing = await client.query<{ name: string; settings: object }>('SELECT name, settings FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const business = catalog.business;
    const name = business?.name ?? existing.rows[0]?.name ?? tenantId;
    const settings = { ...(existing.rows[0]?.settings ?? {}), ...(business ? { business } : {}) };
    await client.query(
      `INSERT INTO tenants (id, name, settings) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, settings = EXCLUDED.settings`,
      [tenantId, name, settings],
    );
    const saved: SavedScript[] = [];
    for (const script of catalog.scripts) saved.push(await saveScriptWith(client, tenantId, script));
    return saved;
  });
}

/** A tenant's catalog in the import format, so export → import round-trips. */
export async function exportCatalog(pool: pg.Pool, tenantId: string): Promise<Catalog> {
  const tenant = await pool.query<{ name: string; settings: { business?: Catalog['business'] } }>('SELECT name, settings FROM tenants WHERE id = $1', [tenantId]);
  const scripts = await listScripts(pool, tenantId);
  return {
    format: 'script-catalog/v1',
    business: tenant.rows[0]?.settings.business ?? { name: tenant.rows[0]?.name ?? tenantId },
    scripts: scripts.map(({ version: _version, deleted: _deleted, createdAt: _createdAt, ...definition }) => definition),
  };
}

/**
 * Stores an analysis made after the conversation ended (no workflow writes it any more); the
 * revision still moves so a reader can tell the row changed.
 */
export async function storeAnalysis(pool: pg.Pool, conversationId: string, analysis: Analysis): Promise<void> {
  await pool.query(
    `UPDATE conversations SET analysis = $2, state = jsonb_set(state, '{analysis}', $2), revision = revision + 1 WHERE id = $1`,
    [conversationId, analysis],
  );
}
