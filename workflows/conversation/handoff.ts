import { condition, log, patched, uuid4 } from '@temporalio/workflow';
import type { Step } from '../../domain/scripts';
import { priorityOf, type EscalationDecision } from '../../domain/escalation';
import { describeOpening, isOpen, nextOpening } from '../../domain/hours';
import { replies } from '../../domain/replies';
import { helpdesk, patches, ticketWatch } from './activities';
import { collectedAnswers, hours, type Conversation } from './context';
import { legacyEscalate } from './legacy';
import { beside, moveTo, note, quietTurn, record, refreshSearchAttributes, say } from './turn';

/** Agent message ids already shown to the customer, per ticket, kept for deduplication. */
const MAX_SEEN_TICKET_MESSAGES = 500;

/**
 * Hands the conversation to a person. The customer's turn ends at once; the handoff itself
 * (a Mindchat ticket, or the wait for an inbox agent) runs beside the conversation.
 */
export async function escalate(c: Conversation, found: EscalationDecision): Promise<void> {
  const { state } = c;
  state.pending = null;
  state.options = null;
  state.choosingCorrection = false;
  if (!patched(patches.handoff)) return legacyEscalate(c, found);
  state.escalationCount += 1;
  const number = state.escalationCount;
  state.protocol = newProtocol();
  state.escalation = {
    reason: found.code,
    detail: found.detail,
    number,
    inboxItemId: `${state.conversationId}:${number}`,
    at: new Date().toISOString(),
    via: state.helpdesk === 'mindchat' ? 'pending' : 'inbox',
    ticketId: null,
    failure: null,
    noticeSentAt: null,
    outcome: null,
    endedAt: null,
  };
  record(c, { action: 'ESCALATED', tag: found.code });
  moveTo(c, 'escalated', 'escalated');
  beside(c, () => handOff(c, number));
}

export function newProtocol(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  return `ATD-${day}-${uuid4().slice(0, 6).toUpperCase()}`;
}

/** The escalation numbered `number` is still the open one. */
export function stillOpen(c: Conversation, number: number): boolean {
  const escalation = c.state.escalation;
  return !c.closeRequested && escalation?.number === number && !escalation.outcome;
}

/** Mindchat first when the worker has it (falling back to the inbox), else the inbox. */
async function handOff(c: Conversation, number: number): Promise<void> {
  const { state } = c;
  // the turn that escalated is written first: the ticket's transcript and the inbox row need it
  await condition(() => !c.turn.inProgress);
  if (!stillOpen(c, number)) return;
  if (state.escalation!.via === 'pending') {
    const ticket = await openTicket(c, number).catch(async (error: unknown) => {
      const failure = failureText(error);
      log.warn('Mindchat could not take the escalation; it waits in the built-in inbox', { conversationId: state.conversationId, failure });
      await quietTurn(c, async () => {
        if (!stillOpen(c, number)) return;
        state.escalation = { ...state.escalation!, via: 'inbox', failure };
        refreshSearchAttributes(c);
      });
      return null;
    });
    if (ticket) {
      await quietTurn(c, async () => {
        if (!stillOpen(c, number)) return;
        state.escalation = { ...state.escalation!, via: 'mindchat', ticketId: ticket.ticketId, ...(c.aftercare ? { pollIntervalMs: ticket.pollIntervalMs } : {}) };
        refreshSearchAttributes(c);
        say(c, replies.ticketOpened(ticket.ticketId, state.protocol));
      });
      await watchTicket(c, number, ticket.ticketId, ticket.pollIntervalMs);
      return;
    }
  }
  await awaitAgent(c, number);
}

export function failureText(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return String(current?.message ?? error).slice(0, 500);
}

async function openTicket(c: Conversation, number: number): Promise<{ ticketId: string; pollIntervalMs: number }> {
  const { state, input } = c;
  const reference = `atende:${state.conversationId}:${number}`;
  const { customerId } = await helpdesk.findOrCreateMindchatCustomer({ conversationId: state.conversationId, ...contact(c) });
  const escalation = state.escalation!;
  const business = input.settings.businessName;
  const ticket = await helpdesk.openMindchatTicket({
    reference,
    conversationId: state.conversationId,
    customerId,
    subject: state.script ? `${state.script.title} — ${business}` : `Atendimento — ${business}`,
    priority: priorityOf(state.analysis?.urgency),
    detail: escalation.detail ?? escalation.reason,
    summary: state.analysis?.summary ?? null,
    collected: collectedAnswers(c),
    protocol: state.protocol,
  });
  await helpdesk.postMindchatTranscript({ reference, ticketId: ticket.ticketId, conversationId: state.conversationId, timeZone: input.settings.timeZone });
  return ticket;
}

