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
    const ok = run({ PATH: process.env.PATH, POSTGRES_PASSWORD: 'pw', JWT_SECRET: 'secret', ATENDE_CODEC_KEYS: 'k1:AAAA' });
    expect(ok.stderr).not.toMatch(/error/i);
    expect(ok.status).toBe(0);
    for (const service of ['postgres', 'temporal-schema', 'temporal', 'temporal-ui', 'setup', 'api', 'worker']) expect(ok.stdout).toContain(`${service}:`);
    const missing = run({ PATH: process.env.PATH });
    expect(missing.status).not.toBe(0);
  });

  composeTest('starts from zero: the official server and admin-tools images, a setup step the API and workers wait for, Temporal on localhost only', () => {
    const config = spawnSync(compose![0]!, [...compose!.slice(1), '-f', 'docker-compose.yml', 'config'], { cwd: root, env: { PATH: process.env.PATH, POSTGRES_PASSWORD: 'pw', JWT_SECRET: 'secret', ATENDE_CODEC_KEYS: 'k1:AAAA' }, encoding: 'utf8' }).stdout;
    const service = (name: string) => {
      const start = config.indexOf(`\n  ${name}:\n`);
      const rest = config.slice(start + name.length + 5);
      const next = rest.search(/\n  [a-z][a-z-]*:\n/);
      return next < 0 ? rest : rest.slice(0, next);
    };
    expect(config).not.toMatch(/auto-setup/);
    expect(service('temporal')).toMatch(/image: temporalio\/server:/);
    expect(service('temporal-schema')).toMatch(/image: temporalio\/admin-tools:/);
    for (const name of ['api', 'worker']) expect(service(name)).toMatch(/setup:\s+condition: service_completed_successfully/);
    expect(service('temporal')).toMatch(/temporal-schema:\s+condition: service_completed_successfully/);
    expect(service('setup')).toMatch(/command:\s+- node\s+- dist\/cli\/main\.js\s+- setup/);
    // Temporal and its UI answer on the machine itself only; the API is the one public door
    for (const name of ['temporal', 'temporal-ui']) expect(service(name)).toMatch(/host_ip: 127\.0\.0\.1|127\.0\.0\.1:/);
    expect(service('temporal-ui')).not.toMatch(/temporalio\/ui:2\.34/);
  });
});
