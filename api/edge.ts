import type { Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isStorable } from '../domain/text';

/**
 * What every request meets before its route: a bounded body, and a path and query with
 * nothing a store cannot keep. Each answers in the native error envelope.
 */
export function edgeChecks(limitBytes: number): MiddlewareHandler[] {
  return [
    bodyLimit({
      maxSize: limitBytes,
      onError: (c) => c.json({ error: 'payload_too_large', message: `the request body is larger than ${limitBytes} bytes` }, 413),
    }),
    async (c, next) => {
      const url = new URL(c.req.url);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        return c.json({ error: 'invalid_path', message: 'the path is not valid percent-encoded UTF-8' }, 400);
      }
      if (!isStorable(path)) return c.json({ error: 'invalid_path', message: 'the path must not contain NUL characters or unpaired surrogates' }, 400);
      for (const [name, value] of url.searchParams) {
        if (!isStorable(name) || !isStorable(value)) return c.json({ error: 'invalid_query', message: `query parameter "${name}" must not contain NUL characters` }, 400);
      }
      await next();
    },
  ];
}

/**
 * A path that exists with other methods gets 405 and `Allow`, not 404. The allowed methods
 * are read from the app's own route table, so they cannot drift from the routes.
 */
export function allowedMethods(app: Hono<any, any, any>, path: string): string[] {
  const allowed = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || !patternOf(route.path).test(path)) continue;
    allowed.add(route.method);
  }
  if (allowed.has('GET')) allowed.add('HEAD');
  return [...allowed].sort();
}

const patterns = new Map<string, RegExp>();

function patternOf(routePath: string): RegExp {
  let pattern = patterns.get(routePath);
  if (!pattern) {
    const source = routePath
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    pattern = new RegExp(`^${source}/?$`);
    patterns.set(routePath, pattern);
  }
  return pattern;
}
