import type { Page } from 'playwright-core';
import { mintToken } from '../api/auth';
import { createLoginLink, createUser } from '../db/users';
import { createWebhook, disableWebhook } from '../db/webhooks';
import { hashPassword } from '../lib/passwords';
import { browserTestFor, screenshotPath, servedApp } from './support/browser';
import { validCpf } from './support/stack';

const browserTest = browserTestFor('inbox page');
const secret = 'inbox-page-secret';
const app = servedApp(secret);

async function api(method: string, route: string, body?: unknown, token?: string) {
  const response = await fetch(`${app.base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A customer who asked for a person (handed over at once) and then said what it is about: waiting in the inbox. */
async function waitingCustomer(name: string) {
  const started = await api('POST', '/api/v1/conversations', { customer: { name } });
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  for (const text of ['quero falar com um atendente', 'problema com minha apólice']) {
    await api('POST', `/api/v1/conversations/${conversationId}/messages`, { text }, token);
  }
  return { conversationId, token };
}

async function customerMessages(conversation: { conversationId: string; token: string }) {
  return (await api('GET', `/api/v1/conversations/${conversation.conversationId}/messages`, undefined, conversation.token)).body.messages as { role: string; text: string }[];
}

async function openInbox(agent: string): Promise<Page> {
  const page = await (await (await app.browser()).newContext()).newPage();
  await page.goto(`${app.base}/inbox#token=${agent}`);
  return page;
}

browserTest('an agent finds the waiting customer, claims, talks while the bot is silent, hands back, and resolves a second escalation', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const customer = await waitingCustomer('Beatriz Lima');
  const page = await openInbox(agent);

  expect(page.url()).not.toContain('token=');
  await page.locator('#me', { hasText: 'ana' }).waitFor();
  const row = page.locator('#queue li', { hasText: 'Beatriz Lima' });
  await row.waitFor();
  expect(await row.textContent()).toMatch(/pediu para falar com uma pessoa/);
  await row.click();
  await page.locator('#transcript .msg.customer', { hasText: 'quero falar com um atendente' }).waitFor();
  await page.locator('#transcript .msg.customer', { hasText: 'problema com minha apólice' }).waitFor();
  expect(await page.isDisabled('#text')).toBe(true);

  await page.click('#claim');
  await page.locator('#meta', { hasText: 'atendente: ana' }).waitFor();
  expect(await page.isEnabled('#text')).toBe(true);
  await page.fill('#text', 'Oi Beatriz, sou a Ana. Qual é o problema com a apólice?');
  await page.press('#text', 'Enter');
  await page.locator('#transcript .msg.agent', { hasText: 'sou a Ana' }).waitFor();
  expect((await customerMessages(customer)).filter((message) => message.role === 'agent').map((message) => message.text)).toEqual([
    'Oi Beatriz, sou a Ana. Qual é o problema com a apólice?',
  ]);

  const quiet = await api('POST', `/api/v1/conversations/${customer.conversationId}/messages`, { text: 'o endereço está errado' }, customer.token);
  expect(quiet.body.replies).toEqual([]);
  await page.locator('#transcript .msg.customer', { hasText: 'o endereço está errado' }).waitFor();

  await page.click('#handback');
  await page.locator('#meta', { hasText: 'com o bot' }).waitFor();
  expect(await page.isDisabled('#text')).toBe(true);
  const resumed = await api('POST', `/api/v1/conversations/${customer.conversationId}/messages`, { text: 'preciso da segunda via do boleto' }, customer.token);
  expect(resumed.body.replies.map((reply: { text: string }) => reply.text).join()).toMatch(/CPF/);

  await api('POST', `/api/v1/conversations/${customer.conversationId}/messages`, { text: 'quero falar com um humano' }, customer.token);
  await page.locator('#meta', { hasText: 'aguardando atendente' }).waitFor();
  await page.click('#claim');
  await page.locator('#meta', { hasText: 'atendente: ana' }).waitFor();
  await page.click('#resolve');
  // a dialog, not the browser's prompt(): the final note is optional
  await page.locator('#resolve-dialog[open]').waitFor();
  await page.fill('#resolve-note', 'Pronto, resolvido por aqui.');
  await page.click('#resolve-confirm');
  await page.locator('#meta', { hasText: 'resolvida' }).waitFor();
  const last = (await customerMessages(customer)).slice(-2);
  expect(last.map((message) => message.role)).toEqual(['agent', 'bot']);
  expect(last[0]!.text).toBe('Pronto, resolvido por aqui.');
  expect(last[1]!.text).toMatch(/concluído pela nossa equipe/);
  await page.screenshot({ path: screenshotPath('inbox-page.png') });
});

