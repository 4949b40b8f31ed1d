import type { Context } from 'hono';
import type { z } from 'zod';

/** One bad field: its dotted path ("(body)" for the body itself) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * A request body that could not be read: not JSON, or not what the schema asks. Each router
 * words it in its own contract's envelope (native problem, the AI contract's `{ success:
 * false }`, the seed's `{ status: "Error" }`); the parsing is the same everywhere.
 */
export class BodyError extends Error {
  constructor(
    readonly kind: 'not_json' | 'invalid',
    readonly issues: FieldIssue[],
  ) {
    super(kind === 'not_json' ? 'the request body is not valid JSON' : `invalid ${issues.map((issue) => issue.path).join(', ')}`);
  }
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/** The request's JSON body (`{}` when empty), validated by `schema`; a BodyError otherwise. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new BodyError('not_json', [{ path: '(body)', message: 'not valid JSON' }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BodyError('invalid', issuesOf(parsed.error));
  return parsed.data;
}
