import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { searchAttributeKeys } from '../workflows/messages';
import { stopChild, waitFor } from '../lib/process';

export interface DevServerOptions {
  binary: string;
  port: number;
  /** Web UI port; omitted means headless (tests). */
  uiPort?: number;
  namespace: string;
  /** SQLite file that keeps workflows across restarts; omitted means in-memory. */
  dbFile?: string;
  logFile?: string;
  ip?: string;
  /** Where the server's pid is kept, so a start after a killed run stops the server that run left behind. */
  pidFile?: string;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

export function devServerArgs(options: DevServerOptions): string[] {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--namespace', options.namespace];
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (options.uiPort) args.push('--ui-ip', ip, '--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  // Update-with-start is a multi-operation; some server versions ship it disabled.
  args.push('--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true');
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  for (const key of searchAttributeKeys) args.push('--search-attribute', `${key.name}=Keyword`);
  return args;
}

export async function startDevServer(options: DevServerOptions, timeoutMs = 60_000): Promise<RunningDevServer> {
  const address = `${options.ip ?? '127.0.0.1'}:${options.port}`;
  if (options.pidFile) await stopOrphan(options.pidFile);
  const log = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(options.binary, devServerArgs(options), { stdio: ['ignore', log, log] });
  if (options.pidFile && child.pid) fs.writeFileSync(options.pidFile, `${child.pid}\n${options.binary}\n`);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  await waitFor(
    `Temporal dev server on ${address}`,
    async () => {
      if (exited) throw new Error(`Temporal dev server ${exited}${options.logFile ? `; see ${options.logFile}` : ''}`);
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
        return true;
      } finally {
        await connection.close();
      }
    },
    timeoutMs,
  );
  return {
    address,
    uiUrl: options.uiPort ? `http://${options.ip ?? '127.0.0.1'}:${options.uiPort}` : undefined,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      if (options.pidFile) fs.rmSync(options.pidFile, { force: true });
    },
  };
}

/**
 * A dev server a killed run left behind (its pid file names it and it still runs that binary):
 * stopped, saying so, instead of this run reporting "up" on a server it cannot stop.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const [rawPid, binary] = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(rawPid);
  const command = (() => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    } catch {
      return undefined;
    }
  })();
  if (!Number.isInteger(pid) || pid <= 0 || !command || command !== binary) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  console.error(`[atende] the Temporal dev server (pid ${pid}) from a run that was killed is still running; stopping it`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (fs.existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (fs.existsSync(`/proc/${pid}`)) throw new Error(`the Temporal dev server (pid ${pid}) did not stop; stop it (kill ${pid}) and start again`);
  fs.rmSync(pidFile, { force: true });
}
