import { spawn } from 'node:child_process';
import { mintToken } from '../api/auth';
import { devTool } from '../temporal/binaries';
import { servedApp } from './support/browser';

/**
 * Schema-driven fuzzing of the live API from its own OpenAPI document: Schemathesis (pinned,
 * installed by `atende tools install`) generates requests for every operation (boundary values
 * first, then random ones, a bounded number each) as an admin, and fails on any 5xx or any
 * response that does not match its declared schema. The event stream is left out: it never ends.
 */
const secret = 'test-secret-for-fuzzing';
// the real app over HTTP on 127.0.0.1 (no browser is launched unless asked for)
const app = servedApp(secret);

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('every operation of /openapi.json: no server error and no response outside its schema', async () => {
  const schemathesis = devTool('schemathesis');
  if (!schemathesis) throw new Error('Schemathesis is not installed: run npx atende tools install');
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'fuzzer' });
  const { code, output } = await run(schemathesis, [
    'run',
    `${app.base}/openapi.json`,
    '--checks',
    'not_a_server_error,response_schema_conformance',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '10',
    '--generation-deterministic',
    '--request-timeout',
    '20',
    '--exclude-path-regex',
    '/events(/dashboard)?$',
    '--header',
    `Authorization: Bearer ${admin}`,
  ]);
  const summary = output.split('\n').filter((line) => /generated|passed|failed|ST\d{3}/.test(line));
  console.log(`schemathesis: ${summary.join(' | ')}`);
  expect({ code, failures: output.match(/^_{3,} .+ _{3,}$/gm) ?? [] }).toEqual({ code: 0, failures: [] });
}, 600_000);
