import type { AgentMessageInput, AssignInput, ClaimInput, HandbackInput, ResolveInput, SendMessageResult } from '../../domain/conversation';
import { replies, systemNotes } from '../../domain/replies';
import { ticketWatch } from './activities';
import { askNext } from './collect';
import type { Conversation } from './context';
import { finishHandoff } from './handoff';
import { startOver } from './match';
import { answerTurn, beside, moveTo, note, say } from './turn';

/**
 * What agents do in the built-in inbox, each an update the agent's page waits on. Who may do
 * what (one claim wins, only the holder speaks) is settled by the validators in workflow.ts.
 */

export function claim(c: Conversation, { agentId }: ClaimInput): Promise<SendMessageResult> {
  if (c.state.agent?.agentId === agentId) return answerTurn(c, async () => {});
  // set before any await, so a second claim arriving in the same task is rejected by its validator
  c.state.agent = { agentId, since: new Date().toISOString() };
  return answerTurn(c, async () => {
    note(c, 'system', systemNotes.agentJoined(agentId));
    moveTo(c, 'with_agent');
  });
}

export function agentMessage(c: Conversation, { text, messageId }: AgentMessageInput): Promise<SendMessageResult> {
  return answerTurn(c, async () => {
    note(c, 'agent', text.trim(), messageId ?? null);
  });
}

/** One of the team hands the conversation to another agent, who holds it from now on. */
export function assign(c: Conversation, { by, to }: AssignInput): Promise<SendMessageResult> {
  // set before any await, as a claim is
  c.state.agent = { agentId: to, since: new Date().toISOString() };
  return answerTurn(c, async () => {
    note(c, 'system', systemNotes.agentAssigned(by, to));
    moveTo(c, 'with_agent');
  });
}

/** The agent gives the conversation back: the bot picks up where the script stands. */
export function handback(c: Conversation, { agentId }: HandbackInput): Promise<SendMessageResult> {
  return answerTurn(c, async () => {
    note(c, 'system', systemNotes.agentHandedBack(agentId));
    finishHandoff(c, 'handed_back', '');
    const script = c.state.script;
    // a script the agent chose, not yet answered, is the bot's to finish; a finished one is done
    if (script && script.steps.some((step) => !(step.id in c.state.answers))) {
      say(c, replies.backWithScript(script.title));
      moveTo(c, 'collecting', 'active');
      askNext(c);
      return;
    }
    startOver(c);
    say(c, replies.backAnythingElse);
  });
}

export function resolveByAgent(c: Conversation, { note: closingNote }: ResolveInput): Promise<SendMessageResult> {
  return answerTurn(c, async () => {
    const escalation = c.state.escalation;
    const ticketId = escalation?.via === 'mindchat' ? escalation.ticketId : null;
    if (closingNote?.trim()) note(c, 'agent', closingNote.trim());
    finishHandoff(c, 'resolved', replies.resolvedByTeam);
    // Mindchat's ticket follows; it is best effort, the conversation is resolved either way
    if (ticketId) beside(c, () => ticketWatch.closeMindchatTicket({ ticketId, status: 'resolved' }));
  });
}
