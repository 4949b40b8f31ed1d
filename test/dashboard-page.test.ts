import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { validCpf } from './support/stack';
import { browserTestFor, screenshotPath, servedApp } from './support/browser';
import { until } from './support/until';

/**
 * The service dashboard end to end: real conversations through the stack (one resolved by the
 * bot and rated, one escalated and resolved by an agent, one abandoned), the numbers read from
 * the API, and the same numbers read from the page in headless Chromium.
 */
const browserTest = browserTestFor('dashboard page');
const secret = 'dashboard-page-secret';
const app = servedApp(secret);

async function api(method: string, route: string, body?: unknown, token?: string, target?: { request: (path: string, init: RequestInit) => Response | Promise<Response> }) {
  const init = {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const response = target ? await target.request(route, init) : await fetch(`${app.base}${route}`, init);
  return { status: response.status, body: (await response.json()) as any };
}

async function conversationSaying(texts: string[], target?: Parameters<typeof api>[4]) {
  const started = await api('POST', '/api/v1/conversations', { message: texts[0], customer: { name: 'Cliente Painel' } }, undefined, target);
  expect(started.status).toBe(201);
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  let state = started.body.state;
  for (const text of texts.slice(1)) {
    const said = await api('POST', `/api/v1/conversations/${conversationId}/messages`, { text }, token, target);
    expect(said.status).toBe(200);
    state = said.body.state;
  }
  return { conversationId, state };
}

browserTest('real conversations (bot-resolved and rated, agent-resolved, abandoned) show the same figures in the API and on every tab of the page', async () => {
  const { tenantId } = app.stack;
  const agent = await mintToken(secret, { role: 'agent', tenant: tenantId, subject: 'ana' });

  const byBot = await conversationSaying(['preciso da segunda via do boleto', validCpf, 'março', 'maria@exemplo.com', 'sim', 'obrigado!', '5']);
  expect(byBot.state.csat).toMatchObject({ score: 5 });

  const escalated = await conversationSaying(['quero falar com um atendente', 'é sobre a minha apólice']);
  expect((await api('POST', `/api/v1/conversations/${escalated.conversationId}/claim`, undefined, agent)).status).toBe(200);
  expect((await api('POST', `/api/v1/conversations/${escalated.conversationId}/agent-messages`, { text: 'Oi, sou a Ana. Já vejo sua apólice.' }, agent)).status).toBe(201);
  expect((await api('POST', `/api/v1/conversations/${escalated.conversationId}/resolve`, { note: 'Apólice reenviada.' }, agent)).status).toBe(200);

  // the same app with a short patience: a question left unanswered is abandoned within seconds
  const impatient = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ inactivity: { nudgeAfterMs: 1_000, abandonAfterMs: 1_000, resumeWithinMs: 86_400_000 } }) });
  const abandoned = await conversationSaying(['quero fazer uma cotação de seguro'], impatient);

  const summary = await until(
    async () => (await api('GET', '/api/v1/analytics/summary', undefined, agent)).body,
    (body) => body.abandoned?.count === 1 && body.resolution?.resolved === 2,
    'the facts of all three conversations',
  );
  expect(summary.volume.conversations).toBe(3);
  expect(summary.resolution).toMatchObject({ resolved: 2, byBot: 1, byAgent: 1, finished: 3 });
  expect(summary.escalation).toEqual({ escalated: 1, rate: 1 / 3 });
  expect(summary.csat).toMatchObject({ responses: 1, average: 5, satisfiedShare: 1 });
  expect(summary.firstResponse.bot.median).toBeGreaterThanOrEqual(0);
  expect(summary.firstResponse.bot.median).toBeLessThan(30);
  expect(summary.firstResponse.human.median).toBeGreaterThanOrEqual(0);
  const listed = await api('GET', '/api/v1/conversations', undefined, agent);
  expect(listed.body.items.map((item: { id: string }) => item.id).sort()).toEqual([byBot.conversationId, escalated.conversationId, abandoned.conversationId].sort());

  const context = await (await app.browser()).newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${app.base}/dashboard#token=${agent}`);
  expect(page.url()).not.toContain('token=');
  const kpi = (name: string) => page.locator(`[data-kpi="${name}"] .value`);
  await kpi('conversations').filter({ hasText: '3' }).waitFor();
  expect(await kpi('resolutionRate').textContent()).toBe('66,7%');
  expect(await kpi('escalationRate').textContent()).toBe('33,3%');
  expect(await kpi('csat').textContent()).toBe('5,0');
  expect(await kpi('abandoned').textContent()).toBe('1');
  // the agent who resolved the escalated conversation, in the performance table
  const ana = page.locator('#agents tr[data-agent="ana"] td');
  await ana.first().waitFor();
  expect(await ana.allTextContents()).toEqual(['ana', '1', '1', '0', '100,0%', expect.stringMatching(/s$/), '—']);
  await page.waitForFunction(() => document.querySelectorAll('canvas').length > 0 && typeof (window as unknown as { Chart?: unknown }).Chart === 'function');
  await page.screenshot({ path: screenshotPath('dashboard-overview.png'), fullPage: true });

  await page.click('button[data-tab="times"]');
  await page.locator('#sla .band').first().waitFor();
  expect(await page.locator('#times-table tr').count()).toBe(4);
  await page.screenshot({ path: screenshotPath('dashboard-times.png'), fullPage: true });

  await page.click('button[data-tab="temporal"]');
  await page.locator('#heatmap tr').nth(7).waitFor();
  const heatTotal = await page.locator('#heatmap td').evaluateAll((cells) => cells.reduce((sum, cell) => sum + Number(cell.textContent || 0), 0));
  expect(heatTotal).toBe(3);
  await page.screenshot({ path: screenshotPath('dashboard-temporal.png'), fullPage: true });

  await page.click('button[data-tab="frustration"]');
  await page.locator('[data-kpi="frustrationAverage"]').waitFor();
  await page.screenshot({ path: screenshotPath('dashboard-frustration.png'), fullPage: true });

  await page.click('button[data-tab="details"]');
  await page.locator('#conversations tr[data-conversation]').nth(2).waitFor();
  expect(await page.locator('#conversations tr[data-conversation]').count()).toBe(3);
  expect(await page.locator(`#conversations tr[data-conversation="${escalated.conversationId}"] a`).getAttribute('href')).toBe(`/inbox#${escalated.conversationId}`);
  await page.fill('#search', 'cotação');
  await page.click('#search-button');
  await page.locator('#conversations tr[data-conversation]').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#conversations tr[data-conversation]').length === 1);
  expect(await page.locator('#conversations tr[data-conversation]').getAttribute('data-conversation')).toBe(abandoned.conversationId);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-button')]);
  const csv = await (await download.createReadStream())!.toArray();
  const lines = Buffer.concat(csv).toString().trim().split('\n');
  expect(lines[0]).toMatch(/^conversation_id,created_at,updated_at,status,priority/);
  expect(lines).toHaveLength(4);
  await page.screenshot({ path: screenshotPath('dashboard-details.png'), fullPage: true });

  // a phone: nothing wider than the screen
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('button[data-tab="overview"]');
  await kpi('conversations').filter({ hasText: '3' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: screenshotPath('dashboard-390.png'), fullPage: true });

  // live: a new conversation shows up without a reload, through the tenant event stream
  await page.locator('#live').waitFor();
  await conversationSaying(['bom dia']);
  await kpi('conversations').filter({ hasText: '4' }).waitFor({ timeout: 10_000 });
  await context.close();
});
