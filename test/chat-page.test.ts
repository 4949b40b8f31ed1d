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

  const bubbles = await page.locator('.msg').evaluateAll((nodes) => nodes.map((node) => [node.className, node.textContent]));
  expect(bubbles.filter(([className]) => className === 'msg customer').map(([, text]) => text)).toEqual([
    'preciso da segunda via do boleto',
    validCpf,
  ]);
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
    // the stream may show the replies before the send finishes; the next message waits for the send button
    await page.locator('#send:not([disabled])').waitFor();
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
