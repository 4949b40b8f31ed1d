import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { status as grpcStatus } from '@grpc/grpc-js';
import { failureTypes } from '../domain/conversation';
import { AuthError } from './auth';
import { BodyError, issuesOf, readBody } from './body';
import { RateLimited } from './limits';
import { logOf, problem, requestIdOf } from './problem';

export { issuesOf } from './body';

/** A failure the client can act on, with a stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 409 | 413 | 415 | 422 | 503,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The row a path's id names, for the caller's tenant: the id checked by `idSchema` (a uuid unless
 * given), then looked up. A malformed id and another tenant's row are the same 404, naming `what`.
 */
/** `value` as `schema` reads it, or a 422 naming each bad field (a merged document, query parameters…). */
export function validValue<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new ApiError(422, 'validation_failed', `invalid ${issues.map((issue) => issue.path).join(', ')}`, { issues });
}

export function lookupOr404<T>(what: string, find: (tenantId: string, id: string) => Promise<T | null | undefined>, idSchema: z.ZodType<string> = z.string().uuid()) {
  return async (tenantId: string, rawId: string): Promise<T> => {
    const id = idSchema.safeParse(rawId);
    const found = id.success ? await find(tenantId, id.data) : undefined;
    if (!found) throw new ApiError(404, 'not_found', `${what} not found`);
    return found;
  };
}

/** Reads and validates a JSON body: 400 when it is not JSON, 422 naming each bad field. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  try {
    return await readBody(c, schema);
  } catch (error) {
    throw error instanceof BodyError ? nativeBodyError(error) : error;
  }
}

/** A body failure in the native envelope: 400 when it is not JSON, 422 naming each bad field. */
function nativeBodyError(error: BodyError): ApiError {
  if (error.kind === 'not_json') return new ApiError(400, 'invalid_json', error.message);
  if (error.kind === 'not_json_type') return new ApiError(415, 'unsupported_media_type', error.message);
  return new ApiError(422, 'validation_failed', error.message, { issues: error.issues });
}

/** The failure type a workflow's update handler or validator rejected with ("Error" for an untyped one). */
export function failureTypeOf(error: unknown): string | undefined {
  const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

export function isTemporalUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if (isGrpcServiceError(current)) {
      const code = current.code;
      if (code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED) return true;
    }
    const name = (current as { name?: string }).name;
    const message = String((current as { message?: string }).message ?? '');
    if (name === 'ServiceError' && /deadline|unavailable|connect|ECONNREFUSED/i.test(message)) return true;
    if (/Deadline exceeded|DEADLINE_EXCEEDED|UNAVAILABLE|Failed to connect/i.test(message)) return true;
  }
  return false;
}

/** Workflow rejections that mean "not in this state": the caller's view is stale, so 409. */
const CONFLICTS: Record<string, string> = {
  [failureTypes.conversationClosed]: 'conversation_closed',
  [failureTypes.alreadyClaimed]: 'already_claimed',
  [failureTypes.notHolding]: 'not_holding_conversation',
  [failureTypes.notWaitingForAgent]: 'not_waiting_for_agent',
};

export function toErrorResponse(error: unknown, c: Context): Response {
  if (error instanceof ApiError) {
    return problem(c, error.status, error.code, error.message, error.details);
  }
  if (error instanceof AuthError) {
    return problem(c, error.status, error.status === 401 ? 'unauthorized' : 'forbidden', error.message);
  }
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof RateLimited) return problem(c, 429, 'rate_limited', error.message);
  if (error instanceof WorkflowNotFoundError) return problem(c, 404, 'not_found', 'conversation not found');
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return problem(c, 409, 'conversation_closed', 'the conversation is closed');
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const type = failureTypeOf(error);
    const conflict = type ? CONFLICTS[type] : undefined;
    const message = error.cause?.message ?? error.message;
    if (conflict) return problem(c, 409, conflict, message);
    return problem(c, 422, 'message_rejected', message);
  }
  if (error instanceof BodyError) return toErrorResponse(nativeBodyError(error), c);
  if (isTemporalUnavailable(error)) {
    c.header('Retry-After', '5');
    return problem(c, 503, 'temporal_unavailable', 'the conversation service did not answer in time; try again shortly');
  }
  // the cause goes to the log under the request id, never to the client (it may quote a database error)
  logOf(c).error({ err: error }, 'request failed');
  return problem(c, 500, 'internal', `internal error; quote request ${requestIdOf(c)} when reporting it`);
}
