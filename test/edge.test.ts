import { mintToken } from '../api/auth';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';

/** The edge: poison text, oversized and mistyped bodies, wrong methods. Each is a 4xx naming what is wrong, and nothing jams. */
const secret = 'test-secret-for-edge-tests';
const suite = appStackFor(secret);

interface Sent {
  status: number;
  text: string;
  headers: Headers;
}

async function send(method: string, path: string, body?: unknown, options: { token?: string; cookie?: string; contentType?: string } = {}): Promise<Sent> {
  const response = await suite.stack.app.request(path, {
    method,
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Every family of text Postgres cannot store, as JSON.stringify writes it. */
const POISON = { nul: 'a\u0000b', highSurrogate: 'a\ud800b', lowSurrogate: 'a\udc00b', trailingHigh: 'abc\udbff' };

describe('poison text at every write path', () => {
  const staff = () => mintToken(secret, { role: 'admin', tenant: suite.stack.tenantId, subject: 'edge-admin' });
  const agent = () => mintToken(secret, { role: 'agent', tenant: suite.stack.tenantId, subject: 'edge-agent' });

  test.each(Object.entries(POISON))('%s: every write is refused naming its field, and the conversation keeps answering', async (_family, poison) => {
    const started = JSON.parse((await send('POST', '/api/v1/conversations', { customer: { name: 'Lia' } })).text) as { conversationId: string; token: string };
    const { conversationId, token } = started;
    const admin = await staff();
    const escalated = JSON.parse((await send('POST', '/api/v1/conversations', { message: 'quero falar com um atendente humano agora' })).text) as { conversationId: string };
    const holder = await agent();
    expect((await send('POST', `/api/v1/conversations/${escalated.conversationId}/claim`, {}, { token: holder })).status).toBe(200);
    const seed = await send('POST', '/initial-message', { message: 'Ana' });
    const cookie = seed.headers.get('set-cookie')!.split(';')[0]!;

    const writes: [string, string, unknown, { token?: string; cookie?: string }, string][] = [
      ['POST', '/api/v1/conversations', { message: poison }, {}, 'message'],
      ['POST', '/api/v1/conversations', { customer: { name: poison } }, {}, 'customer.name'],
      ['POST', '/api/v1/conversations', { channel: poison }, {}, 'channel'],
      ['POST', `/api/v1/conversations/${conversationId}/messages`, { text: poison }, { token }, 'text'],
      ['POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'oi', messageId: poison }, { token }, 'messageId'],
      ['POST', `/api/v1/conversations/${escalated.conversationId}/agent-messages`, { text: poison }, { token: holder }, 'text'],
      ['POST', `/api/v1/conversations/${escalated.conversationId}/resolve`, { note: poison }, { token: holder }, 'note'],
      ['POST', '/initial-message', { message: poison }, {}, 'message'],
      ['POST', '/chat', { message: poison }, { cookie }, 'message'],
      ['POST', '/chat_ai', { message: poison }, { cookie }, 'message'],
      ['POST', '/api/v1/scripts', { id: 'x', title: poison, steps: [] }, { token: admin }, 'title'],
      ['POST', '/api/v1/script', { args: { id: 'x', title: poison } }, { token: admin }, 'args.title'],
      ['POST', '/api/ai/prompts', { name: poison, actionType: 'greeting', prompt: 'p' }, { token: admin }, 'name'],
      ['POST', '/api/ai/assistant/chat', { message: poison }, { token: admin }, 'message'],
      ['PUT', '/api/v1/settings/learning', { [`k${poison}`]: true }, { token: admin }, 'k'],
    ];
    for (const [method, path, body, options, field] of writes) {
      const answer = await send(method, path, body, options);
      expect({ path, field, clientError: answer.status >= 400 && answer.status < 500, named: answer.text.includes(field) }).toEqual({ path, field, clientError: true, named: true });
    }

    // nothing jammed: the customer, the agent and the seed session go on
    const next = await send('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'preciso da segunda via do boleto' }, { token });
    expect(next.status).toBe(200);
    expect(next.text).toMatch(/CPF/);
    expect((await send('POST', `/api/v1/conversations/${escalated.conversationId}/agent-messages`, { text: 'Oi, sou a Bia.' }, { token: holder })).status).toBe(201);
    expect((await send('POST', '/chat', { message: 'quero a segunda via do boleto' }, { cookie })).status).toBe(200);
    const stored = await suite.stack.db.query("SELECT count(*)::int AS n FROM messages WHERE conversation_id = ANY($1) AND text LIKE '%' || chr(65533) || '%'", [[conversationId, escalated.conversationId]]);
    expect(stored.rows[0].n).toBe(0);
    for (const id of [conversationId, escalated.conversationId, JSON.parse(seed.text).Session]) {
      await suite.stack.client.workflow.getHandle(conversationWorkflowId(id)).signal(closeSignal, { reason: 'test' });
    }
  });

  test('when a path or query carries NUL or broken percent-encoding, then 400 without any database text', async () => {
    const admin = await staff();
    const versions = await send('GET', '/api/v1/scripts/%00/versions', undefined, { token: admin });
    expect(versions.status).toBe(400);
    expect(versions.text).not.toMatch(/postgres|invalid byte sequence|22021/i);
    expect((await send('GET', '/api/v1/scripts/%ED%A0%80', undefined, { token: admin })).status).toBe(400);
    expect((await send('GET', '/api/v1/conversations/x/messages?after=%00', undefined, { token: admin })).status).toBe(400);
  });
});

describe('bounded scripts and catalogs', () => {
  test('when a script field is longer than its limit or a time zone is not IANA, then 422 names the field and nothing is saved', async () => {
    const admin = await mintToken(secret, { role: 'admin', tenant: suite.stack.tenantId, subject: 'edge-admin' });
    const long = await send('POST', '/api/v1/scripts', { id: 'longo', title: 'Longo', steps: [{ id: 'q', question: 'x'.repeat(1_001), type: 'text' }] }, { token: admin });
    expect(long.status).toBe(422);
    expect(JSON.parse(long.text).issues[0].path).toBe('steps.0.question');
    const catalog = { format: 'script-catalog/v1', business: { name: 'Loja', timezone: 'Mars/Olympus_Mons' }, scripts: [] };
    const zone = await send('POST', '/api/v1/scripts/import', catalog, { token: admin });
    expect(zone.status).toBe(422);
    expect(JSON.parse(zone.text).issues[0].path).toBe('business.timezone');
    expect((await send('GET', '/api/v1/scripts/longo', undefined, { token: admin })).status).toBe(404);
  });
});

describe('bodies, content types and methods', () => {
  test('when a body is larger than the limit, then 413 and no conversation is started', async () => {
    const before = await suite.stack.db.query('SELECT count(*)::int AS n FROM conversations WHERE tenant_id = $1', [suite.stack.tenantId]);
    const huge = await send('POST', '/api/v1/conversations', { message: 'oi', padding: 'x'.repeat(2 * 2 ** 20) });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text).error).toBe('payload_too_large');
    const after = await suite.stack.db.query('SELECT count(*)::int AS n FROM conversations WHERE tenant_id = $1', [suite.stack.tenantId]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test('when a JSON body is sent as another content type, then 415 in each contract\'s envelope', async () => {
    const native = await send('POST', '/api/v1/conversations', { message: 'oi' }, { contentType: 'text/plain' });
    expect(native.status).toBe(415);
    expect(JSON.parse(native.text).error).toBe('unsupported_media_type');
    const seed = await send('POST', '/initial-message', { message: 'Ana' }, { contentType: 'application/x-www-form-urlencoded' });
    expect(seed.status).toBe(415);
    expect(JSON.parse(seed.text).status).toBe('Error');
    expect((await send('POST', '/api/v1/conversations', { message: 'oi' }, { contentType: 'application/json; charset=utf-8' })).status).toBe(201);
  });

  test('native errors are RFC 9457 problem details naming the fields, with the request id', async () => {
    const response = await suite.stack.app.request('/api/v1/conversations', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: JSON.stringify({ customer: { email: 'nope' } }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(await response.json()).toMatchObject({
      type: 'urn:atende:problem:validation_failed',
      title: 'Unprocessable Content',
      status: 422,
      detail: expect.any(String),
      errors: [{ path: 'customer.email', message: expect.any(String) }],
      requestId: 'trace-123',
    });
    const generated = await send('GET', '/no/such/path');
    expect(JSON.parse(generated.text)).toMatchObject({ status: 404, requestId: generated.headers.get('x-request-id') });
  });

  test('when a path exists with other methods, then 405 with Allow; an unknown path stays 404', async () => {
    const wrong = await send('DELETE', '/api/v1/conversations');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    const scripts = await send('PATCH', '/api/v1/scripts/boleto');
    expect(scripts.status).toBe(405);
    expect(scripts.headers.get('allow')).toBe('DELETE, GET, HEAD, PUT');
    expect((await send('GET', '/no/such/path')).status).toBe(404);
  });
});
