import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { startAppStack, type AppStack } from './support/app-stack';

const secret = 'test-secret-for-long-conversations';

describe('a long conversation on the real stack', () => {
  let stack: AppStack;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    stack = await startAppStack(secret);
    // a low bound, so a few turns make the conversation continue as new
    app = createApp({ client: stack.client, db: stack.db, config: stack.config({ maxHistoryEvents: 60 }) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function call(method: string, path: string, body?: unknown, token?: string) {
    const response = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  test('when a conversation continues as new, then messages keep reaching it, the transcript stays whole and a retried message is answered once', async () => {
    const started = await call('POST', '/api/v1/conversations', { message: 'preciso da segunda via do boleto' });
    expect(started.status).toBe(201);
    const { conversationId, token } = started.body as { conversationId: string; token: string };
    const path = `/api/v1/conversations/${conversationId}/messages`;
    // the run number and revision are staff's to see; the customer's view leaves them out
    const staff = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'long-admin' });
    const first = await call('POST', path, { text: 'desisto', messageId: 'retry-me' }, token);
    expect(first.status).toBe(200);

    let run = 1;
    for (let turn = 0; run < 2 && turn < 12; turn++) {
      const reply = await call('POST', path, { text: turn % 2 ? 'desisto' : 'preciso da segunda via do boleto' }, token);
      expect(reply.status).toBe(200);
      run = (await call('GET', `/api/v1/conversations/${conversationId}`, undefined, staff)).body.state.run ?? 1;
    }
    expect(run).toBe(2);

    const before = (await call('GET', path, undefined, token)).body.messages as { seq: number }[];
    const retried = await call('POST', path, { text: 'desisto', messageId: 'retry-me' }, token);
    expect(retried.status).toBe(200);
    expect(retried.body.replies).toEqual(first.body.replies);
    const after = (await call('GET', path, undefined, token)).body.messages as { seq: number }[];
    expect(after).toHaveLength(before.length);
    expect(after.map((message) => message.seq)).toEqual(after.map((_, index) => index + 1));

    // the new run answers like the old one would
    const state = (await call('GET', `/api/v1/conversations/${conversationId}`, undefined, token)).body.state;
    const next = await call('POST', path, { text: state.stage === 'collecting' ? '529.982.247-25' : 'preciso da segunda via do boleto' }, token);
    expect(next.status).toBe(200);
    const after2 = (await call('GET', `/api/v1/conversations/${conversationId}`, undefined, staff)).body.state;
    expect(after2.run).toBe(2);
    const row = await stack.db.query('SELECT revision, (state->>\'run\')::int AS run FROM conversations WHERE id = $1', [conversationId]);
    expect(row.rows[0]).toMatchObject({ run: 2, revision: String(after2.revision) });
  });
});
