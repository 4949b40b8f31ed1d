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

describe('replaying recorded conversation histories', () => {
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
