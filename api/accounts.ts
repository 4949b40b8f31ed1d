import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type pg from 'pg';
import { z } from 'zod';
import {
  createLoginLink,
  createUser,
  DuplicateEmail,
  findUser,
  findUserForLogin,
  issueRefreshToken,
  listUsers,
  revokeRefreshToken,
  spendRefreshToken,
  updateUser,
  useLoginLink,
  type User,
} from '../db/users';
import { hashPassword, NO_PASSWORD, verifyPassword } from '../lib/passwords';
import { mintToken } from './auth';
import { ApiError, parseBody } from './errors';
import type { RateLimiter } from './limits';
import { ADMINS, authenticate, type AuthEnv } from './middleware';

export interface AccountRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  defaultTenant: string;
  production: boolean;
  limiter: RateLimiter;
}

/** An access token lives 15 minutes; the refresh token that renews it, 30 days (each use replaces it). */
export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 30 * 86_400;
const REFRESH_COOKIE = 'atende_refresh';

const email = z.string().trim().toLowerCase().email().max(320);
const password = z.string().min(12, 'must be at least 12 characters').max(200);
const name = z.string().trim().min(1).max(120);
const role = z.enum(['admin', 'agent']);

export const loginSchema = z.object({ email, password: z.string().min(1).max(200), tenant: z.string().trim().min(1).max(63).optional() }).strict();
export const linkSchema = z.object({ code: z.string().trim().min(10).max(200) }).strict();
export const refreshSchema = z.object({ refreshToken: z.string().trim().min(10).max(200).optional() }).strict();
export const newUserSchema = z.object({ email, name, role, password }).strict();
export const patchUserSchema = z
  .object({ name, role, disabled: z.boolean(), password })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'send at least one of name, role, disabled, password' });

const publicUser = (user: User) => ({ id: user.id, email: user.email, name: user.name, role: user.role, tenant: user.tenantId, disabled: user.disabled, createdAt: user.createdAt });

/**
 * Agents and admins as people: login with e-mail and password (or a one-time link), a
 * 15-minute access JWT whose `sub` is the user's id, and a rotating refresh token (also as an
 * HttpOnly cookie for the pages). Admins manage their tenant's users.
 */
export function accountRoutes(deps: AccountRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  async function signedIn(c: Context, user: User) {
    const accessToken = await mintToken(deps.jwtSecret, { role: user.role, tenant: user.tenantId, subject: user.id, ttlSeconds: ACCESS_TTL_SECONDS });
    const refreshToken = await issueRefreshToken(deps.db, user, REFRESH_TTL_SECONDS);
    setCookie(c, REFRESH_COOKIE, refreshToken, { httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', secure: deps.production, maxAge: REFRESH_TTL_SECONDS });
    return c.json({ accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TTL_SECONDS, refreshToken, user: publicUser(user) }, 200);
  }

  const refused = () => new ApiError(401, 'invalid_credentials', 'e-mail or password is wrong, or the account is disabled');

  async function userOf(c: Context<AuthEnv>): Promise<User> {
    const user = await findUser(deps.db, c.var.claims.tenant, c.req.param('id') ?? '');
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return user;
  }

  const auths = new Hono<AuthEnv>()
    .post('/login', async (c) => {
      const body = await parseBody(c, loginSchema);
      const tenantId = body.tenant ?? deps.defaultTenant;
      await deps.limiter.check(c, 'login', { tenantId });
      const user = await findUserForLogin(deps.db, tenantId, body.email);
      // the same work whether or not the e-mail exists, so timing does not tell
      const matches = await verifyPassword(body.password, user?.passwordHash ?? NO_PASSWORD);
      if (!user || !matches || user.disabled) throw refused();
      return signedIn(c, user);
    })
    .post('/link', async (c) => {
      const { code } = await parseBody(c, linkSchema);
      await deps.limiter.check(c, 'login', { tenantId: deps.defaultTenant });
      const user = await useLoginLink(deps.db, code);
      if (!user) throw new ApiError(401, 'invalid_link', 'this login link is unknown, used or expired');
      return signedIn(c, user);
    })
    .post('/refresh', async (c) => {
      const body = await parseBody(c, refreshSchema);
      const token = body.refreshToken ?? getCookie(c, REFRESH_COOKIE);
      if (!token) throw new ApiError(401, 'invalid_refresh_token', 'send refreshToken, or the cookie set at login');
      const outcome = await spendRefreshToken(deps.db, token);
      if ('refused' in outcome) {
        deleteCookie(c, REFRESH_COOKIE, { path: '/api/v1/auth' });
        throw new ApiError(401, 'invalid_refresh_token', `the refresh token was refused (${outcome.refused}); log in again`);
      }
      return signedIn(c, outcome.user);
    })
    .post('/logout', async (c) => {
      const body = await parseBody(c, refreshSchema);
      const token = body.refreshToken ?? getCookie(c, REFRESH_COOKIE);
      if (token) await revokeRefreshToken(deps.db, token);
      deleteCookie(c, REFRESH_COOKIE, { path: '/api/v1/auth' });
      return c.body(null, 204);
    })
    .get('/me', auth(), async (c) => {
      const { claims } = c.var;
      const user = claims.role === 'customer' ? undefined : await findUser(deps.db, claims.tenant, claims.sub);
      return c.json({ subject: claims.sub, role: claims.role, tenant: claims.tenant, user: user ? publicUser(user) : null }, 200);
    });

  const users = new Hono<AuthEnv>()
    .get('/', auth(ADMINS), async (c) => c.json({ users: (await listUsers(deps.db, c.var.claims.tenant)).map(publicUser) }, 200))
    .post('/', auth(ADMINS), async (c) => {
      const body = await parseBody(c, newUserSchema);
      try {
        const user = await createUser(deps.db, { tenantId: c.var.claims.tenant, email: body.email, name: body.name, role: body.role, passwordHash: await hashPassword(body.password) });
        return c.json({ user: publicUser(user) }, 201);
      } catch (error) {
        if (error instanceof DuplicateEmail) throw new ApiError(409, 'user_exists', error.message);
        throw error;
      }
    })
    .get('/:id', auth(ADMINS), async (c) => c.json({ user: publicUser(await userOf(c)) }, 200))
    .patch('/:id', auth(ADMINS), async (c) => {
      const patch = await parseBody(c, patchUserSchema);
      await userOf(c);
      const user = await updateUser(deps.db, c.var.claims.tenant, c.req.param('id'), {
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.role ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password ? { passwordHash: await hashPassword(patch.password) } : {}),
      });
      return c.json({ user: publicUser(user!) }, 200);
    })
    /** Ends every session the user has: their refresh tokens stop working (access tokens expire within 15 minutes). */
    .post('/:id/revoke', auth(ADMINS), async (c) => {
      await userOf(c);
      const user = await updateUser(deps.db, c.var.claims.tenant, c.req.param('id'), { revoke: true });
      return c.json({ user: publicUser(user!) }, 200);
    })
    /** A one-time login link for the user, valid 15 minutes (for a first login without a password). */
    .post('/:id/login-link', auth(ADMINS), async (c) => {
      const user = await userOf(c);
      const code = await createLoginLink(deps.db, user.id, ACCESS_TTL_SECONDS);
      return c.json({ code, path: `/inbox#login=${code}`, expiresInSeconds: ACCESS_TTL_SECONDS }, 201);
    });

  return { auths, users };
}
