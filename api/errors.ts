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

/** A failure the client can act on, with a stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

export const NOT_JSON = Symbol('not JSON');

/** The request's JSON body, `{}` when empty, or NOT_JSON; each router words the error its own way. */
export async function readJson(c: Context): Promise<unknown> {
  try {
    const text = await c.req.text();
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Reads and validates a JSON body: 400 when it is not JSON, 422 naming each bad field. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await readJson(c);
  if (raw === NOT_JSON) throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ApiError(422, 'validation_failed', `invalid ${issues.map((issue) => issue.path).join(', ')}`, { issues });
  }
  return parsed.data;
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
  if (error instanceof WorkflowNotFoundError) return c.json({ error: 'not_found', message: 'conversation not found' }, 404);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return c.json({ error: 'conversation_closed', message: 'the conversation is closed' }, 409);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause?.message ?? error.message;
    const type = error.cause instanceof ApplicationFailure ? error.cause.type : undefined;
    const conflict = type ? CONFLICTS[type] : undefined;
    if (conflict) return c.json({ error: conflict, message: cause }, 409);
    if (/closed/i.test(cause)) return c.json({ error: 'conversation_closed', message: 'the conversation is closed' }, 409);
    return c.json({ error: 'message_rejected', message: cause }, 422);
  }
  if (isTemporalUnavailable(error)) {
    c.header('Retry-After', '5');
    return c.json({ error: 'temporal_unavailable', message: 'the conversation service did not answer in time; try again shortly' }, 503);
  }
  console.error(error);
  return c.json({ error: 'internal', message: production ? 'internal error' : String((error as Error)?.message ?? error) }, 500);
}