browserTest('when another agent took the conversation first, then the page says so instead of failing silently', async () => {
  const [ana, bruno] = await Promise.all([
    mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' }),
    mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'bruno' }),
  ]);
  const customer = await waitingCustomer('Carlos Dias');
  const page = await openInbox(ana);
  await page.locator('#queue li', { hasText: 'Carlos Dias' }).click();
  await page.locator('#claim:not([disabled])').waitFor();
  // bruno claims while ana's click is on its way: the race the page must report, made certain
  await page.route(`**/api/v1/conversations/${customer.conversationId}/claim`, async (route) => {
    expect((await api('POST', `/api/v1/conversations/${customer.conversationId}/claim`, undefined, bruno)).status).toBe(200);
    await route.continue();
  });
  await page.click('#claim');
  await page.locator('#notice', { hasText: 'already claimed by bruno' }).waitFor();
  await page.locator('#meta', { hasText: 'atendente: bruno' }).waitFor();
  expect(await page.isDisabled('#text')).toBe(true);
});

browserTest('with the event stream, another agent\'s claim shows at once: the open conversation names them and cannot be claimed', async () => {
  const [ana, bruno] = await Promise.all([
    mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' }),
    mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'bruno' }),
  ]);
  const customer = await waitingCustomer('Elisa Rocha');
  const page = await openInbox(ana);
  await page.locator('#queue li', { hasText: 'Elisa Rocha' }).click();
  await page.locator('#claim:not([disabled])').waitFor();
  const claimedAt = Date.now();
  expect((await api('POST', `/api/v1/conversations/${customer.conversationId}/claim`, undefined, bruno)).status).toBe(200);
  await page.locator('#meta', { hasText: 'atendente: bruno' }).waitFor();
  // while the stream is up the page does not poll (only a 30 s safety net): seeing it this soon means the stream told it
  expect(Date.now() - claimedAt).toBeLessThan(10_000);
  expect(await page.isDisabled('#claim')).toBe(true);
});

browserTest('a customer token is refused at the inbox login', async () => {
  const customer = await waitingCustomer('Dora');
  const page = await openInbox(customer.token);
  await page.locator('#login-error', { hasText: 'não é um token de atendente' }).waitFor();
  expect(await page.isHidden('#app')).toBe(true);
});

browserTest('a person logs in with e-mail and password, is named in the page, and claims as themself; a one-time link logs in once', async () => {
  const user = await createUser(app.stack.db, { tenantId: app.stack.tenantId, email: `helena-${Date.now()}@example.com`, name: 'Helena Prado', role: 'agent', passwordHash: await hashPassword('senha da helena 1') });
  const customer = await waitingCustomer('Igor Nunes');
  const page = await (await (await app.browser()).newContext()).newPage();
  await page.goto(`${app.base}/inbox`);
  await page.locator('#password-login').waitFor();
  await page.fill('#email', user.email);
  await page.fill('#password', 'senha errada demais');
  await page.click('#password-button');
  await page.locator('#login-error', { hasText: 'E-mail ou senha incorretos' }).waitFor();
  await page.screenshot({ path: screenshotPath('inbox-login.png') });
  await page.fill('#password', 'senha da helena 1');
  await page.click('#password-button');
  await page.locator('#me', { hasText: 'Helena Prado' }).waitFor();
  expect(await page.evaluate(() => localStorage.getItem('atende.agentToken'))).toBeNull();
  await page.locator('#queue li', { hasText: 'Igor Nunes' }).click();
  await page.click('#claim');
  await page.locator('#meta', { hasText: 'atendente: Helena Prado' }).waitFor();
  const state = (await api('GET', `/api/v1/conversations/${customer.conversationId}`, undefined, await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'check' }))).body.state;
  expect(state.agent.agentId).toBe(user.id);

  // a reload keeps the session through the refresh cookie, without any token in storage
  await page.reload();
  await page.locator('#me', { hasText: 'Helena Prado' }).waitFor();

  const code = await createLoginLink(app.stack.db, user.id, 900);
  const linked = await (await (await app.browser()).newContext()).newPage();
  await linked.goto(`${app.base}/inbox#login=${code}`);
  await linked.locator('#me', { hasText: 'Helena Prado' }).waitFor();
  expect(linked.url()).not.toContain('login=');
  const reused = await (await (await app.browser()).newContext()).newPage();
  await reused.goto(`${app.base}/inbox#login=${code}`);
  await reused.locator('#login-error', { hasText: 'já foi usado' }).waitFor();
});

