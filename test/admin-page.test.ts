import { mintToken } from '../api/auth';
import { browserTestFor, screenshotPath, servedApp } from './support/browser';
import { until } from './support/until';
import { webhookReceiver } from './support/receiver';
import { Webhook } from 'standardwebhooks';

const browserTest = browserTestFor('admin page');
const secret = 'admin-page-secret';
// the webhook test posts to a receiver on 127.0.0.1
const app = servedApp(secret, { webhooksAllowPrivate: true });
const receiver = webhookReceiver(() => 200);

async function startConversation(message: string) {
  const response = await fetch(`${app.base}/api/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  return (await response.json()) as { state: { script: { id: string } | null } };
}

browserTest('an admin writes a script in the editor, tries a message against the draft, saves it, and a customer is matched to it', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // the browser logs each refused request (the 422 below is one); anything else is a defect
  page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()));
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button', { hasText: 'Segunda via do boleto' }).waitFor();
  expect(page.url()).not.toContain('token=');

  await page.click('#new-script');
  await page.fill('#f-id', 'troca-titular');
  await page.fill('#f-title', 'Troca de titularidade');
  await page.fill('#f-examples', 'quero trocar o titular da apólice\nmudar o titular do seguro\ntransferir o seguro para outra pessoa');
  await page.click('#add-step');
  const second = page.locator('#steps .step').nth(1);
  await second.locator('[data-k="id"]').fill('nome');
  await second.locator('[data-k="question"]').fill('Qual o nome do novo titular?');
  await second.locator('[data-k="label"]').fill('novo titular');

  await page.fill('#try-text', 'preciso mudar o titular do meu seguro');
  await page.click('#try');
  await page.locator('#try-result .candidate.draft').waitFor();
  expect(await page.locator('#try-result .verdict').textContent()).toBe('entende com segurança');
  expect(await page.locator('#try-result .candidate').first().getAttribute('class')).toContain('draft');
  await page.screenshot({ path: screenshotPath('admin-scripts-1280.png'), fullPage: true });

  await page.click('#save');
  await page.locator('#message', { hasText: 'Salvo: versão 1.' }).waitFor();
  await page.locator('#script-list button', { hasText: 'Troca de titularidade' }).waitFor();
  expect((await startConversation('quero trocar o titular da apólice')).state.script?.id).toBe('troca-titular');

  // a second version, and the difference the editor shows
  await page.fill('#f-title', 'Troca de titular');
  await page.click('#save');
  await page.locator('#message', { hasText: 'versão 2' }).waitFor();
  await page.locator('#versions tr').nth(1).waitFor();
  await page.locator('#versions tr').nth(1).locator('button').click();
  await page.locator('#diff .del', { hasText: 'Troca de titularidade' }).waitFor();
  await page.locator('#diff .add', { hasText: 'Troca de titular"' }).waitFor();

  // a bad step is refused naming it, nothing saved
  await page.click('#add-step');
  await page.click('#save');
  await page.locator('#message.error', { hasText: 'steps.2' }).waitFor();
  expect(errors).toEqual([]);
});

browserTest('the admin uploads a document and watches it indexed; settings are saved, or refused naming the field', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage({ viewport: { width: 390, height: 800 } });
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button').first().waitFor();
  await page.click('nav button[data-tab="knowledge"]');
  await page.setInputFiles('#k-file', { name: 'franquia.md', mimeType: 'text/markdown', buffer: Buffer.from('# Franquia\n\nA franquia reduzida custa metade da normal.\n') });
  await page.click('#upload button[type="submit"]');
  await page.locator('#documents tr', { hasText: 'pronto' }).waitFor({ timeout: 20_000 });
  expect(await page.locator('#documents tr').first().textContent()).toMatch(/Franquia.*default.*pronto.*1\/1/);
  await page.screenshot({ path: screenshotPath('admin-knowledge-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page.click('nav button[data-tab="settings"]');
  await page.waitForFunction(() => (document.getElementById('settings') as HTMLTextAreaElement).value.includes('defaultAgent'));
  await page.fill('#settings', JSON.stringify({ csat: { enabled: false } }));
  await page.click('#settings-form button');
  await page.locator('#s-message', { hasText: 'Salvo.' }).waitFor();
  expect(await page.inputValue('#settings')).toContain('"enabled": false');
  await page.fill('#settings', JSON.stringify({ business: { timezone: 'Lua/Crateras' } }));
  await page.click('#settings-form button');
  await page.locator('#s-message', { hasText: 'business.timezone' }).waitFor();
});

browserTest('the admin runs the desk without curl: persona and FAQ, an action prompt, hours and holidays, the escalation policy, and a new agent invited with a one-time link', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()));
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button').first().waitFor();
  const read = async (path: string) => (await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${admin}` } })).json() as Promise<any>;

  // persona: the business, its tone and an FAQ entry, saved where the default agent reads it
  await page.click('nav button[data-tab="persona"]');
  await page.locator('#p-instance', { hasText: /\S/ }).waitFor();
  const instance = (await page.textContent('#p-instance'))!;
  await page.fill('#p-name', 'Segurozinho');
  await page.fill('#p-type', 'seguradora');
  await page.selectOption('#p-tone', 'formal');
  await page.click('#add-faq');
  await page.locator('#faq .faq input').last().fill('Vocês atendem no sábado?');
  await page.locator('#faq .faq textarea').last().fill('Sim, das 8h às 12h.');
  await page.click('#persona-form button[type="submit"]');
  await page.locator('#p-message', { hasText: 'Persona salva.' }).waitFor();
  const persona = (await read(`/api/ai/onboarding/${instance}`)).data;
  expect(persona).toMatchObject({ businessName: 'Segurozinho', businessType: 'seguradora', tone: 'formal' });
  expect(persona.faq).toContainEqual({ question: 'Vocês atendem no sábado?', answer: 'Sim, das 8h às 12h.' });
  await page.click('#p-preview');
  await page.locator('#p-prompt', { hasText: 'Segurozinho' }).waitFor();

  // an action prompt, then switched off from the list
  await page.fill('#pr-name', 'Acalmar reclamações');
  await page.selectOption('#pr-type', 'COMPLAINT_HANDLING');
  await page.fill('#pr-text', 'Peça desculpas antes de qualquer coisa.');
  await page.selectOption('#pr-sentiment', 'negative');
  await page.click('#prompt-form button[type="submit"]');
  await page.locator('#prompts tr', { hasText: 'Acalmar reclamações' }).waitFor();
  const created = (await read('/api/ai/prompts')).data.find((prompt: any) => prompt.name === 'Acalmar reclamações');
  expect(created).toMatchObject({ actionType: 'COMPLAINT_HANDLING', isActive: true, conditions: { sentimentTrigger: 'negative' } });
  await page.screenshot({ path: screenshotPath('admin-persona-1280.png'), fullPage: true });
  await page.locator('#prompts tr', { hasText: 'Acalmar reclamações' }).locator('input[type="checkbox"]').uncheck();
  await until(async () => (await read('/api/ai/prompts')).data.find((prompt: any) => prompt.id === created.id).isActive, (active) => active === false, 'the prompt switched off');

  // editing a prompt keeps the conditions the form does not show (a follow-up's delay)
  const followUp = await fetch(`${app.base}/api/ai/prompts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ name: 'Checar depois', actionType: 'FOLLOW_UP', prompt: 'Pergunte se deu certo.', conditions: { followUpAfterMinutes: 90 } }) });
  expect(followUp.status).toBe(201);
  await page.click('nav button[data-tab="hours"]');
  await page.click('nav button[data-tab="persona"]');
  await page.locator('#prompts tr', { hasText: 'Checar depois' }).getByRole('button', { name: 'Editar Checar depois' }).click();
  await page.fill('#pr-name', 'Checar em 90 minutos');
  await page.click('#prompt-form button[type="submit"]');
  await page.locator('#prompts tr', { hasText: 'Checar em 90 minutos' }).waitFor();
  expect((await read('/api/ai/prompts')).data.find((prompt: any) => prompt.name === 'Checar em 90 minutos').conditions).toEqual({ followUpAfterMinutes: 90 });

  // hours with a holiday, and a stricter escalation policy
  await page.click('nav button[data-tab="hours"]');
  await page.waitForFunction(() => (document.getElementById('h-timezone') as HTMLInputElement).value !== '');
  await page.locator('#h-always').uncheck();
  await page.fill('#h-start', '09:00');
  await page.fill('#h-end', '17:30');
  await page.locator('#tab-hours .days label', { hasText: 'sáb' }).locator('input').check();
  await page.fill('#h-holidays', '2026-12-25\n2027-01-01');
  await page.selectOption('#e-urgency', 'medium');
  await page.fill('#e-attempts', '2');
  await page.click('#hours-form button[type="submit"]');
  await page.locator('#h-message', { hasText: 'Salvo.' }).waitFor();
  const { settings } = await read('/api/v2/settings');
  expect(settings.business.workingHours).toMatchObject({ start: '09:00', end: '17:30', holidays: ['2026-12-25', '2027-01-01'] });
  expect(settings.business.workingHours.workDays).toContain(6);
  expect(settings.escalation).toMatchObject({ urgencyAtLeast: 'medium', maxAttemptsPerStep: 2 });
  // a bad clock is refused naming the field; nothing saved
  await page.fill('#h-timezone', 'Lua/Crateras');
  await page.click('#hours-form button[type="submit"]');
  await page.locator('#h-message.error', { hasText: 'business.timezone' }).waitFor();
  expect((await read('/api/v2/settings')).settings.business.timezone).not.toBe('Lua/Crateras');

  // a new agent: invited, given a one-time link that opens the inbox as them, then made an admin
  await page.click('nav button[data-tab="team"]');
  await page.fill('#u-name', 'Bruno Teixeira');
  await page.fill('#u-email', 'bruno@segurozinho.example');
  await page.click('#invite button[type="submit"]');
  await page.locator('#u-link', { hasText: '/inbox#login=' }).waitFor();
  await page.screenshot({ path: screenshotPath('admin-team-1280.png'), fullPage: true });
  const link = (await page.textContent('#u-link'))!.match(/https?:\/\/\S+/)![0];
  const invited = await (await (await app.browser()).newContext()).newPage();
  await invited.goto(link);
  await invited.locator('#me', { hasText: 'Bruno Teixeira' }).waitFor();
  await page.locator('#users tr', { hasText: 'Bruno Teixeira' }).locator('select').selectOption('admin');
  await page.locator('#u-message', { hasText: 'alterado' }).waitFor();
  expect((await read('/api/v1/users')).users.find((user: any) => user.email === 'bruno@segurozinho.example')).toMatchObject({ role: 'admin', disabled: false });
  // the same e-mail twice is refused in words
  await page.fill('#u-name', 'Bruno de novo');
  await page.fill('#u-email', 'bruno@segurozinho.example');
  await page.click('#invite button[type="submit"]');
  await page.locator('#u-message.error', { hasText: 'Já existe' }).waitFor();
  expect(errors).toEqual([]);

  const narrow = await (await app.browser()).newPage({ viewport: { width: 390, height: 800 } });
  await narrow.goto(`${app.base}/admin#token=${admin}`);
  await narrow.locator('#script-list button').first().waitFor();
  for (const tab of ['persona', 'hours', 'team', 'webhooks', 'agents', 'models']) {
    await narrow.click(`nav button[data-tab="${tab}"]`);
    await narrow.waitForTimeout(300);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await narrow.screenshot({ path: screenshotPath(`admin-${tab}-390.png`), fullPage: true });
  }
});

