import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { SendMessageResult } from '../../domain/conversation';
import { sendMessageUpdate, stateQuery } from '../../workflows/messages';
import type { Activities } from '../../activities';
import { registerSearchAttributes } from '../../temporal/namespace';
import { testStack } from './stack';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface TimeSkippingSuite {
  /** The time-skipping test server of this test file (set in beforeAll). */
  readonly env: TestWorkflowEnvironment;
  /** Runs `run` with a worker of the real workflow bundle and these activities, on a fresh task queue. */
  withWorker<T>(activities: Activities, run: (taskQueue: string) => Promise<T>): Promise<T>;
}

/** Registers beforeAll/afterAll that start a time-skipping test server with our search attributes and bundle the workflows once. */
export function timeSkippingSuite(queuePrefix: string): TimeSkippingSuite {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testStack().testServerPath } },
    });
    await registerSearchAttributes(env.connection, 'default');
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const started = (): TestWorkflowEnvironment => {
    if (!env) throw new Error('the time-skipping server starts in beforeAll');
    return env;
  };
  return {
    get env() {
      return started();
    },
    async withWorker(activities, run) {
      const taskQueue = `${queuePrefix}-${randomUUID()}`;
      const worker = await Worker.create({ connection: started().nativeConnection, taskQueue, workflowBundle: bundle, activities });
      return worker.runUntil(run(taskQueue));
    },
  };
}

/**
 * A customer's message, with the state after it read by a query: the update itself answers
 * with the customer's view only, and workflow tests look at the whole state.
 */
export async function sayAndRead(handle: WorkflowHandle, text: string): Promise<SendMessageResult> {
  const result = await handle.executeUpdate(sendMessageUpdate, { args: [{ text }] });
  return { replies: result.replies, state: await handle.query(stateQuery) };
}