/** The customer's contact: what the conversation started with, else what a script collected. */
function contact({ state }: Conversation): { name?: string; email?: string; phone?: string } {
  const answered = (type: Step['type']) => {
    const step = state.script?.steps.find((candidate) => candidate.type === type && state.answers[candidate.id]);
    return step ? state.answers[step.id] : undefined;
  };
  const email = state.customer.email ?? answered('email');
  const phone = state.customer.phone ?? answered('phone');
  return { ...(state.customer.name ? { name: state.customer.name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}

/**
 * In the inbox: outside working hours the customer hears at once when a person will answer;
 * otherwise, if nobody claims the conversation in time, what happens next.
 */
async function awaitAgent(c: Conversation, number: number): Promise<void> {
  const open = hours(c);
  const now = new Date();
  if (open && !isOpen(open, now)) {
    await notify(c, number, replies.outsideHours(open, c.state.protocol, describeOpening(open, nextOpening(open, now), now)));
    return;
  }
  const claimed = await condition(() => !stillOpen(c, number) || c.state.agent !== null, c.policy.claimNoticeMinutes * 60_000, { summary: 'waiting for an agent to claim' });
  if (!claimed) await notify(c, number, replies.queueBusy(c.state.protocol));
}

async function notify(c: Conversation, number: number, text: string): Promise<void> {
  await quietTurn(c, async () => {
    if (!stillOpen(c, number) || c.state.agent) return;
    say(c, text);
    c.state.escalation = { ...c.state.escalation!, noticeSentAt: new Date().toISOString() };
  });
}

/** Ends the open escalation: the agent or the helpdesk resolved it, or handed it back to the bot. */
export function finishHandoff(c: Conversation, outcome: 'resolved' | 'handed_back', closing: string): void {
  const { state } = c;
  state.escalation = { ...state.escalation!, outcome, endedAt: new Date().toISOString() };
  state.agent = null;
  if (outcome === 'resolved') {
    say(c, replies.handoffResolved(closing, state.protocol));
    state.pending = null;
    moveTo(c, 'resolved', 'resolved');
  }
}

/** A continued run picks the open escalation's background work back up. */
export function resumeHandoff(c: Conversation): void {
  const { state } = c;
  const escalation = state.escalation;
  const number = escalation?.number;
  if (!escalation || number === undefined || escalation.outcome || state.stage === 'closed') return;
  if (escalation.via === 'mindchat' && escalation.ticketId) {
    beside(c, () => watchTicket(c, number, escalation.ticketId!, escalation.pollIntervalMs ?? 120_000));
  } else if (escalation.via === 'pending') {
    beside(c, () => handOff(c, number));
  } else if (!escalation.noticeSentAt && !state.agent) {
    beside(c, () => awaitAgent(c, number));
  }
}

/**
 * While the ticket is open: the customer's new messages go onto it, its agents' messages come
 * back to the customer, and its resolution resolves the conversation.
 */
async function watchTicket(c: Conversation, number: number, ticketId: string, pollIntervalMs: number): Promise<void> {
  const { state, memory } = c;
  const reference = `atende:${state.conversationId}:${number}`;
  // kept in the run's memory so a conversation that continues as new carries them
  memory.ticket ??= { seen: [], relayedUpTo: state.messageCount };
  const progress = memory.ticket;
  const seen = progress.seen;
  let nextPoll = Date.now() + pollIntervalMs;
  while (stillOpen(c, number)) {
    const customerWrote = () => memory.lastCustomerSeq > progress.relayedUpTo && !c.turn.inProgress;
    await condition(() => !stillOpen(c, number) || customerWrote(), Math.max(1, nextPoll - Date.now()), { summary: 'next Mindchat poll' });
    if (!stillOpen(c, number)) return;
    try {
      if (memory.lastCustomerSeq > progress.relayedUpTo) {
        ({ relayedUpTo: progress.relayedUpTo } = await ticketWatch.relayToMindchat({ reference, ticketId, conversationId: state.conversationId, afterSeq: progress.relayedUpTo }));
      }
      if (Date.now() < nextPoll) continue;
      nextPoll = Date.now() + pollIntervalMs;
      const polled = await ticketWatch.pollMindchatTicket({ ticketId, seen });
      if (!stillOpen(c, number)) return;
      const fresh = polled.agentMessages.filter((message) => !seen.includes(message.id));
      if (fresh.length || polled.finished) {
        await quietTurn(c, async () => {
          if (!stillOpen(c, number)) return;
          for (const message of fresh) {
            note(c, 'agent', message.text);
            seen.push(message.id);
          }
          if (seen.length > MAX_SEEN_TICKET_MESSAGES) seen.splice(0, seen.length - MAX_SEEN_TICKET_MESSAGES);
          if (polled.finished) finishHandoff(c, 'resolved', replies.ticketFinished(ticketId));
        });
      }
    } catch (error) {
      log.warn('Mindchat ticket watch failed; trying again at the next interval', { conversationId: state.conversationId, ticketId, failure: failureText(error) });
      await condition(() => !stillOpen(c, number), pollIntervalMs, { summary: 'next Mindchat poll' });
      nextPoll = Date.now();
    }
  }
}
