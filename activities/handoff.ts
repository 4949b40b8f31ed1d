import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import { listMessages, type StoredMessage } from '../db/conversations';
import type { CollectedAnswer } from '../domain/analysis';
import { failureTypes } from '../domain/conversation';
import { FINISHED_TICKET_STATUSES, MindchatError, type MindchatClient, type TicketPriority } from '../adapters/mindchat';

/**
 * The escalation's side in Mindchat. Every create carries an external reference derived from
 * the conversation and its escalation number, and is looked up before it is made, so a
 * retried activity (or a create that timed out after Mindchat stored it) never makes two.
 */
export interface HandoffDeps {
  db: pg.Pool;
  mindchat?: MindchatClient;
  /** How often the workflow asks Mindchat about an open ticket. */
  mindchatPollMs?: number;
  /** Where agents open a conversation in Atende; the ticket links back to it. */
  publicUrl?: string;
}

export interface MindchatCustomerInput {
  conversationId: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface MindchatCustomerResult {
  customerId: string;
  created: boolean;
}

export interface OpenTicketInput {
  /** `atende:<conversation>:<escalation number>`: the ticket's idempotency key. */
  reference: string;
  conversationId: string;
  customerId: string;
  subject: string;
  priority: TicketPriority;
  /** Why it escalated, in words. */
  detail: string;
  summary: string | null;
  collected: CollectedAnswer[];
  protocol: string | null;
}

export interface OpenTicketResult {
  ticketId: string;
  created: boolean;
  pollIntervalMs: number;
}

export interface TranscriptInput {
  reference: string;
  ticketId: string;
  conversationId: string;
  timeZone: string;
}

export interface RelayInput {
  reference: string;
  ticketId: string;
  conversationId: string;
  /** Customer messages after this sequence number are sent. */
  afterSeq: number;
}

export interface RelayResult {
  /** The last sequence number now on the ticket. */
  relayedUpTo: number;
  sent: number;
}

export interface PollTicketInput {
  ticketId: string;
  /** Mindchat message ids the workflow already showed the customer. */
  seen: string[];
}

export interface PollTicketResult {
  status: string;
  finished: boolean;
  agentMessages: { id: string; text: string; author: string | null }[];
}

export interface CloseTicketInput {
  ticketId: string;
  status: 'resolved';
}

const DEFAULT_POLL_MS = 120_000;
const ROLE_NAMES: Record<StoredMessage['role'], string> = { customer: 'Cliente', bot: 'Bot', agent: 'Atendente', system: 'Sistema' };

/** Mindchat's refusals become non-retryable failures; its outages stay retryable so Temporal backs off. */
async function calling<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MindchatError) {
      if (error.retryable) throw ApplicationFailure.retryable(error.message, 'MindchatUnavailable');
      throw ApplicationFailure.nonRetryable(error.message, failureTypes.mindchatRejected);
    }
    throw error;
  }
}

