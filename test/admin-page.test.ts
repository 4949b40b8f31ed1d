import { mintToken } from '../api/auth';
import { browserTestFor, screenshotPath, servedApp } from './support/browser';

const browserTest = browserTestFor('admin page');
const secret = 'admin-page-secret';
const app = servedApp(secret);

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

browserTest('an agent token is not let in', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const page = await (await app.browser()).newPage();
  await page.goto(`${app.base}/admin#token=${agent}`);
  await page.locator('#login-error', { hasText: 'administradores' }).waitFor();
  expect(await page.isHidden('#app')).toBe(true);
});
