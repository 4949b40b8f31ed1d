import fs from 'node:fs';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { startAppStack, type AppStack } from './support/app-stack';
import { freePort } from './support/global-setup';
import { testStack, validCpf } from './support/stack';
import { mintToken } from '../api/auth';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => fs.existsSync(candidate));
const browserTest = CHROMIUM ? test : test.skip;
if (!CHROMIUM) console.warn('Chromium is not installed (apt-get install chromium); the chat page browser test is skipped');

let stack: AppStack;
let server: ServerType;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  stack = await startAppStack('chat-page-secret');
  const port = await freePort();
  server = serve({ fetch: stack.app.fetch, port, hostname: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.stop();
});

browserTest('a person opens the chat page, is greeted, states a demand and answers a question', async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/`);
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
  await page.screenshot({ path: path.join(testStack().dir, 'chat-page.png') });
});

browserTest('when an agent takes over, then the chat page shows the agent\'s message, marked as the team\'s', async () => {
  const page = await browser!.newPage();
  await page.goto(`${base}/`);
  await page.locator('.msg.bot').first().waitFor();
  for (const text of ['quero falar com um atendente', 'problema com minha apólice', 'sim']) {
    const before = await page.locator('.msg').count();
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    await page.waitForFunction((count) => document.querySelectorAll('.msg').length > count + 1, before);
  }
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('atende.conversation')))!) as { conversationId: string };
  const agent = await mintToken('chat-page-secret', { role: 'agent', tenant: stack.tenantId, subject: 'ana' });
  const call = (route: string, body?: unknown) =>
    stack.app.request(`/api/v1/conversations/${session.conversationId}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  expect((await call('/claim')).status).toBe(200);
  expect((await call('/agent-messages', { text: 'Oi, aqui é a Ana da equipe.' })).status).toBe(201);
  const bubble = page.locator('.msg.agent', { hasText: 'aqui é a Ana' });
  await bubble.waitFor({ timeout: 10_000 });
  expect(await bubble.evaluate((node) => getComputedStyle(node, '::before').content)).toBe('"Atendente"');
  await page.locator('.msg.system', { hasText: 'ana (atendente) entrou na conversa' }).waitFor();
});
