import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { searchAttributes } from '../workflows/messages';
import { conversationWorkflowId, conversationWorkflowType } from '../workflows/messages';
import { startAppStack, type AppStack } from './support/app-stack';
import { testStack } from './support/stack';

const run = promisify(execFile);
const root = path.join(__dirname, '..');
const secret = 'test-secret-for-replay-command';

function replayCommand(tenantId: string) {
  return run(process.execPath, [path.join(root, 'bin', 'atende.js'), 'workflows', 'replay', '--query', `TenantId = '${tenantId}' AND ExecutionStatus = 'Running'`], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: testStack().temporalAddress, DATABASE_URL: testStack().databaseUrl },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npx atende workflows replay', () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack(secret);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('when the running conversations were made by this code, then they all replay and the command exits 0', async () => {
    for (const message of ['preciso da segunda via do boleto', 'quero falar com um atendente']) {
      const response = await stack.app.request('/api/v1/conversations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message }),
      });
      expect(response.status).toBe(201);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // visibility is eventually consistent
    const result = await replayCommand(stack.tenantId);
    expect(result.stdout.trim()).toBe('2 conversations replay with this code');
    expect(result.stderr.match(/^✓ conversation-/gm)).toHaveLength(2);
    expect(result.code).toBe(0);
  }, 120_000);

  test('when a running conversation was made by incompatible code, then the command names it and exits 1', async () => {
    const tenantId = `drift-${randomUUID().slice(0, 8)}`;
    const taskQueue = `drift-${randomUUID()}`;
    const connection = await Connection.connect({ address: testStack().temporalAddress });
    const nativeConnection = await NativeConnection.connect({ address: testStack().temporalAddress });
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath: require.resolve('./support/drifted') });
    const workflowId = conversationWorkflowId(randomUUID());
    await worker.runUntil(async () => {
      const handle = await new Client({ connection }).workflow.start(conversationWorkflowType, {
        workflowId,
        taskQueue,
        args: [{ conversationId: workflowId.replace('conversation-', ''), tenantId, channel: 'web', customer: {}, settings: { businessName: 'Drift', timeZone: 'America/Sao_Paulo', followUpDelayMs: 3_600_000, closeAfterFollowUpMs: 86_400_000, matchThreshold: 0.5 } }],
        typedSearchAttributes: [{ key: searchAttributes.TenantId, value: tenantId }],
      });
      // the drifted code has run its first task: the history holds its timer
      for (let tries = 0; tries < 50; tries++) {
        const history = await handle.fetchHistory();
        if (history.events?.some((event) => event.timerStartedEventAttributes)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await replayCommand(tenantId);
    await new Client({ connection }).workflow.getHandle(workflowId).terminate('test over');
    await nativeConnection.close();
    await connection.close();
    // the SDK's core may log the failed replay task to stdout too; the verdict is the last line
    expect(result.stdout.trim().split('\n').at(-1)).toBe('1 of 1 conversations would break with this code (see above)');
    expect(result.stderr).toMatch(new RegExp(`✗ ${workflowId} .*[Nn]ondetermin`));
    expect(result.code).toBe(1);
  }, 120_000);
});
