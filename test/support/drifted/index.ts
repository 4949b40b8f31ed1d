import { sleep } from '@temporalio/workflow';

/**
 * A "conversationWorkflow" from some other build: it starts with a timer where ours does not.
 * Replaying its history with our code must be reported as a break.
 */
export async function conversationWorkflow(): Promise<void> {
  await sleep('1 day');
}