export function renderTranscript(messages: readonly StoredMessage[], timeZone: string): string {
  const clock = new Intl.DateTimeFormat('pt-BR', { timeZone, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
  return messages.map((message) => `[${clock.format(new Date(message.createdAt))}] ${ROLE_NAMES[message.role]}: ${message.text}`).join('\n');
}

export function createHandoffActivities(deps: HandoffDeps) {
  function client(): MindchatClient {
    if (!deps.mindchat) throw ApplicationFailure.nonRetryable('MINDCHAT_API_BASE_URL and MINDCHAT_API_TOKEN are not set on this worker', failureTypes.mindchatNotConfigured);
    return deps.mindchat;
  }

  function ticketBody(input: OpenTicketInput): string {
    const lines = [`Motivo: ${input.detail}`];
    if (input.summary) lines.push('', `Resumo: ${input.summary}`);
    if (input.collected.length) lines.push('', 'Dados coletados:', ...input.collected.map((answer) => `- ${answer.label}: ${answer.value}`));
    if (input.protocol) lines.push('', `Protocolo Atende: ${input.protocol}`);
    const link = deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, '')}/inbox#${input.conversationId}` : `conversa ${input.conversationId}`;
    lines.push('', `Conversa no Atende: ${link}`);
    return lines.join('\n');
  }

  return {
    /** The customer by e-mail, then phone, then this conversation's reference; created only when none matches. */
    async findOrCreateMindchatCustomer(input: MindchatCustomerInput): Promise<MindchatCustomerResult> {
      const mindchat = client();
      const reference = `atende:customer:${input.conversationId}`;
      const lookup = input.email ? { email: input.email } : input.phone ? { phone: input.phone } : { external_reference: reference };
      const [found] = await calling(() => mindchat.findCustomers(lookup));
      if (found) return { customerId: found.id, created: false };
      const created = await calling(() =>
        mindchat.createCustomer({
          ...(input.name ? { name: input.name } : {}),
          ...(input.email ? { email: input.email } : {}),
          ...(input.phone ? { phone: input.phone } : {}),
          external_reference: reference,
        }),
      );
      return { customerId: created.id, created: true };
    },

    async openMindchatTicket(input: OpenTicketInput): Promise<OpenTicketResult> {
      const mindchat = client();
      const pollIntervalMs = deps.mindchatPollMs ?? DEFAULT_POLL_MS;
      const [existing] = await calling(() => mindchat.findTickets({ external_reference: input.reference }));
      if (existing) return { ticketId: existing.id, created: false, pollIntervalMs };
      const ticket = await calling(() =>
        mindchat.createTicket({
          customer_id: input.customerId,
          subject: input.subject,
          message: ticketBody(input),
          priority: input.priority,
          external_reference: input.reference,
        }),
      );
      return { ticketId: ticket.id, created: true, pollIntervalMs };
    },

    /** The conversation so far as one message on the ticket, posted once. */
    async postMindchatTranscript(input: TranscriptInput): Promise<{ posted: boolean }> {
      const mindchat = client();
      const reference = `${input.reference}:transcript`;
      const onTicket = await calling(() => mindchat.listMessages({ ticket_id: input.ticketId }));
      if (onTicket.some((message) => message.external_reference === reference)) return { posted: false };
      const transcript = renderTranscript(await listMessages(deps.db, input.conversationId, 0, 1_000), input.timeZone);
      await calling(() => mindchat.postMessage({ ticket_id: input.ticketId, message: `Transcrição da conversa:\n${transcript}`, sender: 'system', external_reference: reference }));
      return { posted: true };
    },

    /** What the customer wrote after the handoff, onto the ticket; each message once. */
    async relayToMindchat(input: RelayInput): Promise<RelayResult> {
      const mindchat = client();
      const pending = (await listMessages(deps.db, input.conversationId, input.afterSeq, 200)).filter((message) => message.role === 'customer');
      if (!pending.length) return { relayedUpTo: input.afterSeq, sent: 0 };
      const onTicket = new Set((await calling(() => mindchat.listMessages({ ticket_id: input.ticketId }))).map((message) => message.external_reference));
      let sent = 0;
      for (const message of pending) {
        const reference = `${input.reference}:message:${message.seq}`;
        if (onTicket.has(reference)) continue;
        await calling(() => mindchat.postMessage({ ticket_id: input.ticketId, message: message.text, sender: 'customer', external_reference: reference }));
        sent += 1;
      }
      return { relayedUpTo: pending[pending.length - 1]!.seq, sent };
    },

    /** The ticket's status and what Mindchat's agents wrote that the customer has not seen yet. */
    async pollMindchatTicket(input: PollTicketInput): Promise<PollTicketResult> {
      const mindchat = client();
      const [ticket, messages] = await Promise.all([
        calling(() => mindchat.getTicket(input.ticketId)),
        calling(() => mindchat.listMessages({ ticket_id: input.ticketId })),
      ]);
      const seen = new Set(input.seen);
      const agentMessages = messages
        .filter((message) => !message.external_reference?.startsWith('atende:'))
        .filter((message) => !['customer', 'bot', 'system'].includes(message.sender ?? 'agent'))
        .filter((message) => message.message.trim() && !seen.has(message.id))
        .map((message) => ({ id: message.id, text: message.message.trim(), author: message.author ?? null }));
      return { status: ticket.status, finished: FINISHED_TICKET_STATUSES.includes(ticket.status.toLowerCase()), agentMessages };
    },

    /** Marks the ticket resolved when the conversation was resolved in Atende. */
    async closeMindchatTicket(input: CloseTicketInput): Promise<void> {
      const mindchat = client();
      await calling(() => mindchat.updateTicket(input.ticketId, { status: input.status }));
    },
  };
}
