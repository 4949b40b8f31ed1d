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
import { BodyError, readBody } from './body';
import { RateLimited } from './limits';

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

export function toErrorResponse(error: unknown, c: Context, production: boolean): Response {
  if (error instanceof ApiError) {
    return c.json({ error: error.code, message: error.message, ...error.details }, error.status);
  }
  if (error instanceof AuthError) {
    return c.json({ error: error.status === 401 ? 'unauthorized' : 'forbidden', message: error.message }, error.status);
  }
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof RateLimited) return c.json({ error: 'rate_limited', message: error.message }, 429);
  if (error instanceof WorkflowNotFoundError) return c.json({ error: 'not_found', message: 'conversation not found' }, 404);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return c.json({ error: 'conversation_closed', message: 'the conversation is closed' }, 409);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const type = failureTypeOf(error);
    const conflict = type ? CONFLICTS[type] : undefined;
    const message = error.cause?.message ?? error.message;
    if (conflict) return c.json({ error: conflict, message }, 409);
    return c.json({ error: 'message_rejected', message }, 422);
  }
  if (error instanceof BodyError) return toErrorResponse(nativeBodyError(error), c, production);
  if (isTemporalUnavailable(error)) {
    c.header('Retry-After', '5');
    return c.json({ error: 'temporal_unavailable', message: 'the conversation service did not answer in time; try again shortly' }, 503);
  }
  console.error(error);
  return c.json({ error: 'internal', message: production ? 'internal error' : String((error as Error)?.message ?? error) }, 500);
}
