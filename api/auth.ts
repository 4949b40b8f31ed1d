import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

export const roles = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof roles)[number];

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  tenant: z.string().min(1),
  /** For customers: the one conversation the token reaches. */
  conversation: z.string().uuid().optional(),
  /** Set on a stream ticket: it opens one conversation's event stream and nothing else. */
  scope: z.literal('events').optional(),
  exp: z.number().optional(),
});
export type Claims = z.infer<typeof claimsSchema>;

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface MintOptions {
  role: Role;
  tenant: string;
  subject?: string;
  conversation?: string;
  ttlSeconds?: number;
  scope?: 'events';
}

export async function mintToken(secret: string, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    {
      sub: options.subject ?? options.conversation ?? options.role,
      role: options.role,
      tenant: options.tenant,
      ...(options.conversation ? { conversation: options.conversation } : {}),
      ...(options.scope ? { scope: options.scope } : {}),
      iat: now,
      ...(options.ttlSeconds ? { exp: now + options.ttlSeconds } : {}),
    },
    secret,
    'HS256',
  );
}

/** Verifies a Bearer header: signature, expiry and the claims' shape. A stream ticket is not a bearer token. */
export async function verifyBearer(secret: string, header: string | undefined): Promise<Claims> {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw new AuthError(401, 'missing bearer token (Authorization: Bearer <token>)');
  const claims = await verifyJwt(secret, match[1]!);
  if (claims.scope) throw new AuthError(401, 'a stream ticket opens an event stream only; send a bearer token');
  return claims;
}

/** How long a stream ticket opens its stream: enough to connect, too short to matter in a proxy log. */
export const STREAM_TICKET_TTL_SECONDS = 60;

/** Verifies a stream ticket (`?ticket=`) for one conversation's event stream. */
export async function verifyTicket(secret: string, ticket: string, conversationId: string): Promise<Claims> {
  const claims = await verifyJwt(secret, ticket);
  if (claims.scope !== 'events') throw new AuthError(401, 'not a stream ticket: get one from POST /api/v1/conversations/{id}/events/ticket');
  if (claims.conversation !== conversationId) throw new AuthError(403, 'this ticket opens another conversation\'s stream');
  return claims;
}

async function verifyJwt(secret: string, token: string): Promise<Claims> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, 'HS256');
  } catch {
    throw new AuthError(401, 'invalid or expired token');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AuthError(401, 'token claims are not valid');
  if (claims.data.role === 'customer' && !claims.data.conversation) throw new AuthError(401, 'customer token without a conversation');
  return claims.data;
}

/** Customers reach only their own conversation; agents and admins reach their tenant's. */
export function assertCanReach(claims: Claims, conversation: { id: string; tenantId: string }): void {
  if (claims.tenant !== conversation.tenantId) throw new AuthError(403, 'this conversation belongs to another tenant');
  if (claims.role === 'customer' && claims.conversation !== conversation.id) {
    throw new AuthError(403, 'a customer token reaches only its own conversation');
  }
}