browserTest('an admin is told in the inbox when a webhook endpoint is disabled, live, until they mark it read; agents are not', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const first = await createWebhook(app.stack.db, app.stack.tenantId, { url: 'https://crm.example.com/hooks/atende', events: ['*'], description: 'CRM' });
  expect(await disableWebhook(app.stack.db, first.webhook.id, 'gone')).toBe(true);
  // a retried activity tells nobody twice
  expect(await disableWebhook(app.stack.db, first.webhook.id, 'gone')).toBe(false);

  const page = await openInbox(admin);
  const notice = page.locator('#notices li', { hasText: 'crm.example.com' });
  await notice.waitFor();
  expect(await notice.textContent()).toMatch(/Webhook desativado.*410 Gone/);
  expect(await page.locator('#notices li').count()).toBe(1);

  // a second endpoint disabled while the page is open shows up through the event stream
  const second = await createWebhook(app.stack.db, app.stack.tenantId, { url: 'https://bi.example.com/in', events: ['*'] });
  await disableWebhook(app.stack.db, second.webhook.id, 'failing');
  await page.locator('#notices li', { hasText: 'bi.example.com' }).waitFor();
  await page.screenshot({ path: screenshotPath('inbox-notices.png') });

  await notice.getByRole('button', { name: 'Entendi' }).click();
  await notice.waitFor({ state: 'detached' });
  expect(await page.locator('#notices li').count()).toBe(1);

  const agentPage = await openInbox(agent);
  await agentPage.locator('#me', { hasText: 'ana' }).waitFor();
  expect(await agentPage.locator('#notices li').count()).toBe(0);
});

browserTest("an agent's day: a new escalation rings, a keystroke claims it, a canned response answers, a private note stays private", async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  await api('POST', '/api/v1/canned-responses', { shortcut: 'prazo', title: 'Prazo de análise', text: 'A análise leva até 5 dias úteis; avisamos por e-mail.' }, admin);
  const page = await openInbox(agent);
  await page.locator('#me', { hasText: 'ana' }).waitFor();
  await page.locator('#queue').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#queue li').length > 0 || !document.getElementById('empty')!.hidden);

  const customer = await waitingCustomer('Fernanda Alves');
  // the stream brings it; the page rings and says so
  await page.locator('#queue li', { hasText: 'Fernanda Alves' }).waitFor();
  await page.waitForFunction(() => ((window as unknown as { atendeAlerts?: number }).atendeAlerts ?? 0) >= 1);
  expect(await page.locator('#notice').textContent()).toMatch(/nova conversa na fila/i);

  // search and filters narrow the queue (a conversation of bruno's to tell apart)
  const bruno = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'bruno' });
  const taken = await waitingCustomer('Gustavo Reis');
  expect((await api('POST', `/api/v1/conversations/${taken.conversationId}/claim`, undefined, bruno)).status).toBe(200);
  await page.locator('#queue li', { hasText: 'Gustavo Reis' }).locator('.badge.claimed').waitFor();
  await page.fill('#search', 'fernanda');
  await page.waitForFunction(() => document.querySelectorAll('#queue li').length === 1);
  expect(await page.locator('#queue li').textContent()).toMatch(/Fernanda Alves/);
  await page.fill('#search', '');
  await page.selectOption('#f-agent', 'bruno');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#queue li')).every((li) => li.querySelector('.badge.claimed')?.textContent === 'com bruno') && document.querySelectorAll('#queue li').length > 0);
  await page.selectOption('#f-agent', '-');
  await page.waitForFunction(() => document.querySelectorAll('#queue li').length > 0 && document.querySelectorAll('#queue li .badge.claimed').length === 0);
  await page.selectOption('#f-agent', '');

  await page.locator('#queue li', { hasText: 'Fernanda Alves' }).click();
  await page.locator('#transcript .msg.customer .by', { hasText: 'Cliente' }).first().waitFor();
  expect(await page.locator('#transcript .msg.bot .by').first().textContent()).toMatch(/^Bot\d{2}:\d{2}$/);
  await page.keyboard.press('c');
  await page.locator('#meta', { hasText: 'atendente: ana' }).waitFor();
  await page.fill('#text', '/pra');
  await page.locator('#canned li', { hasText: 'Prazo de análise' }).waitFor();
  await page.press('#text', 'Enter');
  expect(await page.inputValue('#text')).toBe('A análise leva até 5 dias úteis; avisamos por e-mail.');
  await page.press('#text', 'Enter');
  await page.locator('#transcript .msg.agent', { hasText: '5 dias úteis' }).waitFor();

  await page.fill('#note-text', 'Cliente já ligou duas vezes; priorizar.');
  await page.click('#note-form button');
  await page.locator('#notes li', { hasText: 'priorizar' }).waitFor();
  expect(await page.locator('#notes li small').first().textContent()).toMatch(/^ana · \d{2}:\d{2}$/);
  const seen = await customerMessages(customer);
  expect(seen.map((message) => message.text).join('\n')).not.toMatch(/priorizar/);
  expect(seen.filter((message) => message.role === 'agent').map((message) => message.text)).toEqual(['A análise leva até 5 dias úteis; avisamos por e-mail.']);
  expect(await page.locator('#contact').textContent()).toMatch(/Fernanda Alves/);
  await page.screenshot({ path: screenshotPath('inbox-workspace-1280.png') });

  // the same page on a phone: the queue, then the conversation with a way back
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: screenshotPath('inbox-workspace-390.png'), fullPage: true });
  await page.click('#back');
  await page.locator('#queue li', { hasText: 'Fernanda Alves' }).waitFor();
  await page.screenshot({ path: screenshotPath('inbox-queue-390.png') });
});

