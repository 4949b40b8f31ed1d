import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintToken } from '../api/auth';
import { browserTestFor, screenshotPath, servedApp } from './support/browser';
import { validCpf } from './support/stack';

const browserTest = browserTestFor('chat page');
const app = servedApp('chat-page-secret');

browserTest('a person opens the chat page, is greeted, states a demand and answers a question', async () => {
  const page = await (await app.browser()).newPage();
  await page.goto(`${app.base}/`);
  await page.locator('.msg.bot').first().waitFor();
  expect(await page.locator('.msg.bot').first().textContent()).toMatch(/como posso te ajudar/);

  await page.fill('#text', 'preciso da segunda via do boleto');
  await page.click('#send');
  await page.locator('.msg.bot', { hasText: 'CPF' }).waitFor();
  await page.fill('#text', validCpf);
  await page.press('#text', 'Enter');
  await page.locator('.msg.bot', { hasText: 'Qual parcela' }).waitFor();

  const bubbles = await page.locator('.msg').evaluateAll((nodes) => nodes.map((node) => [node.className, node.querySelector('span')?.textContent, node.querySelector('time')?.textContent]));
  expect(bubbles.filter(([className]) => className === 'msg customer').map(([, text]) => text)).toEqual([
    'preciso da segunda via do boleto',
    validCpf,
  ]);
  // every message says when it was written
  for (const [, , time] of bubbles) expect(time).toMatch(/^\d{2}:\d{2}$/);
  await page.screenshot({ path: screenshotPath('chat-page.png') });
});

browserTest('when an agent takes over, then the chat page shows the agent\'s message from its event stream, marked as the team\'s', async () => {
  const page = await (await app.browser()).newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname + new URL(request.url()).search));
  await page.goto(`${app.base}/`);
  await page.locator('.msg.bot').first().waitFor();
  // a person is called at once; the next message hears that the team will answer
  for (const text of ['quero falar com um atendente', 'problema com minha apólice']) {
    const before = await page.locator('.msg').count();
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    await page.waitForFunction((count) => document.querySelectorAll('.msg').length > count + 1, before);
    // the stream may show the replies before the send finishes; the next message waits for it to end
    await page.waitForFunction(() => document.getElementById('status')!.textContent === '' && !document.querySelector('.msg.pending'));
  }
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('atende.conversation')))!) as { conversationId: string };
  const agent = await mintToken('chat-page-secret', { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const call = (route: string, body?: unknown) =>
    app.stack.app.request(`/api/v1/conversations/${session.conversationId}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  expect(requests.filter((url) => url.includes('/events?'))).toHaveLength(1);
  requests.length = 0;
  expect((await call('/claim')).status).toBe(200);
  expect((await call('/agent-messages', { text: 'Oi, aqui é a Ana da equipe.' })).status).toBe(201);
  const bubble = page.locator('.msg.agent', { hasText: 'aqui é a Ana' });
  await bubble.waitFor({ timeout: 10_000 });
  expect(await bubble.evaluate((node) => getComputedStyle(node, '::before').content)).toBe('"Atendente"');
  // the agent's words came by server-sent events, not by asking for messages
  expect(requests.filter((url) => url.includes('/messages'))).toEqual([]);
  await page.locator('.msg.system', { hasText: 'ana (atendente) entrou na conversa' }).waitFor();
});

browserTest('the customer taps quick replies: Sim to confirm, then a score from 1 to 5', async () => {
  const page = await (await app.browser()).newPage({ viewport: { width: 390, height: 760 } });
  await page.goto(`${app.base}/`);
  await page.locator('.msg.bot').first().waitFor();
  for (const [text, next] of [
    ['preciso da segunda via do boleto', 'CPF'],
    [validCpf, 'Qual parcela'],
    ['março', 'e-mail'],
    ['maria@exemplo.com', 'Confere'],
  ] as const) {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    await page.locator('.msg.bot', { hasText: next }).last().waitFor();
  }
  await page.locator('#quick button', { hasText: 'Sim' }).waitFor();
  expect(await page.locator('#quick button').allTextContents()).toEqual(['Sim', 'Não']);
  await page.screenshot({ path: screenshotPath('chat-quick-replies-390.png') });
  await page.click('#quick button:has-text("Sim")');
  await page.locator('.msg.bot', { hasText: 'protocolo' }).waitFor();
  expect(await page.locator('#quick button').count()).toBe(0);
  await page.fill('#text', 'obrigado!');
  await page.press('#text', 'Enter');
  await page.locator('#quick button', { hasText: '5' }).waitFor();
  expect(await page.locator('#quick button').allTextContents()).toEqual(['1', '2', '3', '4', '5']);
  await page.click('#quick button:has-text("5")');
  await page.locator('.msg.customer span', { hasText: /^5$/ }).waitFor();
  // nothing overflows the narrow screen
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

browserTest('a message shows at once; when sending fails it says so in Portuguese and is resent with the same id, once', async () => {
  const page = await (await app.browser()).newPage();
  await page.goto(`${app.base}/`);
  await page.locator('.msg.bot').first().waitFor();
  let blocked = true;
  await page.route('**/api/v1/conversations/*/messages', async (route) => {
    if (route.request().method() === 'POST' && blocked) return route.abort('internetdisconnected');
    return route.continue();
  });
  await page.fill('#text', 'preciso da segunda via do boleto');
  await page.press('#text', 'Enter');
  const mine = page.locator('.msg.customer', { hasText: 'segunda via' });
  await mine.locator('button', { hasText: 'Tentar de novo' }).waitFor();
  expect(await mine.getAttribute('class')).toContain('failed');
  expect(await page.locator('#status').textContent()).toMatch(/Sem conexão com o atendimento/);
  blocked = false;
  await mine.locator('button', { hasText: 'Tentar de novo' }).click();
  await page.locator('.msg.bot', { hasText: 'CPF' }).waitFor();
  expect(await mine.getAttribute('class')).toBe('msg customer');
  expect(await page.locator('.msg.customer').count()).toBe(1);
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('atende.conversation')))!) as { conversationId: string; token: string };
  const transcript = await app.stack.app.request(`/api/v1/conversations/${session.conversationId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
  const said = ((await transcript.json()) as { messages: { role: string; text: string }[] }).messages.filter((message) => message.role === 'customer');
  expect(said.map((message) => message.text)).toEqual(['preciso da segunda via do boleto']);
});

browserTest('the widget script puts a chat bubble on any page; it opens the chat for its tenant in a panel', async () => {
  const page = await (await app.browser()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // the customer's site: another origin than Atende's, on loopback too (Chromium keeps a page
  // from loading private addresses unless it is itself on one)
  const site = http.createServer((_, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Loja</title><h1>Loja do cliente</h1><script src="${app.base}/widget.js" data-tenant="${app.stack.tenantId}" data-title="Fale conosco"></script>`),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/loja`);
  const open = page.getByRole('button', { name: 'Abrir Fale conosco' });
  await open.click();
  const chat = page.frameLocator('iframe[title="Fale conosco"]');
  await chat.locator('.msg.bot').first().waitFor();
  await chat.locator('#text').fill('preciso da segunda via do boleto');
  await chat.locator('#text').press('Enter');
  await chat.locator('.msg.bot', { hasText: 'CPF' }).waitFor();
  await page.screenshot({ path: screenshotPath('chat-widget.png') });
  await page.getByRole('button', { name: 'Fechar Fale conosco' }).click();
  expect(await page.locator('#atende-widget').evaluate((host) => host.shadowRoot!.querySelector('.panel')!.classList.contains('shown'))).toBe(false);
  expect(errors).toEqual([]);
  site.close();
});