browserTest('webhooks from the console: an endpoint registered with its secret shown once, a signed test event delivered and listed, sent again, then switched off', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button').first().waitFor();
  await page.click('nav button[data-tab="webhooks"]');
  // an address that is not a URL is refused naming the field
  await page.fill('#w-url', 'não é url');
  await page.click('#webhook-form button[type="submit"]');
  await page.locator('#w-message.error', { hasText: 'url' }).waitFor();

  await page.fill('#w-url', `${receiver.base}/atende`);
  await page.fill('#w-description', 'CRM de testes');
  await page.click('#webhook-form button[type="submit"]');
  await page.locator('#w-secret', { hasText: 'whsec_' }).waitFor();
  const signing = (await page.textContent('#w-secret'))!.match(/whsec_\S+/)![0];
  const row = page.locator('#webhooks tr', { hasText: '/atende' });
  await row.locator('td', { hasText: 'todos' }).waitFor();

  await row.getByRole('button', { name: 'Enviar um evento de teste para CRM de testes' }).click();
  await page.locator('#deliveries tr', { hasText: 'entregue' }).waitFor({ timeout: 20_000 });
  expect(await page.locator('#deliveries tr').first().textContent()).toMatch(/webhook\.test.*entregue.*1.*HTTP 200/);
  const delivered = receiver.requests.filter((request) => request.path === '/atende');
  expect(delivered).toHaveLength(1);
  const verified = new Webhook(signing).verify(delivered[0]!.body, {
    'webhook-id': String(delivered[0]!.headers['webhook-id']),
    'webhook-timestamp': String(delivered[0]!.headers['webhook-timestamp']),
    'webhook-signature': String(delivered[0]!.headers['webhook-signature']),
  }) as { type: string };
  expect(verified.type).toBe('webhook.test');
  await page.screenshot({ path: screenshotPath('admin-webhooks-1280.png'), fullPage: true });

  await page.locator('#deliveries tr').first().getByRole('button', { name: 'Reenviar webhook.test' }).click();
  await until(async () => receiver.requests.filter((request) => request.path === '/atende').length, (count) => count === 2, 'the delivery sent again');
  await page.locator('#deliveries tr', { hasText: /entregue.*2/ }).waitFor({ timeout: 20_000 });

  await row.getByRole('button', { name: 'Desativar CRM de testes' }).click();
  await page.locator('#webhooks tr', { hasText: 'desativado' }).waitFor();
  const { webhooks } = (await (await fetch(`${app.base}/api/v2/webhooks`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { webhooks: { url: string; active: boolean }[] };
  expect(webhooks.find((webhook) => webhook.url.endsWith('/atende'))?.active).toBe(false);
  // shown once: the list and a fresh visit never carry the secret
  const fresh = await (await app.browser()).newPage();
  await fresh.goto(`${app.base}/admin#token=${admin}`);
  await fresh.locator('#script-list button').first().waitFor();
  await fresh.click('nav button[data-tab="webhooks"]');
  await fresh.locator('#webhooks tr', { hasText: '/atende' }).waitFor();
  expect(await fresh.content()).not.toContain(signing);
});

browserTest('agents and tools from the console: a second agent with its own scripts, collections and escalation, and a calculator tool added, switched off and refused when bad', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button').first().waitFor();
  const read = async (path: string) => (await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${admin}` } })).json() as Promise<any>;
  await page.click('nav button[data-tab="agents"]');
  await page.locator('#agents tr', { hasText: 'default' }).waitFor();

  await page.fill('#a-id', 'financeiro');
  await page.fill('#a-name', 'Financeiro');
  await page.locator('#a-all-scripts').uncheck();
  await page.locator('#a-scripts label', { hasText: 'Segunda via do boleto' }).locator('input').check();
  await page.fill('#a-collections', 'financeiro, cobranca');
  await page.selectOption('#a-urgency', 'critical');
  await page.click('#agent-form button[type="submit"]');
  await page.locator('#a-message', { hasText: 'Agente salvo.' }).waitFor();
  const { agent } = await read('/api/v2/agents/financeiro');
  expect(agent).toMatchObject({ name: 'Financeiro', collections: ['financeiro', 'cobranca'], escalation: { urgencyAtLeast: 'critical' } });
  expect(agent.scripts).toHaveLength(1);
  await page.locator('#tools-card:not([hidden])').waitFor();

  // a tool: the calculator's example, renamed; its id is shown for scripts to use
  await page.selectOption('#t-type', 'calculator');
  expect(await page.inputValue('#t-config')).toContain('expression');
  await page.fill('#t-name', 'Valor da parcela');
  await page.click('#tool-form button[type="submit"]');
  await page.locator('#tools tr', { hasText: 'Valor da parcela' }).waitFor();
  const [tool] = (await read('/api/v2/agents/financeiro/tools')).tools as { id: string; active: boolean; type: string }[];
  expect(tool).toMatchObject({ type: 'calculator', active: true });
  expect(await page.locator('#tools tr', { hasText: 'Valor da parcela' }).locator('code').textContent()).toBe(tool!.id);
  await page.screenshot({ path: screenshotPath('admin-agents-1280.png'), fullPage: true });
  await page.locator('#tools tr', { hasText: 'Valor da parcela' }).locator('input[type="checkbox"]').uncheck();
  await page.locator('#t-message', { hasText: 'desativada' }).waitFor();
  expect((await read(`/api/v2/agents/financeiro/tools/${tool!.id}`)).tool.active).toBe(false);

  // refused: JSON that does not parse, then an expression that does not compute (named)
  await page.fill('#t-name', 'Quebrada');
  await page.fill('#t-config', '{ nao é json');
  await page.click('#tool-form button[type="submit"]');
  await page.locator('#t-message.error', { hasText: 'JSON' }).waitFor();
  await page.fill('#t-config', JSON.stringify({ expression: 'valor * (' }));
  await page.click('#tool-form button[type="submit"]');
  await page.locator('#t-message.error', { hasText: 'expression' }).waitFor();
  expect((await read('/api/v2/agents/financeiro/tools')).tools).toHaveLength(1);
  expect(errors).toEqual([]);
});

browserTest('model endpoints from the console: the key goes in once and comes back only as a hint; a default moves; an openai_compatible one needs its URL', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'rita' });
  const page = await (await app.browser()).newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${app.base}/admin#token=${admin}`);
  await page.locator('#script-list button').first().waitFor();
  const read = async (path: string) => (await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${admin}` } })).json() as Promise<any>;
  await page.click('nav button[data-tab="models"]');
  const key = 'sk-test-not-a-real-key-7f3a9c21';

  await page.fill('#m-name', 'Local');
  await page.selectOption('#m-provider', 'openai_compatible');
  await page.fill('#m-model', 'llama3');
  await page.click('#model-form button[type="submit"]');
  await page.locator('#m-message.error', { hasText: 'baseUrl' }).waitFor();

  await page.fill('#m-base', 'https://llm.exemplo.com/v1');
  await page.fill('#m-key', key);
  await page.check('#m-default');
  await page.click('#model-form button[type="submit"]');
  await page.locator('#models tr', { hasText: 'Local' }).waitFor();
  expect(await page.inputValue('#m-key')).toBe('');
  expect(await page.content()).not.toContain(key);
  const row = page.locator('#models tr', { hasText: 'Local' });
  expect(await row.textContent()).toMatch(/Compatível com OpenAI.*llama3.*conversa.*…9c21sim/);

  await page.fill('#m-name', 'GPT');
  await page.selectOption('#m-provider', 'openai');
  await page.fill('#m-model', 'gpt-4o-mini');
  await page.click('#model-form button[type="submit"]');
  await page.locator('#models tr', { hasText: 'GPT' }).getByRole('button', { name: 'Tornar GPT o padrão' }).click();
  await page.locator('#models tr', { hasText: 'Local' }).getByRole('button', { name: 'Tornar Local o padrão' }).waitFor();
  const { models } = await read('/api/v2/models');
  expect(models.find((model: any) => model.name === 'GPT').isDefault).toBe(true);
  expect(models.find((model: any) => model.name === 'Local').isDefault).toBe(false);
  expect(JSON.stringify(models)).not.toContain(key);
  await page.screenshot({ path: screenshotPath('admin-models-1280.png'), fullPage: true });
});

browserTest('an agent token is not let in', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const page = await (await app.browser()).newPage();
  await page.goto(`${app.base}/admin#token=${agent}`);
  await page.locator('#login-error', { hasText: 'administradores' }).waitFor();
  expect(await page.isHidden('#app')).toBe(true);
});