browserTest("the contact panel lists the customer's past conversations, by e-mail, with the score they gave", async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const email = `lucia-${Date.now()}@exemplo.com`;
  // a conversation last week: the boleto, resolved, rated 4
  const before = (await api('POST', '/api/v1/conversations', { message: 'preciso da segunda via do boleto', customer: { name: 'Lúcia Reis', email } })).body as { conversationId: string; token: string };
  for (const text of [validCpf, 'março', email, 'sim', 'obrigada', '4']) await api('POST', `/api/v1/conversations/${before.conversationId}/messages`, { text }, before.token);
  // today she asks for a person
  const today = (await api('POST', '/api/v1/conversations', { customer: { name: 'Lúcia Reis', email } })).body as { conversationId: string; token: string };
  for (const text of ['quero falar com um atendente', 'problema com minha apólice']) await api('POST', `/api/v1/conversations/${today.conversationId}/messages`, { text }, today.token);
  // someone else with the same name is not her
  await api('POST', '/api/v1/conversations', { message: 'oi', customer: { name: 'Lúcia Reis', email: 'outra@exemplo.com' } });

  const page = await openInbox(agent);
  await page.locator('#queue li', { hasText: 'Lúcia Reis' }).first().click();
  const past = page.locator('#past li');
  await past.first().waitFor();
  expect(await past.count()).toBe(1);
  expect(await past.first().textContent()).toMatch(/Segunda via do boleto.*resolvido.*nota 4\/5/);
  await past.first().click();
  await page.locator('#transcript .msg.customer', { hasText: 'preciso da segunda via do boleto' }).waitFor();
});

browserTest('unread counts: the customer\'s messages since this agent last read the conversation, on the queue and in the title, cleared by opening it', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'carla' });
  const customer = await waitingCustomer('Helena Unread');
  const other = await waitingCustomer('Otávio Outro');
  const page = await openInbox(agent);
  await page.locator('#me', { hasText: 'carla' }).waitFor();
  // never opened by carla: both customer lines are unread
  const row = page.locator('#queue li', { hasText: 'Helena Unread' });
  await row.locator('.badge.unread', { hasText: '2' }).waitFor();
  expect(await row.locator('.badge.unread').getAttribute('aria-label')).toBe('2 mensagens não lidas');
  await page.waitForFunction(() => /não lidas\) /.test(document.title));

  // opening it reads it: the badge goes, for carla only
  await row.click();
  await page.locator('#transcript .msg.customer').first().waitFor();
  const carlaQueue = async () => (await api('GET', '/api/v1/inbox', undefined, agent)).body.items as { conversationId: string; unread: number }[];
  const until = async (check: () => Promise<boolean>) => { for (let i = 0; i < 50 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 100)); };
  await until(async () => (await carlaQueue()).find((item) => item.conversationId === customer.conversationId)?.unread === 0);
  expect((await carlaQueue()).find((item) => item.conversationId === customer.conversationId)?.unread).toBe(0);
  const dora = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'dora' });
  expect(((await api('GET', '/api/v1/inbox', undefined, dora)).body.items as { conversationId: string; unread: number }[]).find((item) => item.conversationId === customer.conversationId)?.unread).toBe(2);

  // while carla reads another conversation, Helena writes again: one unread, live
  await page.locator('#queue li', { hasText: 'Otávio Outro' }).click();
  await api('POST', `/api/v1/conversations/${customer.conversationId}/messages`, { text: 'alguém aí?' }, customer.token);
  await page.locator('#queue li', { hasText: 'Helena Unread' }).locator('.badge.unread', { hasText: '1' }).waitFor();
  expect(await page.locator('#queue li', { hasText: 'Otávio Outro' }).locator('.badge.unread').count()).toBe(0);

  // a read mark never moves back, and a bad one is refused naming the field
  expect((await api('POST', `/api/v1/conversations/${other.conversationId}/read`, { seq: 0 }, agent)).body.seq).toBeGreaterThan(0);
  const bad = await api('POST', `/api/v1/conversations/${other.conversationId}/read`, { seq: 'x' }, agent);
  expect(bad.status).toBe(422);
  expect(JSON.stringify(bad.body)).toContain('seq');
});
