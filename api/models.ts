import { Hono } from 'hono';
import type pg from 'pg';
import { createModel, deleteModel, findModel, listModels, updateModel, type ModelInput } from '../db/models';
import { modelChangeSchema, modelSchema } from '../domain/schemas';
import { hint, type SecretBox } from '../lib/secrets';
import { publicUrlProblem } from '../lib/public-url';
import { ApiError, lookupOr404, parseBody } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';

export interface ModelRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  /** Seals API keys before they are stored. */
  secrets: SecretBox;
  /** Model servers on private addresses (a local Ollama) are allowed (WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}


/**
 * /api/v2/models: the tenant's model endpoints. Providers are reached through their
 * OpenAI-compatible endpoints, so one client speaks to all of them; the tenant's default chat
 * model answers its conversations instead of the server's (OPENAI_*), and its default embedding
 * model embeds its knowledge. The API key is write-only: sealed with AES-256-GCM before it is
 * stored, shown back only as `{ set, hint }`.
 */
export function modelRoutes(deps: ModelRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  async function checkUrl(url: string | null | undefined): Promise<void> {
    if (!url) return;
    const problem = await publicUrlProblem(url, deps.allowPrivate);
    if (problem) throw new ApiError(422, 'validation_failed', `baseUrl: ${problem}`, { issues: [{ path: 'baseUrl', message: problem }] });
  }

  const sealed = (apiKey: string | null | undefined) =>
    apiKey === undefined ? {} : apiKey === null ? { sealedKey: null, keyHint: null } : { sealedKey: deps.secrets.seal(apiKey), keyHint: hint(apiKey) };

  const owned = lookupOr404('model', (tenantId, id) => findModel(deps.db, tenantId, id));

  return new Hono<AuthEnv>()
    .get('/', auth(STAFF), async (c) => c.json({ models: await listModels(deps.db, c.var.claims.tenant) }, 200))
    .post('/', auth(ADMINS), async (c) => {
      const body = await parseBody(c, modelSchema);
      await checkUrl(body.baseUrl);
      const input: ModelInput = {
        name: body.name,
        provider: body.provider,
        baseUrl: body.baseUrl ?? null,
        model: body.model,
        purpose: body.purpose,
        isDefault: body.isDefault,
        sealedKey: null,
        keyHint: null,
        ...sealed(body.apiKey),
      };
      return c.json({ model: await createModel(deps.db, c.var.claims.tenant, input) }, 201);
    })
    .get('/:id', auth(STAFF), async (c) => c.json({ model: await owned(c.var.claims.tenant, c.req.param('id')) }, 200))
    .patch('/:id', auth(ADMINS), async (c) => {
      const current = await owned(c.var.claims.tenant, c.req.param('id'));
      const body = await parseBody(c, modelChangeSchema);
      await checkUrl(body.baseUrl);
      const provider = body.provider ?? current.provider;
      const baseUrl = body.baseUrl === undefined ? current.baseUrl : body.baseUrl;
      if (provider === 'openai_compatible' && !baseUrl) throw new ApiError(422, 'validation_failed', 'baseUrl: required for an openai_compatible provider', { issues: [{ path: 'baseUrl', message: 'required for an openai_compatible provider' }] });
      const { apiKey, ...rest } = body;
      const model = await updateModel(deps.db, current.tenantId, current.id, { ...rest, ...sealed(apiKey) });
      return c.json({ model }, 200);
    })
    .delete('/:id', auth(ADMINS), async (c) => {
      const model = await owned(c.var.claims.tenant, c.req.param('id'));
      await deleteModel(deps.db, model.tenantId, model.id);
      return c.json({ deleted: true }, 200);
    });
}
