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
  const log = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(options.binary, devServerArgs(options), { stdio: ['ignore', log, log] });
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
    stop: () => stopChild(child),
  };
}
