import type { Context } from 'hono';
import type { z } from 'zod';
import { unstorablePath } from '../domain/text';

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
    readonly kind: 'not_json' | 'invalid' | 'not_json_type',
    readonly issues: FieldIssue[],
  ) {
    super(
      kind === 'not_json'
        ? 'the request body is not valid JSON'
        : kind === 'not_json_type'
          ? 'the request body must be sent with Content-Type: application/json'
          : `invalid ${issues.map((issue) => issue.path).join(', ')}`,
    );
  }
}

/** What an unstorable string is told: NUL and half a surrogate pair have no place in a message. */
export const UNSTORABLE_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/**
 * The request's JSON body (`{}` when empty), validated by `schema`; a BodyError otherwise: a
 * body that is not JSON, not sent as JSON, or carrying text no store can keep (NUL, an unpaired
 * surrogate), named by its field.
 */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  const text = await c.req.text();
  if (text.trim() !== '' && !/^application\/([\w.+-]*\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new BodyError('not_json_type', [{ path: '(body)', message: 'Content-Type must be application/json' }]);
  }
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new BodyError('not_json', [{ path: '(body)', message: 'not valid JSON' }]);
  }
  const unstorable = unstorablePath(raw);
  if (unstorable) throw new BodyError('invalid', [{ path: unstorable, message: UNSTORABLE_MESSAGE }]);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BodyError('invalid', issuesOf(parsed.error));
  return parsed.data;
}
