import type { Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isStorable } from '../domain/text';
import { problem, requestId } from './problem';

/** Where files are uploaded (a larger body limit). */
const UPLOAD_PATHS = new Set(['/api/v2/knowledge/upload']);

/**
 * What every request meets before its route: a bounded body, and a path and query with
 * nothing a store cannot keep. Each answers in the native error envelope.
 */
export function edgeChecks(limitBytes: number, uploadLimitBytes = limitBytes): MiddlewareHandler[] {
  const limit = (maxSize: number) => bodyLimit({ maxSize, onError: (c) => problem(c, 413, 'payload_too_large', `the request body is larger than ${maxSize} bytes`) });
  const standard = limit(limitBytes);
  // a document for the knowledge base may be larger than any JSON request
  const upload = limit(uploadLimitBytes);
  return [
    requestId,
    (c, next) => (UPLOAD_PATHS.has(c.req.path) ? upload : standard)(c, next),
    async (c, next) => {
      const url = new URL(c.req.url);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        return problem(c, 400, 'invalid_path', 'the path is not valid percent-encoded UTF-8');
      }
      if (!isStorable(path)) return problem(c, 400, 'invalid_path', 'the path must not contain NUL characters or unpaired surrogates');
      for (const [name, value] of url.searchParams) {
        if (!isStorable(name) || !isStorable(value)) return problem(c, 400, 'invalid_query', `query parameter "${name}" must not contain NUL characters`, { issues: [{ path: name, message: 'must not contain NUL characters or unpaired surrogates' }] });
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
