import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/**
 * Histories recorded by earlier versions of the conversation workflow, replayed with today's
 * code: a change that would break a conversation already in flight fails here, not in production.
 * Binary protobuf, because this install's protobufjs copies cannot read the JSON form.
 */
const directory = path.join(__dirname, 'histories');
const histories = fs.readdirSync(directory).filter((file) => file.endsWith('.binpb'));

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
  'before-stage-modules.binpb': { stages: ['clarifying', 'collecting', 'confirming', 'collecting', 'resolved', 'escalated', 'with_agent', 'identifying', 'closed'], timersFired: 1 },
};

describe('replaying recorded conversation histories', () => {
  test.each(Object.entries(stageHistories))('%s is committed and went through its stage', (file, expected) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(directory, file)));
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

  test('there is at least one history to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  test.each(histories)('%s replays with the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(directory, file)));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../workflows'), replayName: file },
      history,
      file.replace(/\.binpb$/, ''),
    );
  });
});
