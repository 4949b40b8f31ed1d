import type { Page } from 'playwright-core';
import { mintToken } from '../api/auth';
import { browserTestFor, servedApp } from './support/browser';

/**
 * The console's accessibility, audited by axe-core (the engine behind Lighthouse's and most
 * browser extensions' checks) in Chromium: WCAG 2.1 A and AA rules, contrast included, on each
 * page in the state people use it — the chat mid-conversation, the inbox with a conversation
 * open, every admin tab, the dashboard.
 */
const browserTest = browserTestFor('accessibility');
const secret = 'a11y-secret';
const app = servedApp(secret);
const AXE = require.resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function audit(page: Page, where: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations.map((violation) => `${where}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.nodes.slice(0, 4).map((node) => node.target.join(' ')).join(', ')}`);
}

browserTest('the chat, the inbox, every admin tab and the dashboard pass axe-core\'s WCAG 2.1 A and AA rules', async () => {
  const browser = await app.browser();
  const found: string[] = [];

  const chat = await browser.newPage();
  await chat.goto(`${app.base}/`);
  await chat.locator('.msg.bot').first().waitFor();
  await chat.fill('#text', 'preciso da segunda via do boleto');
  await chat.press('#text', 'Enter');
  await chat.locator('.msg.bot', { hasText: 'CPF' }).waitFor();
  found.push(...(await audit(chat, '/')));

  const started = await fetch(`${app.base}/api/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: { name: 'Aurora Acessível' } }) });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  for (const text of ['quero falar com um atendente', 'problema com minha apólice']) {
    await fetch(`${app.base}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text }) });
  }
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const inbox = await browser.newPage();
  await inbox.goto(`${app.base}/inbox#token=${agent}`);
  await inbox.locator('#queue li', { hasText: 'Aurora Acessível' }).click();
  await inbox.locator('#transcript .msg.customer').first().waitFor();
  found.push(...(await audit(inbox, '/inbox')));

  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const console_ = await browser.newPage();
  await console_.goto(`${app.base}/admin#token=${admin}`);
  await console_.locator('#script-list button').first().waitFor();
  found.push(...(await audit(console_, '/admin scripts')));
  for (const tab of ['knowledge', 'persona', 'hours', 'team', 'webhooks', 'agents', 'models', 'settings']) {
    await console_.click(`nav button[data-tab="${tab}"]`);
    await console_.waitForTimeout(300);
    found.push(...(await audit(console_, `/admin ${tab}`)));
  }

  const dashboard = await browser.newPage();
  await dashboard.goto(`${app.base}/dashboard#token=${admin}`);
  await dashboard.waitForLoadState('networkidle');
  found.push(...(await audit(dashboard, '/dashboard')));

  expect(found).toEqual([]);
});
