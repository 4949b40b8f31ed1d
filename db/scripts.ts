import type pg from 'pg';
import type { Catalog, Script, ScriptDefinition, ScriptInput } from '../domain/scripts';
import { scriptInputSchema } from '../domain/schemas';
import { inTransaction } from './pool';

/** Service scripts: every edit a new version; catalogs imported and exported whole. */

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

/** Examples a script keeps at most; the oldest learned ones give way first. */
const MAX_EXAMPLES = 200;

/**
 * Teaches a script one more way customers ask for it: a new version with `demand` among its
 * examples (none when it is already there). Returns the new version, or null when nothing changed.
 */
export async function learnExample(pool: pg.Pool, tenantId: string, script: ScriptVersion, demand: string): Promise<number | null> {
  const text = demand.trim().replace(/\s+/g, ' ').slice(0, 500);
  if (!text || !script.active) return null;
  if (script.examples.some((example) => example.toLowerCase() === text.toLowerCase())) return null;
  const { version: _version, deleted: _deleted, createdAt: _createdAt, ...definition } = script;
  const saved = await saveScript(pool, tenantId, { ...definition, examples: [...script.examples, text].slice(-MAX_EXAMPLES) });
  return saved.changed ? saved.version : null;
}
