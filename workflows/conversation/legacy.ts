import { condition, patched } from '@temporalio/workflow';
import type { EscalationDecision } from '../../domain/escalation';
import { addWorkingTime } from '../../domain/hours';
import { isThanks } from '../../domain/aftercare';
import { plainPersona, type ActionPrompt, type Persona } from '../../domain/persona';
import { patches, storage } from './activities';
import { hours, type Conversation } from './context';
import { flush, moveTo, quietTurn, record, say } from './turn';

/**
 * The paths that conversations started before a patch still take, so they replay the way
 * they ran. Each can go once no run started before its patch is open: then `deprecatePatch`
 * replaces `patched` for one release, and the next release deletes both the call and the path
 * here. `atende workflows replay` tells whether any such run is still open.
 */

/**
 * Before `load-persona`: no onboarding, the plain persona of the business name. Retire when no
 * conversation started before personas is open (they closed within a day of that release).
 */
export function legacyPersona(c: Conversation): Persona {
  return plainPersona(c.input.settings.businessName);
}

/**
 * Before `handoff`: an escalation wrote an inbox row through its own activity and the
 * conversation stopped there. Retire with the `handoff` patch once those runs have closed.
 */
export async function legacyEscalate(c: Conversation, found: EscalationDecision): Promise<void> {
  const { state } = c;
  const number = state.escalation ? 2 : 1;
  const inboxItemId = `${state.conversationId}:${number}`;
  state.escalation = { reason: found.code, inboxItemId, at: new Date().toISOString() };
  record(c, { action: 'ESCALATED', tag: found.code });
  moveTo(c, 'escalated', 'escalated');
  await flush(c);
  await storage.escalateToInbox({
    id: inboxItemId,
    tenantId: state.tenantId,
    conversationId: state.conversationId,
    reason: found.code,
    urgency: state.analysis?.urgency ?? 'medium',
    summary: state.analysis?.summary ?? `Escalado: ${found.code}`,
  });
}

/**
 * Before `aftercare`: after a resolution, thanks closed the conversation and anything else
 * was a new demand; no check-in rules, no survey. Retire with the `aftercare` patch.
 */
export async function legacyAfterResolution(c: Conversation, text: string, next: { goodbye(): void; newDemand(text: string): Promise<void> }): Promise<void> {
  if (isThanks(text)) {
    next.goodbye();
    return;
  }
  c.state.followUp = null;
  await next.newDemand(text);
}

/**
 * Before `aftercare`: one check-in after the follow-up delay (in working time only after
 * `working-time-follow-up`), then the close. Retire with the `aftercare` patch.
 */
export async function legacyFollowUps(c: Conversation, checkInLine: (prompts: readonly ActionPrompt[]) => Promise<string>): Promise<void> {
  const { state, input } = c;
  for (;;) {
    await condition(() => c.closeRequested || (state.stage === 'resolved' && !c.turn.inProgress));
    if (c.closeRequested) return;
    const mark = state.customerTurns;
    const customerWrote = () => state.customerTurns !== mark || c.closeRequested;
    const due = followUpDue(c);
    state.followUp = { dueAt: due.toISOString(), sentAt: null };
    if (await condition(customerWrote, Math.max(1, due.getTime() - Date.now()))) continue;
    await quietTurn(c, async () => {
      const prompts = (state.persona?.prompts ?? []).filter((prompt) => prompt.isActive && prompt.actionType === 'FOLLOW_UP');
      say(c, await checkInLine(prompts));
      state.followUp = { ...state.followUp!, sentAt: new Date().toISOString() };
    });
    if (!(await condition(customerWrote, input.settings.closeAfterFollowUpMs))) return;
  }
}

/** When the single follow-up is due: in working time after `working-time-follow-up`, plain time before. */
function followUpDue(c: Conversation): Date {
  const now = new Date();
  const open = patched(patches.workingTime) ? hours(c) : null;
  const delay = c.input.settings.followUpDelayMs;
  return open ? addWorkingTime(open, now, delay) : new Date(now.getTime() + delay);
}
