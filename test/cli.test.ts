import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPool } from '../db/pool';
import { testStack } from './support/stack';

const run = promisify(execFile);
const root = path.join(__dirname, '..');
const catalogFile = path.join(root, '..', 'shared', 'fixtures', 'scripts.seguro.json');

function atende(args: string[]) {
  return run(process.execPath, [path.join(root, 'bin', 'atende.js'), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: testStack().databaseUrl },
  });
}

/** Runs an atende command with these lines on stdin. */
function piped(args: string[], lines: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = execFile(process.execPath, [path.join(root, 'bin', 'atende.js'), ...args], { cwd: root });
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  child.stdin!.end([...lines, ''].join('\n'));
  return output;
}

describe('atende CLI', () => {
  test('scripts import then export round-trips a catalog into a tenant', async () => {
    const tenant = `cli_${randomUUID().slice(0, 8)}`;
    const imported = await atende(['scripts', 'import', catalogFile, '--tenant', tenant]);
    expect(imported.stderr).toMatch(/14 scripts imported into tenant "cli_[0-9a-f]{8}" \(14 new versions\)/);
    const again = await atende(['scripts', 'import', catalogFile, '--tenant', tenant]);
    expect(again.stdout.split('\n').filter((line) => line.startsWith('unchanged'))).toHaveLength(14);
    const exported = JSON.parse((await atende(['scripts', 'export', '--tenant', tenant])).stdout);
    expect(exported.scripts.map((script: { id: string }) => script.id)).toContain('vistoria');
    const db = createPool(testStack().databaseUrl, 1);
    const rows = await db.query('SELECT count(*)::int AS n FROM scripts WHERE tenant_id = $1', [tenant]);
    await db.end();
    expect(rows.rows[0].n).toBe(14);
  });

  test('users add creates a person with a one-time login link; a token needs the service account it is for', async () => {
    const tenant = `cli_${randomUUID().slice(0, 8)}`;
    await atende(['scripts', 'import', catalogFile, '--tenant', tenant]);
    const added = await atende(['users', 'add', '--email', 'First.Admin@Example.com', '--role', 'admin', '--tenant', tenant]);
    expect(added.stdout).toMatch(/created admin first\.admin@example\.com/);
    expect(added.stdout).toMatch(/password \(shown once\): \S{16}/);
    expect(added.stdout).toMatch(/\/inbox#login=\S+/);
    const twice = await atende(['users', 'add', '--email', 'first.admin@example.com', '--role', 'admin', '--tenant', tenant]).catch((error) => error);
    expect(twice.code).toBe(1);
    const anonymous = await atende(['token', '--role', 'agent']).catch((error) => error);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/--subject is required/);
    const service = await atende(['token', '--role', 'agent', '--subject', 'crm-sync']);
    expect(JSON.parse(Buffer.from(service.stdout.trim().split('.')[1]!, 'base64url').toString())).toMatchObject({ sub: 'crm-sync', role: 'agent' });
  });

  test('nlu match and extract show what the offline engine reads', async () => {
    const match = JSON.parse((await atende(['nlu', 'match', 'roubaram meu carro ontem', '--catalog', catalogFile])).stdout);
    expect(match).toMatchObject({ scriptId: 'abertura_sinistro_auto', verdict: 'confident' });
    const extracted = JSON.parse((await atende(['nlu', 'extract', 'cpf', 'meu cpf é 529.982.247-25'])).stdout);
    expect(extracted).toEqual({ ok: true, value: '52998224725' });
    const rejected = await atende(['nlu', 'extract', 'cpf', '111.111.111-11']).catch((error: { code: number; stdout: string }) => error);
    expect(rejected).toMatchObject({ code: 1 });
  });

  test('nlu analyze reads JSONL on stdin and writes one analysis per line, flagging bad lines in place', async () => {
    const { code, stdout, stderr } = await piped(['nlu', 'analyze'], ['{"messages": ["roubaram meu carro agora"]}', 'not json', '{"messages": ["muito obrigado, nota dez"]}']);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ sentiment: 'negative', urgency: 'high', intent: 'theft_report', topics: ['roubo/furto', 'seguro auto'], summary: expect.stringContaining('roubaram meu carro agora') });
    expect(lines[1]).toEqual({ error: 'line 2: not valid JSON' });
    expect(lines[2]).toMatchObject({ sentiment: 'positive', urgency: 'low' });
    expect(stderr).toContain('line 2: not valid JSON');
    expect(code).toBe(1);
  });

  test('nlu match with no message reads {"text"} lines and answers one line each, scriptId only when confident', async () => {
    const { code, stdout } = await piped(['nlu', 'match', '--catalog', catalogFile], ['{"text": "roubaram meu carro ontem"}', '{"text": "qwerty asdf zxcv"}', '{"nope": 1}']);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ scriptId: 'abertura_sinistro_auto', verdict: 'confident', candidates: expect.any(Array) });
    expect(typeof lines[0].confidence).toBe('number');
    expect(lines[1]).toMatchObject({ scriptId: null });
    expect(lines[1].verdict).not.toBe('confident');
    expect(lines[2]).toEqual({ error: expect.stringMatching(/^line 3: text/) });
    expect(code).toBe(1);
  });

  test('nlu extract with no arguments reads {"type","text","options"?,"now"?} lines and answers {value|null, error?}', async () => {
    const { code, stdout } = await piped(
      ['nlu', 'extract'],
      [
        '{"type": "choice", "text": "foi uma batida", "options": ["colisão", "roubo", "furto"]}',
        '{"type": "year", "text": "2022/2023", "now": "2026-06-01T12:00:00Z"}',
        '{"type": "date", "text": "ontem", "now": "2026-06-10T15:00:00Z"}',
        '{"type": "cpf", "text": "111.111.111-11"}',
      ],
    );
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { value: 'colisão' },
      { value: '2023' },
      { value: '2026-06-09' },
      { value: null, error: expect.stringMatching(/CPF/) },
    ]);
    expect(code).toBe(0);
  });
});
