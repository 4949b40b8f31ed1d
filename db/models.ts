import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from './pool';
import type { providers } from '../domain/schemas';

/** A tenant's model endpoints (migration 1764900000000_agents.sql). The API key stays sealed here; only the worker opens it. */
export type Provider = (typeof providers)[number];
export type ModelPurpose = 'chat' | 'embedding';

export interface ModelEndpoint {
  id: string;
  tenantId: string;
  name: string;
  provider: Provider;
  baseUrl: string | null;
  model: string;
  purpose: ModelPurpose;
  /** Whether a key is set, and its last characters: never the key. */
  apiKey: { set: boolean; hint: string | null };
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = 'id, tenant_id, name, provider, base_url, model, purpose, api_key IS NOT NULL AS key_set, api_key_hint, is_default, created_at, updated_at';

function endpointOf(row: Record<string, any>): ModelEndpoint {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    provider: row.provider,
    baseUrl: row.base_url,
    model: row.model,
    purpose: row.purpose,
    apiKey: { set: row.key_set, hint: row.api_key_hint },
    isDefault: row.is_default,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface ModelInput {
  name: string;
  provider: Provider;
  baseUrl: string | null;
  model: string;
  purpose: ModelPurpose;
  sealedKey: string | null;
  keyHint: string | null;
  isDefault: boolean;
}

export async function listModels(db: pg.Pool, tenantId: string): Promise<ModelEndpoint[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM model_endpoints WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId]);
  return rows.map(endpointOf);
}

export async function findModel(db: pg.Pool, tenantId: string, id: string): Promise<ModelEndpoint | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM model_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] && endpointOf(rows[0]);
}

/** A default for its purpose replaces the previous default, in one transaction. */
export async function createModel(db: pg.Pool, tenantId: string, input: ModelInput): Promise<ModelEndpoint> {
  return inTransaction(db, async (client) => {
    if (input.isDefault) await client.query('UPDATE model_endpoints SET is_default = false WHERE tenant_id = $1 AND purpose = $2 AND is_default', [tenantId, input.purpose]);
    const { rows } = await client.query(
      `INSERT INTO model_endpoints (id, tenant_id, name, provider, base_url, model, purpose, api_key, api_key_hint, is_default)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [randomUUID(), tenantId, input.name, input.provider, input.baseUrl, input.model, input.purpose, input.sealedKey, input.keyHint, input.isDefault],
    );
    return endpointOf(rows[0]);
  });
}

/** Changes what is given; `sealedKey: null` removes the key, undefined keeps it. */
export async function updateModel(db: pg.Pool, tenantId: string, id: string, change: Partial<ModelInput>): Promise<ModelEndpoint | undefined> {
  return inTransaction(db, async (client) => {
    const { rows: [current] } = await client.query('SELECT purpose FROM model_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
    if (!current) return undefined;
    const purpose = change.purpose ?? current.purpose;
    if (change.isDefault) await client.query('UPDATE model_endpoints SET is_default = false WHERE tenant_id = $1 AND purpose = $2 AND is_default AND id <> $3', [tenantId, purpose, id]);
    const keyChanged = change.sealedKey !== undefined;
    const { rows } = await client.query(
      `UPDATE model_endpoints SET
         name = coalesce($3, name), provider = coalesce($4, provider),
         base_url = CASE WHEN $5::boolean THEN $6 ELSE base_url END,
         model = coalesce($7, model), purpose = $8,
         api_key = CASE WHEN $9::boolean THEN $10 ELSE api_key END,
         api_key_hint = CASE WHEN $9::boolean THEN $11 ELSE api_key_hint END,
         is_default = coalesce($12, is_default), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, change.name ?? null, change.provider ?? null, change.baseUrl !== undefined, change.baseUrl ?? null, change.model ?? null, purpose, keyChanged, change.sealedKey ?? null, change.keyHint ?? null, change.isDefault ?? null],
    );
    return endpointOf(rows[0]);
  });
}

export async function deleteModel(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM model_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return (rowCount ?? 0) > 0;
}

/** The endpoint the worker calls, key still sealed: the tenant's default for a purpose, or a named one. */
export async function modelForCall(db: pg.Pool, tenantId: string, purpose: ModelPurpose, id?: string): Promise<(ModelEndpoint & { sealedKey: string | null }) | undefined> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS}, api_key FROM model_endpoints WHERE tenant_id = $1 AND purpose = $2 AND (CASE WHEN $3::uuid IS NULL THEN is_default ELSE id = $3::uuid END)`,
    [tenantId, purpose, id ?? null],
  );
  return rows[0] && { ...endpointOf(rows[0]), sealedKey: rows[0].api_key };
}
