import { createUser } from '../db/users';
import { hashPassword } from '../lib/passwords';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';

/** Agents and admins as people: their own logins, their own identity everywhere, revocable sessions. */
const secret = 'test-secret-for-account-tests';
const suite = appStackFor(secret);

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, options: { token?: string; cookie?: string } = {}): Promise<Answer> {
  const response = await suite.stack.app.request(path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

const login = (email: string, password: string) => call('POST', '/api/v1/auth/login', { email, password, tenant: suite.stack.tenantId });

async function firstAdmin() {
  const email = `root-${Date.now()}@example.com`;
  const user = await createUser(suite.stack.db, { tenantId: suite.stack.tenantId, email, name: 'Root', role: 'admin', passwordHash: await hashPassword('correct horse battery') });
  const session = await login(email, 'correct horse battery');
  expect(session.status).toBe(200);
  return { user, token: session.body.accessToken as string };
}

describe('accounts', () => {
  test('two agents with their own accounts: each is their own subject, the second cannot speak in the first\'s conversation or read their assistant history', async () => {
    const admin = await firstAdmin();
    const created = [];
    for (const [name, email] of [['Ana', 'ana@example.com'], ['Bruno', 'bruno@example.com']]) {
      const response = await call('POST', '/api/v1/users', { email, name, role: 'agent', password: 'uma senha bem longa' }, { token: admin.token });
      expect(response.status).toBe(201);
      created.push(response.body.user);
    }
    expect((await call('POST', '/api/v1/users', { email: 'ana@example.com', name: 'Ana 2', role: 'agent', password: 'uma senha bem longa' }, { token: admin.token })).status).toBe(409);
    const ana = await login('ana@example.com', 'uma senha bem longa');
    const bruno = await login('bruno@example.com', 'uma senha bem longa');
    expect(ana.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: created[0].id, role: 'agent' } });
    expect((await call('GET', '/api/v1/auth/me', undefined, { token: ana.body.accessToken })).body).toMatchObject({ subject: created[0].id, user: { name: 'Ana' } });

    const started = await call('POST', '/api/v1/conversations', { message: 'quero falar com um atendente humano' });
    const id = started.body.conversationId as string;
    expect((await call('POST', `/api/v1/conversations/${id}/claim`, {}, { token: ana.body.accessToken })).status).toBe(200);
    const intruder = await call('POST', `/api/v1/conversations/${id}/agent-messages`, { text: 'sou eu agora' }, { token: bruno.body.accessToken });
    expect(intruder.status).toBe(409);
    expect(intruder.body.error).toBe('not_holding_conversation');
    const staffView = await call('GET', `/api/v1/conversations/${id}`, undefined, { token: admin.token });
    expect(staffView.body.state.agent.agentId).toBe(created[0].id);

    const asked = await call('POST', '/api/ai/assistant/chat', { message: 'Como configuro um follow-up automático?' }, { token: ana.body.accessToken });
    expect(asked.status).toBe(200);
    expect((await call('GET', '/api/ai/assistant/conversations', undefined, { token: bruno.body.accessToken })).body.data).toEqual([]);
    expect((await call('GET', `/api/ai/assistant/conversations/${asked.body.data.conversationId}/messages`, undefined, { token: bruno.body.accessToken })).status).toBe(404);
    await suite.stack.client.workflow.getHandle(conversationWorkflowId(id)).signal(closeSignal, { reason: 'test' });
  });

  test('a refresh token rotates, a spent one is refused (and ends the family), a revoked or disabled user cannot refresh or log in', async () => {
    const admin = await firstAdmin();
    const made = await call('POST', '/api/v1/users', { email: 'carla@example.com', name: 'Carla', role: 'agent', password: 'outra senha longa' }, { token: admin.token });
    const carla = made.body.user;
    const session = await login('carla@example.com', 'outra senha longa');
    expect(session.headers.get('set-cookie')).toMatch(/^atende_refresh=/);
    expect(session.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(session.headers.get('set-cookie')).toMatch(/Path=\/api\/v1\/auth/);

    const renewed = await call('POST', '/api/v1/auth/refresh', { refreshToken: session.body.refreshToken });
    expect(renewed.status).toBe(200);
    expect(renewed.body.refreshToken).not.toBe(session.body.refreshToken);
    const reused = await call('POST', '/api/v1/auth/refresh', { refreshToken: session.body.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.message).toMatch(/reused/);
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: renewed.body.refreshToken })).status).toBe(401);

    // by cookie, as the pages do
    const again = await login('carla@example.com', 'outra senha longa');
    const cookie = again.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call('POST', '/api/v1/auth/refresh', {}, { cookie })).status).toBe(200);

    const third = await login('carla@example.com', 'outra senha longa');
    expect((await call('POST', `/api/v1/users/${carla.id}/revoke`, {}, { token: admin.token })).status).toBe(200);
    const revoked = await call('POST', '/api/v1/auth/refresh', { refreshToken: third.body.refreshToken });
    expect(revoked.status).toBe(401);

    const fourth = await login('carla@example.com', 'outra senha longa');
    const logout = await call('POST', '/api/v1/auth/logout', { refreshToken: fourth.body.refreshToken });
    expect(logout.status).toBe(204);
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: fourth.body.refreshToken })).status).toBe(401);

    expect((await call('PATCH', `/api/v1/users/${carla.id}`, { disabled: true }, { token: admin.token })).body.user.disabled).toBe(true);
    expect((await login('carla@example.com', 'outra senha longa')).status).toBe(401);
  });

  test('wrong passwords and unknown e-mails get the same 401; agents cannot manage users; a login link works once', async () => {
    const admin = await firstAdmin();
    const made = await call('POST', '/api/v1/users', { email: 'davi@example.com', name: 'Davi', role: 'agent', password: 'senha do davi 123' }, { token: admin.token });
    const wrong = await login('davi@example.com', 'senha errada aqui');
    const unknown = await login('ninguem@example.com', 'senha errada aqui');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const { requestId: _first, ...wrongBody } = wrong.body;
    const { requestId: _second, ...unknownBody } = unknown.body;
    expect(wrongBody).toEqual(unknownBody);
    const short = await call('POST', '/api/v1/users', { email: 'eva@example.com', name: 'Eva', role: 'agent', password: 'curta' }, { token: admin.token });
    expect(short.status).toBe(422);
    expect(short.body.issues[0].path).toBe('password');

    const davi = await login('davi@example.com', 'senha do davi 123');
    expect((await call('GET', '/api/v1/users', undefined, { token: davi.body.accessToken })).status).toBe(403);

    const link = await call('POST', `/api/v1/users/${made.body.user.id}/login-link`, {}, { token: admin.token });
    expect(link.status).toBe(201);
    const used = await call('POST', '/api/v1/auth/link', { code: link.body.code });
    expect(used.status).toBe(200);
    expect(used.body.user.email).toBe('davi@example.com');
    expect((await call('POST', '/api/v1/auth/link', { code: link.body.code })).status).toBe(401);
  });
});
