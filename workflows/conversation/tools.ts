import type { RunToolResult } from '../../activities/tools';
import { stepName } from '../../domain/replies';
import { tooling } from './activities';
import type { Conversation } from './context';
import { record } from './turn';

/**
 * One of the agent's tools, called for this conversation (a script's completion, a step's
 * lookup): with the answers so far, their labels and the customer's contact, and recorded among
 * the bot's actions. A tool that cannot run is an outcome, never a failed turn.
 */
export async function callTool(c: Conversation, toolId: string, fill?: Record<string, string>): Promise<RunToolResult> {
  const { state } = c;
  const script = state.script!;
  const outcome = await tooling
    .runTool({
      callId: `${state.conversationId}:${toolId}:${state.messageCount}`,
      tenantId: state.tenantId,
      conversationId: state.conversationId,
      toolId,
      answers: { ...state.answers },
      labels: Object.fromEntries(script.steps.map((step) => [step.id, stepName(step)])),
      customer: { ...(state.customer.name ? { name: state.customer.name } : {}), ...(state.customer.email ? { email: state.customer.email } : {}), ...(state.customer.phone ? { phone: state.customer.phone } : {}) },
      scriptId: script.id,
      text: c.memory.customerTexts.at(-1) ?? '',
      ...(fill ? { fill } : {}),
    })
    .catch((error: unknown): RunToolResult => ({ ok: false, name: null, type: null, error: error instanceof Error ? error.message : String(error) }));
  record(c, { action: 'TOOL_CALLED', name: (outcome.name ?? toolId).slice(0, 200), tag: outcome.ok ? `${outcome.type}/ok` : `${outcome.type ?? 'unknown'}/failed` });
  return outcome;
}
