import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { codecConverter } from '../lib/codec';
import { parseSecretKeys } from '../lib/secrets';
import { replayConversations } from '../temporal/replay';
import { testAppConfig } from './support/app-stack';
import { withOwnWorker } from './support/own-worker';
import { testStack, validCpf } from './support/stack';

/**
 * With ATENDE_CODEC_KEYS, Temporal holds ciphertext: `temporal workflow show` prints no customer
 * data, the codec endpoint decrypts for an admin only, and replay reads the histories with the keys.
 */
const run = promisify(execFile);
const keys = parseSecretKeys(`k1:${randomBytes(32).toString('base64')}`, '');

test('histories hold ciphertext; the codec endpoint decodes them for an admin only; replay works with the keys', async () => {
  const stack = testStack();
  const secret = randomUUID();
  await withOwnWorker({ codecKeys: keys, client: codecConverter(keys) }, async ({ db, tenantId, taskQueue, client }) => {
    const app = createApp({ client, db, config: testAppConfig({ jwtSecret: secret, taskQueue, defaultTenant: tenantId, codecKeys: keys }) });
    const started = await app.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'preciso da segunda via do boleto', customer: { name: 'Joana Prado' } }) });
    const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
    const turn = await app.request(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: validCpf }) });
    expect(((await turn.json()) as { replies: { text: string }[] }).replies.map((reply) => reply.text).join()).toMatch(/parcela/i);

    // what an operator without the keys sees: every payload encrypted, no customer data
    const shown = await run(stack.cliPath, ['workflow', 'show', '--workflow-id', `conversation-${conversationId}`, '--address', stack.temporalAddress, '--output', 'json'], { maxBuffer: 64 * 2 ** 20 });
    const history = JSON.parse(shown.stdout) as { events: unknown[] };
    // search attributes stay plain (the server indexes them) and so do the SDK's own markers (patches,
    // local activities' bookkeeping): neither holds customer data; every other payload is encrypted
    const payloads: { metadata: Record<string, string>; data: string }[] = [];
    const collect = (value: unknown, path: string): void => {
      if (!value || typeof value !== 'object') return;
      if ('metadata' in value && 'data' in value && typeof (value as { data: unknown }).data === 'string') {
        payloads.push(value as never);
        if (!/searchAttributes|markerRecordedEventAttributes/.test(path)) expect([path, Buffer.from(((value as { metadata: Record<string, string> }).metadata.encoding ?? ''), 'base64').toString()]).toEqual([path, 'binary/encrypted']);
        return;
      }
      for (const [key, child] of Object.entries(value)) collect(child, `${path}.${key}`);
    };
    collect(history, '');
    expect(payloads.filter((payload) => Buffer.from(payload.metadata.encoding ?? '', 'base64').toString() === 'binary/encrypted').length).toBeGreaterThan(5);
    const plain = payloads.map((payload) => Buffer.from(payload.data, 'base64').toString('latin1')).join('');
    for (const secretText of [validCpf, 'Joana Prado', 'segunda via']) expect(plain).not.toContain(secretText);

    // the codec endpoint: an admin reads the workflow's input; nobody else does
    const encrypted = payloads.filter((payload) => Buffer.from(payload.metadata.encoding ?? '', 'base64').toString() === 'binary/encrypted');
    const decode = (authorization?: string) =>
      app.request('/codec/decode', { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ payloads: encrypted.slice(0, 1) }) });
    expect((await decode()).status).toBe(401);
    expect((await decode(`Bearer ${await mintToken(secret, { role: 'agent', tenant: tenantId, subject: 'ana' })}`)).status).toBe(403);
    const decoded = (await (await decode(`Bearer ${await mintToken(secret, { role: 'admin', tenant: tenantId, subject: 'ops' })}`)).json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toContain('Joana Prado');

    // replay reads the encrypted history with the keys
    const report = await replayConversations(client, { query: `WorkflowId = 'conversation-${conversationId}'`, codecKeys: keys });
    expect(report).toMatchObject({ replayed: 1, failures: [] });
  });
});
