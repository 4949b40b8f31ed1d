import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { activeScripts, deleteScript, exportCatalog, findScript, importCatalog, listScripts, saveScript, scriptVersions } from '../db/scripts';
import { demandOf } from '../domain/collection';
import { ScriptMatcher } from '../domain/matcher';
import { MAX_MESSAGE_LENGTH } from '../domain/conversation';
import { catalogSchema, scriptInputSchema } from '../domain/schemas';
import { ApiError, parseBody, validValue } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';

export interface ScriptRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/);

/** A sample message read against the catalog as it would be with `draft` saved (the script editor's "try it"). */
export const tryScriptSchema = z.object({ message: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH), draft: scriptInputSchema.optional() }).strict();

/**
 * The admin catalog API. The tenant always comes from the token. Agents may read (they
 * re-script conversations); only admins write. Every write is a new version.
 */
export function scriptRoutes(deps: ScriptRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);
  const reader = auth(STAFF);
  const writer = auth(ADMINS);

  async function existing(tenant: string, rawId: string) {
    const id = idSchema.safeParse(rawId);
    const script = id.success ? await findScript(deps.db, tenant, id.data) : undefined;
    if (!script) throw new ApiError(404, 'not_found', `script "${rawId}" not found`);
    return script;
  }

  return new Hono<AuthEnv>()
    .get('/', reader, async (c) => {
      const { tenant } = c.var.claims;
      return c.json({ scripts: await listScripts(deps.db, tenant) }, 200);
    })
    .get('/export', reader, async (c) => {
      const { tenant } = c.var.claims;
      c.header('Content-Disposition', `attachment; filename="${tenant}-scripts.json"`);
      return c.json(await exportCatalog(deps.db, tenant), 200);
    })
    .post('/import', writer, async (c) => {
      const { tenant } = c.var.claims;
      const catalog = await parseBody(c, catalogSchema);
      const saved = await importCatalog(deps.db, tenant, catalog);
      return c.json(
        {
          imported: saved.length,
          changed: saved.filter((script) => script.changed).length,
          scripts: saved.map(({ id, version, changed }) => ({ id, version, changed })),
        },
        200,
      );
    })
    /**
     * How the offline matcher reads a message, with the draft in place of its saved version (or
     * added): the candidates, their confidence and the verdict, before anything is saved.
     */
    .post('/try', reader, async (c) => {
      const { tenant } = c.var.claims;
      const { message, draft } = await parseBody(c, tryScriptSchema);
      const saved = (await activeScripts(deps.db, tenant)).filter((script) => script.id !== draft?.id);
      const catalog = draft && draft.active !== false ? [...saved, { ...draft, version: 0 }] : saved;
      const match = new ScriptMatcher(catalog).match(demandOf(message), 5);
      return c.json(
        {
          message,
          verdict: match.verdict,
          scriptId: match.scriptId,
          confidence: Math.round(match.confidence * 1000) / 1000,
          candidates: match.candidates.map((candidate) => ({ scriptId: candidate.scriptId, title: candidate.title, confidence: Math.round(candidate.confidence * 1000) / 1000, draft: candidate.scriptId === draft?.id })),
        },
        200,
      );
    })
    .post('/', writer, async (c) => {
      const { tenant } = c.var.claims;
      const input = await parseBody(c, scriptInputSchema);
      if (await findScript(deps.db, tenant, input.id)) {
        throw new ApiError(409, 'script_exists', `script "${input.id}" already exists; PUT /api/v1/scripts/${input.id} makes a new version`);
      }
      const { changed: _changed, ...script } = await saveScript(deps.db, tenant, input);
      return c.json({ script }, 201);
    })
    .get('/:id', reader, async (c) => {
      const { tenant } = c.var.claims;
      return c.json({ script: await existing(tenant, c.req.param('id')) }, 200);
    })
    .get('/:id/versions', reader, async (c) => {
      const { tenant } = c.var.claims;
      const versions = await scriptVersions(deps.db, tenant, c.req.param('id'));
      if (!versions.length) throw new ApiError(404, 'not_found', `script "${c.req.param('id')}" not found`);
      return c.json({ versions }, 200);
    })
    .put('/:id', writer, async (c) => {
      const { tenant } = c.var.claims;
      await existing(tenant, c.req.param('id'));
      // The id comes from the path; a body id that disagrees is a mistake worth naming.
      const body = await parseBody(c, z.looseObject({ id: z.string().optional() }));
      if (body.id !== undefined && body.id !== c.req.param('id')) {
        throw new ApiError(422, 'validation_failed', 'id: differs from the path', { issues: [{ path: 'id', message: 'must match the id in the path' }] });
      }
      const input = validValue(scriptInputSchema, { ...body, id: c.req.param('id') });
      const { changed, ...script } = await saveScript(deps.db, tenant, input);
      return c.json({ script, changed }, 200);
    })
    .delete('/:id', writer, async (c) => {
      const { tenant } = c.var.claims;
      await existing(tenant, c.req.param('id'));
      await deleteScript(deps.db, tenant, c.req.param('id'));
      return c.body(null, 204);
    });
}
