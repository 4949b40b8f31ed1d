import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
const composeTest = compose ? test : test.skip;
if (!compose) console.warn('docker compose is not installed here; docker-compose.yml validation skipped');

describe('docker-compose.yml', () => {
  composeTest('is accepted by docker compose config, and refuses to render without its secrets', () => {
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(compose![0]!, [...compose!.slice(1), '-f', 'docker-compose.yml', 'config'], { cwd: root, env, encoding: 'utf8' });
    const ok = run({ PATH: process.env.PATH, POSTGRES_PASSWORD: 'pw', JWT_SECRET: 'secret' });
    expect(ok.stderr).not.toMatch(/error/i);
    expect(ok.status).toBe(0);
    for (const service of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker']) expect(ok.stdout).toContain(`${service}:`);
    const missing = run({ PATH: process.env.PATH });
    expect(missing.status).not.toBe(0);
  });
});
