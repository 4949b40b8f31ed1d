import { patched } from '@temporalio/workflow';
import type { Analysis } from '../../domain/analysis';
import { decideAfterCollection, decision } from '../../domain/escalation';
import { escalationDetails, replies } from '../../domain/replies';
import { asksForPerson } from '../../domain/talk';
import { collectedAnswers, reader, type Conversation } from './context';
import { escalate, newProtocol } from './handoff';
import { moveTo, record, recordSources, refreshSearchAttributes, say } from './turn';
import type { Script } from '../../domain/scripts';
import { patches } from './activities';
import { callTool } from './tools';
import { startForm } from './match';

/**
 * The customer confirmed: analyze what they said, then the escalation policy decides between a
 * person (the script asks for one, or the analysis does) and a resolution with a protocol.
 */
export async function finishCollection(c: Conversation): Promise<void> {
  const script = c.state.script!;
  const tools = script.onComplete.tools ?? [];
  if (tools.length && patched(patches.tools)) {
    const form = await runTools(c, tools);
    // a form tool's fields come next; this resolves when they are confirmed
    if (form) return startForm(c, form);
  }
  moveTo(c, 'analyzing');
  await analyze(c);
  // a script whose purpose is to reach a person ends with one, whatever its completion says
  const forPerson = c.competence && script.onComplete.action !== 'escalate' && [script.title, ...script.examples].some(asksForPerson);
  const found = forPerson
    ? decision('customer_asked_for_human', escalationDetails.askedForHuman(script.title))
    : decideAfterCollection(c.policy, script, c.state.analysis);
  if (found) {
    say(c, replies.humanAfterScript(script.onComplete.message));
    await escalate(c, found);
    return;
  }
  resolve(c);
}

/**
 * The script's tools, in order: each says what it has to say (a calculation, a service's answer,
 * a passage); one that fails is told to the customer and the conversation goes on. Returns the
 * form a form tool asks to collect next, if any.
 */
async function runTools(c: Conversation, toolIds: readonly string[]): Promise<Script | null> {
  let form: Script | null = null;
  for (const toolId of toolIds) {
    const outcome = await callTool(c, toolId);
    if (!outcome.ok) {
      say(c, replies.toolFailed(outcome.name));
      continue;
    }
    if (outcome.sources?.length) recordSources(c, outcome.sources);
    if (outcome.say) say(c, outcome.say, outcome.sources);
    if (outcome.form) form = outcome.form;
  }
  return form;
}

/** Analyzes what the customer said so far; the result drives escalation, search attributes and the AI state. */
export async function analyze(c: Conversation): Promise<Analysis> {
  const { state } = c;
  const script = state.script;
  state.analysis = await reader(c).analyzeConversation({
    customerMessages: c.memory.customerTexts.slice(-20),
    ...(state.customer.name ? { customerName: state.customer.name } : {}),
    ...(script ? { scriptId: script.id, scriptTitle: script.title, collected: collectedAnswers(c) } : {}),
    ...(state.persona?.systemPrompt ? { businessContext: state.persona.systemPrompt } : {}),
    tenantId: state.tenantId,
    ...(c.input.agentId ? { agentId: c.input.agentId } : {}),
  });
  record(c, { action: 'ANALYZED', tag: `${state.analysis.sentiment}/${state.analysis.urgency}` });
  refreshSearchAttributes(c);
  return state.analysis;
}

/** The script is done: a protocol, the script's closing line, and the check-ins to come. */
function resolve(c: Conversation): void {
  const { state } = c;
  state.protocol = newProtocol();
  say(c, replies.resolved(state.script!.onComplete.message, state.protocol));
  state.pending = null;
  moveTo(c, 'resolved', 'resolved');
}
