/**
 * npm run bench:idle -- [--conversations N] [--concurrency K] [--cache N] [--verify all|N] [--worker-heap MiB]
 *
 * How much memory idle conversations cost a worker, and whether every one still answers. It
 * starts its own PostgreSQL cluster and Temporal dev server (own ports, a temp dir), runs the
 * worker as a child process (`workers/main.ts`, so its RSS is the worker's alone), opens N
 * conversations through the same update-with-start the API uses, samples the worker's RSS as
 * they pile up, then sends each (or a sample) its next answer and checks the bot's reply.
 * Prints a JSON summary last.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { conversationGateway } from '../api/conversations';
import { importCatalog } from '../db/scripts';
import type { ConversationInput } from '../domain/conversation';
import { defaultEscalationPolicy } from '../domain/escalation';
import { DEFAULT_MATCH_THRESHOLD } from '../domain/matcher';
import { catalogSchema } from '../domain/schemas';
import { startEvalStack } from './stack';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const conversations = Number(option('conversations', '10000'));
const concurrency = Number(option('concurrency', '16'));
const cache = option('cache', '');
const verify = option('verify', 'all');
/** The worker's V8 old-space limit in MiB (node --max-old-space-size); Node's default when absent. */
const workerHeap = option('worker-heap', '');

const HOUR = 3_600_000;
const log = (line: string) => process.stderr.write(`${line}\n`);

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function main(): Promise<void> {
  const stack = await startEvalStack('bench-idle', log);
  const { dir, db } = stack;
  const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../db/demo-catalog.json'), 'utf8')));
  await importCatalog(db, 'bench', catalog);

  const taskQueue = 'bench-idle';
  const heapFlag = workerHeap ? [`--max-old-space-size=${workerHeap}`] : [];
  const worker = spawn(process.execPath, [...heapFlag, '--import', 'tsx', path.join(__dirname, '../workers/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...(cache ? { WORKER_MAX_CACHED_WORKFLOWS: cache } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const workerLog = fs.createWriteStream(path.join(dir, 'worker.log'));
  worker.stdout.pipe(workerLog);
  worker.stderr.pipe(workerLog);
  const ready = new Promise<string>((resolve, reject) => {
    worker.stdout.on('data', (chunk: Buffer) => {
      const line = chunk.toString();
      if (line.includes('worker polling')) resolve(line.trim());
    });
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}; see ${dir}/worker.log`)));
  });
  log(await ready);

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const gateway = conversationGateway({ client, taskQueue, callTimeoutMs: 60_000 });
  const input = (conversationId: string): ConversationInput => ({
    conversationId,
    tenantId: 'bench',
    channel: 'bench',
    customer: { name: 'Cliente' },
    settings: {
      businessName: 'Segurozinho',
      timeZone: 'America/Sao_Paulo',
      followUpDelayMs: HOUR,
      closeAfterFollowUpMs: 24 * HOUR,
      matchThreshold: DEFAULT_MATCH_THRESHOLD,
      escalation: defaultEscalationPolicy,
      // idle means idle: no nudge timers firing during the run
      inactivity: null,
      csat: true,
    },
  });

  const samples: { opened: number; workerRssMiB: number }[] = [{ opened: 0, workerRssMiB: rssMiB(worker.pid!) }];
  const ids = Array.from({ length: conversations }, () => randomUUID());
  const failures: string[] = [];
  const startLatencies: number[] = [];
  const began = Date.now();
  let opened = 0;
  await pool(ids, concurrency, async (id) => {
    const t = performance.now();
    try {
      const result = await gateway.send(input(id), 'preciso da segunda via do boleto');
      if (!result.replies.some((reply) => /CPF/.test(reply.text))) failures.push(`${id}: first reply ${JSON.stringify(result.replies.map((r) => r.text))}`);
    } catch (error) {
      failures.push(`${id}: start failed: ${(error as Error).message}`);
    }
    startLatencies.push(performance.now() - t);
    opened += 1;
    if (opened % 500 === 0) {
      samples.push({ opened, workerRssMiB: rssMiB(worker.pid!) });
      log(`${opened} conversations open, worker RSS ${samples.at(-1)!.workerRssMiB} MiB, ${Math.round(opened / ((Date.now() - began) / 1000))}/s`);
    }
  });
  const openSeconds = (Date.now() - began) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idleRss = rssMiB(worker.pid!);
  log(`all ${conversations} open; idle worker RSS ${idleRss} MiB`);

  const toVerify = verify === 'all' ? ids : ids.filter((_, index) => index % Math.max(1, Math.floor(conversations / Number(verify))) === 0);
  const answerLatencies: number[] = [];
  let answered = 0;
  await pool(toVerify, concurrency, async (id) => {
    const t = performance.now();
    try {
      const result = await gateway.send(input(id), '529.982.247-25');
      if (result.replies.some((reply) => /parcela/.test(reply.text))) answered += 1;
      else failures.push(`${id}: answer reply ${JSON.stringify(result.replies.map((r) => r.text))}`);
    } catch (error) {
      failures.push(`${id}: answer failed: ${(error as Error).message}`);
    }
    answerLatencies.push(performance.now() - t);
    if (answerLatencies.length % 1000 === 0) log(`${answerLatencies.length} answered, worker RSS ${rssMiB(worker.pid!)} MiB`);
  });
  const afterRss = rssMiB(worker.pid!);
  startLatencies.sort((a, b) => a - b);
  answerLatencies.sort((a, b) => a - b);
  const summary = {
    conversations,
    concurrency,
    cacheSetting: cache || 'default (from WORKER_CACHE_MEMORY / heap)',
    workerHeapMiB: workerHeap || 'node default',
    worker: (await ready).replace(/^.*\(/, '(').trim(),
    openedPerSecond: Math.round(conversations / openSeconds),
    rssSamples: samples,
    idleWorkerRssMiB: idleRss,
    afterVerifyWorkerRssMiB: afterRss,
    firstTurnMs: { p50: Math.round(percentile(startLatencies, 50)), p99: Math.round(percentile(startLatencies, 99)) },
    verified: toVerify.length,
    answeredCorrectly: answered,
    answerTurnMs: { p50: Math.round(percentile(answerLatencies, 50)), p99: Math.round(percentile(answerLatencies, 99)) },
    failures: failures.length,
    firstFailures: failures.slice(0, 5),
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
  console.log(JSON.stringify(summary, null, 2));

  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await connection.close();
  await stack.stop();
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
