import fs from 'node:fs';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { startAppStack, type AppStack } from './support/app-stack';
import { freePort } from './support/global-setup';
import { testStack, validCpf } from './support/stack';

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
