import { createMiddleware } from 'hono/factory';
import { verifyBearer, verifyTicket, AuthError, type Claims, type Role } from './auth';

/** What the auth middleware leaves on the context for the handlers after it. */
export interface AuthVariables {
  claims: Claims;
}

export type AuthEnv = { Variables: AuthVariables };

/**
 * Verifies the bearer token before the handler runs, and (when `roles` are given) that its
 * role is one of them; the handler reads `c.var.claims`. Routers mount it per route:
 * `.get('/', auth(['agent', 'admin']), handler)`.
 */
export function authenticate(secret: string) {
  return (roles?: readonly Role[], options: { ticketInQuery?: boolean } = {}) =>
    createMiddleware<AuthEnv>(async (c, next) => {
      // EventSource cannot send headers: a stream may be opened with a short-lived ?ticket=
      const ticket = options.ticketInQuery && !c.req.header('authorization') ? c.req.query('ticket') : undefined;
      const claims = ticket ? await verifyTicket(secret, ticket, c.req.param('id') ?? '') : await verifyBearer(secret, c.req.header('authorization'));
      if (roles && !roles.includes(claims.role)) throw new AuthError(403, `this needs the role ${roles.join(' or ')}`);
      c.set('claims', claims);
      await next();
    });
}

export const STAFF: readonly Role[] = ['agent', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];
