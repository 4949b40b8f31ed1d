import { proxyActivities } from '@temporalio/workflow';
import type { Activities, AnswerAssistantInput, AnswerAssistantResult } from '../activities';
import type { Analysis } from '../domain/analysis';

/**
 * Short one-activity workflows for the API's AI requests, so every model call runs in a
 * worker (the API never holds OPENAI_API_KEY) and shows up in the Temporal UI like the rest.
 */
const ai = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // the activities fall back to offline answers themselves; a retry covers a lost worker
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 3 },
});

export interface ReanalysisInput {
  conversationId: string;
}

/** Analyzes an ended conversation from its stored transcript; null when it is unknown. */
export async function reanalysisWorkflow(input: ReanalysisInput): Promise<Analysis | null> {
  return ai.analyzeStoredConversation({ conversationId: input.conversationId });
}

/** One answer of the agents' internal assistant. */
export async function assistantAnswerWorkflow(input: AnswerAssistantInput): Promise<AnswerAssistantResult> {
  return ai.answerAssistant(input);
}
