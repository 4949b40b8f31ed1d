import { silentLogger, type Logger } from '../lib/log';
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from './body';

/**
 * The native API's one error shape: RFC 9457 problem details (`application/problem+json`)
 * with `type`, `title`, `status`, `detail`, `errors[{ path, message }]` and the request id.
 * `error` (the stable code), `message` and `issues` are kept as extension members for the
 * clients written against the earlier `{ error, message, issues }` shape.
 */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};


/** Every request gets an id (a sane incoming X-Request-Id is kept), echoed in the X-Request-Id header and in problems. */
export const requestId: MiddlewareHandler = async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const id = incoming && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
  // on the context, not the request: the body limit wraps the request in a new one
  c.set('requestId' as never, id as never);
  c.header('X-Request-Id', id);
  await next();
};

export function requestIdOf(c: Context): string {
  return (c.get('requestId' as never) as string | undefined) ?? 'unknown';
}

export function problem(c: Context, status: ContentfulStatusCode, code: string, detail: string, extra: { issues?: FieldIssue[] } & Record<string, unknown> = {}): Response {
  const { issues, ...rest } = extra;
  const body = {
    type: `urn:atende:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    errors: issues ?? [],
    requestId: requestIdOf(c),
    error: code,
    message: detail,
    ...(issues ? { issues } : {}),
    ...rest,
  };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

/** The request's logger (its id, tenant and conversation on every line), or the app's when none was set. */
export function logOf(c: Context): Logger {
  return (c.get('log' as never) as Logger | undefined) ?? silentLogger;
}
