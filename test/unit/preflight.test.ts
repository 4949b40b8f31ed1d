import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { loadEnv } from '../../env';
import { preflight } from '../../cli/preflight';

/** `npm start` says what the machine lacks before it starts anything, each with what to do. */
describe('preflight', () => {
  test('a port in use and an unwritable data directory are named, with the variable to change', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const file = path.join(os.tmpdir(), `atende-not-a-dir-${process.pid}`);
    fs.writeFileSync(file, 'x');
    try {
      const problems = await preflight(loadEnv({ HOST: '127.0.0.1', PORT: String(port), ATENDE_DATA_DIR: path.join(file, 'data'), DATABASE_URL: 'postgres://x@127.0.0.1/x', TEMPORAL_ADDRESS: '127.0.0.1:7233' }), { postgresBinaries: () => true, temporalCli: () => true, python: () => undefined });
      expect(problems).toEqual([expect.stringMatching(/data directory .* cannot be written.*ATENDE_DATA_DIR/), expect.stringMatching(new RegExp(`Port ${port} .* in use.*set PORT`))]);
    } finally {
      busy.close();
      fs.rmSync(file);
    }
  });

  async function freePort(): Promise<string> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return String(port);
  }

  test('a machine with what it needs passes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-preflight-'));
    try {
      const probes = { postgresBinaries: () => true, temporalCli: () => true, python: () => ({ name: 'python3', venv: true }) };
      expect(await preflight(loadEnv({ HOST: '127.0.0.1', PORT: await freePort(), ATENDE_DATA_DIR: dir, TEMPORAL_CLI_PATH: '/bin/true' }), probes)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  test('without PostgreSQL binaries or Python with venv, each message says what to install or set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atende-preflight-'));
    try {
      const env = loadEnv({ HOST: '127.0.0.1', PORT: await freePort(), ATENDE_DATA_DIR: dir });
      const bare = await preflight(env, { postgresBinaries: () => false, temporalCli: () => false, python: () => ({ name: 'python3', venv: false }) });
      expect(bare).toEqual([expect.stringMatching(/PostgreSQL server binaries .*apt-get install postgresql.*DATABASE_URL/), expect.stringMatching(/python3 has no venv module: install python3-venv/)]);
      expect(await preflight(env, { postgresBinaries: () => true, temporalCli: () => false, python: () => undefined })).toEqual([expect.stringMatching(/Python 3 is missing.*TEMPORAL_ADDRESS/)]);
      // a database and a Temporal elsewhere need neither
      const elsewhere = loadEnv({ HOST: '127.0.0.1', PORT: await freePort(), ATENDE_DATA_DIR: dir, DATABASE_URL: 'postgres://x@127.0.0.1/x', TEMPORAL_ADDRESS: '127.0.0.1:7233' });
      expect(await preflight(elsewhere, { postgresBinaries: () => false, temporalCli: () => false, python: () => undefined })).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
