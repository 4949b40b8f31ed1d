/**
 * The catalogue of conversation events: what other systems hear (the tenant event stream, and
 * the webhooks that build on it). Each is written with the turn that caused it (db/conversations.ts
 * derives them from the turn's messages and the state before and after it), so an event exists
 * exactly when its turn committed.
 */
export const eventTypes = [
  'conversation.started',
  'message.created',
  'conversation.stage_changed',
  'conversation.escalated',
  'conversation.claimed',
  'conversation.handed_back',
  'conversation.resolved',
  'conversation.abandoned',
  'csat.received',
  'ticket.created',
  'analysis.updated',
  /** A script's answers were all collected and confirmed; also sent to the script's own `onComplete.webhook`. */
  'script.completed',
  /** Tenant-wide (no conversation): an endpoint was disabled (410 Gone, or 5 days of failures); the admins get a notice too. */
  'webhook.disabled',
  /** A lead_capture tool stored a lead (listed at /api/v2/leads). */
  'lead.captured',
  /** A webhook tool sent the conversation's data; delivered to the endpoint the tool names only. */
  'tool.webhook',
] as const;
export type EventType = (typeof eventTypes)[number];

/** An event as the stream delivers it (its zod schema, with each type's data: domain/schemas.ts). */
export interface ConversationEvent {
  id: string;
  seq: number;
  type: EventType;
  tenantId: string;
  /** Null for a tenant-wide event (webhook.disabled). */
  conversationId: string | null;
  conversationSeq: number | null;
  data: Record<string, unknown>;
  createdAt: string;
}

/**
 * The seed's dashboard stream names three kinds: a conversation started, a customer message
 * received, and everything else as a system update (ours named in `event`).
 */
export function seedEventType(event: Pick<ConversationEvent, 'type' | 'data'>): 'conversation_started' | 'message_received' | 'system_update' {
  if (event.type === 'conversation.started') return 'conversation_started';
  if (event.type === 'message.created' && (event.data as { role?: string }).role === 'customer') return 'message_received';
  return 'system_update';
}

/**
 * What the tokens channel carries (activities/tokens.ts → the v2 chat stream), after the
 * conversation id: a piece of a model's reply, or what the turn is doing now. NOTIFY caps a
 * payload at 8000 bytes.
 */
export type TokenNotice =
  | {
      /** One model reply: its pieces share it, so a listener can tell which reply they belong to. */
      segment: string;
      text: string;
    }
  | { progress: 'searching_knowledge' | 'calling_tool' };
