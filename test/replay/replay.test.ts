import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';

/**
 * Histories recorded by earlier versions of the conversation workflow, replayed with today's
 * code: a change that would break a conversation already in flight fails here, not in production.
 * Binary protobuf, because this install's protobufjs copies cannot read the JSON form.
 * The workflow code is bundled once for the whole file.
 */
const directory = path.join(__dirname, '../histories');
const files = fs.readdirSync(directory).filter((file) => file.endsWith('.binpb'));
const read = (file: string) => temporal.api.history.v1.History.decode(fs.readFileSync(path.join(directory, file)));

/** The stages a history went through, from its ConversationStage search-attribute upserts. */
function stagesOf(history: temporal.api.history.v1.IHistory): string[] {
  const stages: string[] = [];
  for (const event of history.events ?? []) {
    const stage = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.ConversationStage?.data;
    if (stage) stages.push(JSON.parse(Buffer.from(stage).toString()));
  }
  return stages;
}

/** Each stage of the conversation has a history recorded from a real run of this code (test/histories/record.ts). */
const stageHistories: Record<string, { stages: string[]; timersFired?: number }> = {
  'stage-match.binpb': { stages: ['clarifying', 'collecting'] },
  'stage-collect.binpb': { stages: ['collecting', 'confirming', 'resolved'] },
  'stage-escalate.binpb': { stages: ['escalated', 'with_agent', 'resolved', 'rating'] },
  'stage-follow-up.binpb': { stages: ['resolved', 'rating'], timersFired: 1 },
  'stage-csat.binpb': { stages: ['rating', 'identifying'] },
  'stage-inactivity.binpb': { stages: ['collecting', 'abandoned', 'collecting'], timersFired: 2 },
  'stage-competence.binpb': { stages: ['identifying', 'collecting', 'confirming', 'escalated'] },
  'stage-model-answers.binpb': { stages: ['identifying', 'collecting'] },
  'stage-local-turns.binpb': { stages: ['identifying', 'collecting', 'confirming', 'escalated'] },
  'stage-one-upsert.binpb': { stages: ['identifying', 'collecting', 'confirming', 'escalated'] },
  'before-stage-modules.binpb': { stages: ['clarifying', 'collecting', 'confirming', 'collecting', 'resolved', 'escalated', 'with_agent', 'identifying', 'closed'], timersFired: 1 },
};

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
});

describe('the workflow bundle', () => {
  test('when the workflow code is bundled, then zod is not in it (it would cost every cached conversation ~0.5 MiB)', () => {
    expect(bundle.code).toContain('workflows/conversation/workflow.ts');
    expect(bundle.code).not.toMatch(/node_modules\/zod\//);
    expect(bundle.code).not.toContain('domain/schemas.ts');
  });
});

describe('replaying recorded conversation histories', () => {
  test.each(Object.entries(stageHistories))('%s is committed and went through its stage', (file, expected) => {
    const history = read(file);
    const stages = stagesOf(history);
    // in this order, each after the one before
    let from = 0;
    for (const stage of expected.stages) {
      const at = stages.indexOf(stage, from);
      expect({ file, stage, found: at >= 0 }).toEqual({ file, stage, found: true });
      from = at + 1;
    }
    if (expected.timersFired !== undefined) {
      expect(history.events.filter((event) => event.timerFiredEventAttributes).length).toBeGreaterThanOrEqual(expected.timersFired);
    }
  });

  test('with the one-upsert patch, a customer turn upserts the conversation\'s search attributes at most once (before it, up to several)', () => {
    /** The most upserts of our own attributes (not the SDK's TemporalChangeVersion) between an update's acceptance and its completion. */
    const mostPerTurn = (file: string) => {
      let most = 0;
      let current = -1;
      for (const event of read(file).events) {
        if (event.workflowExecutionUpdateAcceptedEventAttributes) current = 0;
        const fields = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (current >= 0 && fields.some((field) => field !== 'TemporalChangeVersion')) current += 1;
        if (event.workflowExecutionUpdateCompletedEventAttributes) {
          most = Math.max(most, current);
          current = -1;
        }
      }
      return most;
    };
    expect(mostPerTurn('stage-one-upsert.binpb')).toBe(1);
    expect(mostPerTurn('stage-local-turns.binpb')).toBeGreaterThan(1);
  });

  test('when every committed history is replayed with the current code, then none fails', async () => {
    expect(files.length).toBeGreaterThan(10);
    const histories = files.map((file) => ({ workflowId: file.replace(/\.binpb$/, ''), history: read(file) }));
    for (const { workflowId, history } of histories) expect({ workflowId, events: history.events.length > 10 }).toEqual({ workflowId, events: true });
    const outcomes: Record<string, string> = {};
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'committed-histories' }, histories)) {
      outcomes[result.workflowId] = result.error ? String(result.error) : 'ok';
    }
    expect(outcomes).toEqual(Object.fromEntries(histories.map(({ workflowId }) => [workflowId, 'ok'])));
  });
});
