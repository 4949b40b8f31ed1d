/**
 * npm run bench [-- --quick] [--json]
 *
 * A turn of the product against the floor Temporal itself sets, measured side by side in one
 * run on one stack (its own PostgreSQL and Temporal dev server, own ports, a temp dir):
 *
 * - floor: an Update to a workflow that only returns (bare), that calls one activity, or one
 *   local activity; update-with-start of the bare one for first turns;
 * - product: the API in-process (app.request, no socket) → Temporal → the conversation
 *   workflow → recordTurn in PostgreSQL.
 *
 * Latencies are interleaved (product, bare, activity, local activity, then again) so load and
 * disk affect each alike. Prints p50/p99 and their ratios to the floor, throughput at several
 * concurrencies against the bare floor's, CPU per turn, history events and bytes per answer
 * turn, the cost of a turn on an evicted conversation (a worker with no cache), process memory
 * per idle conversation, and the load average. `--quick` is a two-minute version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createApp } from '../api/app';
import { importCatalog } from '../db/scripts';
import { catalogSchema } from '../domain/schemas';
import { conversationWorkflowId } from '../workflows/messages';
import { createActivities } from '../activities';
import { createWorker, withoutSourceMap, workflowBundle } from '../workers/worker';
import { testAppConfig } from '../test/support/app-stack';
import * as floorActivities from './floor/activities';
import { activityFloor, bareFloor, localActivityFloor, pingUpdate, stopSignal } from './floor/workflows';
import { startEvalStack } from './stack';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const SIZES = quick
  ? { firstTurns: 40, answerTurns: 120, conversations: 12, concurrency: [1, 8], seconds: 6, idle: 200, evicted: 30 }
  : { firstTurns: 150, answerTurns: 500, conversations: 32, concurrency: [1, 4, 16, 32], seconds: 15, idle: 1_000, evicted: 100 };

const TENANT = 'bench';
const DEMAND = 'preciso da segunda via do boleto';
/** A question while the CPF waits: answered, the step asked again, nothing counted: a turn that can repeat forever. */
const ANSWER_TURN = 'por que vocês precisam do meu cpf?';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const stack = await startEvalStack('bench', log);
  const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../db/demo-catalog.json'), 'utf8')));
  await importCatalog(stack.db, TENANT, catalog);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: stack.temporalAddress });

  log('… bundling the product and floor workflows');
  const productBundle: WorkflowBundle = await workflowBundle();
  // the floor runs as lean as the product: no source maps either
  const floorBundle: WorkflowBundle = withoutSourceMap((await bundleWorkflowCode({ workflowsPath: require.resolve('./floor/workflows'), logger: quiet })).code);
  const queues = { product: `product-${randomUUID()}`, evicted: `evicted-${randomUUID()}`, floor: `floor-${randomUUID()}` };
  const workers = [
    await createWorker({ connection: native, namespace: 'default', taskQueue: queues.product, deps: { db: stack.db }, workflowBundle: productBundle }),
    await Worker.create({ connection: native, taskQueue: queues.evicted, workflowBundle: productBundle, activities: createActivities({ db: stack.db }), maxCachedWorkflows: 0 }),
    await Worker.create({ connection: native, taskQueue: queues.floor, workflowBundle: floorBundle, activities: floorActivities }),
  ];
  const running = workers.map((worker) => worker.run());
  const app = createApp({ client, db: stack.db, config: testAppConfig({ jwtSecret: 'bench', taskQueue: queues.product, defaultTenant: TENANT, callTimeoutMs: 30_000 }) });
  const evictedApp = createApp({ client, db: stack.db, config: testAppConfig({ jwtSecret: 'bench', taskQueue: queues.evicted, defaultTenant: TENANT, callTimeoutMs: 30_000 }) });

  async function call(target: typeof app, method: string, route: string, body: unknown, token?: string): Promise<any> {
    const response = await target.request(route, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${route} → ${response.status}: ${await response.text()}`);
    return response.json();
  }
  const startProduct = (target = app) => call(target, 'POST', '/api/v1/conversations', { message: DEMAND }) as Promise<{ conversationId: string; token: string }>;
  const productTurn = (conversation: { conversationId: string; token: string }, target = app) =>
    call(target, 'POST', `/api/v1/conversations/${conversation.conversationId}/messages`, { text: ANSWER_TURN }, conversation.token);
  const startFloor = (workflow: typeof bareFloor) =>
    client.workflow.executeUpdateWithStart(pingUpdate, {
      args: [{ text: 'oi' }],
      startWorkflowOperation: new WithStartWorkflowOperation(workflow, { workflowId: `floor-${randomUUID()}`, taskQueue: queues.floor, workflowIdConflictPolicy: 'FAIL' }),
    });
  const floorHandle = async (workflow: typeof bareFloor): Promise<WorkflowHandle> => {
    const handle = await client.workflow.start(workflow, { workflowId: `floor-${randomUUID()}`, taskQueue: queues.floor });
    await handle.executeUpdate(pingUpdate, { args: [{ text: 'warm' }] });
    return handle;
  };
  const ping = (handle: WorkflowHandle) => handle.executeUpdate(pingUpdate, { args: [{ text: 'oi' }] });

  log('… warming up');
  const conversations: { conversationId: string; token: string }[] = [];
  for (let index = 0; index < SIZES.conversations; index++) conversations.push(await startProduct());
  for (const conversation of conversations) await productTurn(conversation);
  const floors = { bare: await floorHandle(bareFloor), activity: await floorHandle(activityFloor), local: await floorHandle(localActivityFloor) };
  for (let index = 0; index < 20; index++) await Promise.all([ping(floors.bare), ping(floors.activity), ping(floors.local), startFloor(bareFloor)]);

  log(`… first turns: ${SIZES.firstTurns} product starts and ${SIZES.firstTurns} update-with-starts, interleaved`);
  const first = { product: [] as number[], floor: [] as number[] };
  for (let index = 0; index < SIZES.firstTurns; index++) {
    first.product.push(await timed(() => startProduct()));
    first.floor.push(await timed(() => startFloor(bareFloor)));
  }

  log(`… answer turns: ${SIZES.answerTurns} of each, interleaved`);
  const turns = { product: [] as number[], bare: [] as number[], activity: [] as number[], local: [] as number[] };
  for (let index = 0; index < SIZES.answerTurns; index++) {
    turns.product.push(await timed(() => productTurn(conversations[index % conversations.length]!)));
    turns.bare.push(await timed(() => ping(floors.bare)));
    turns.activity.push(await timed(() => ping(floors.activity)));
    turns.local.push(await timed(() => ping(floors.local)));
  }

  log('… history per answer turn');
  const history = async (workflowId: string) => {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, ...(nextPageToken ? { nextPageToken } : {}) });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    const byType: Record<string, { events: number; bytes: number }> = {};
    for (const event of events) {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
      const entry = (byType[type.replace(/^EVENT_TYPE_/, '')] ??= { events: 0, bytes: 0 });
      entry.events += 1;
      entry.bytes += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    }
    return { events: events.length, bytes: temporal.api.history.v1.History.encode({ events }).finish().length, byType };
  };
  const sample = conversations[0]!;
  const before = await history(conversationWorkflowId(sample.conversationId));
  const sampleTurns = 10;
  for (let index = 0; index < sampleTurns; index++) await productTurn(sample);
  const after = await history(conversationWorkflowId(sample.conversationId));
  const floorBefore = await history(floors.bare.workflowId);
  for (let index = 0; index < sampleTurns; index++) await ping(floors.bare);
  const floorAfter = await history(floors.bare.workflowId);

  const throughput: { concurrency: number; product: number; floor: number; productCpuMs: number; floorCpuMs: number }[] = [];
  for (const concurrency of SIZES.concurrency) {
    log(`… throughput at ${concurrency} concurrent customers, ${SIZES.seconds} s each`);
    const own: { conversationId: string; token: string }[] = [];
    for (let index = 0; index < concurrency; index++) own.push(index < conversations.length ? conversations[index]! : await startProduct());
    const bareHandles = await Promise.all(Array.from({ length: concurrency }, () => floorHandle(bareFloor)));
    const measure = async (work: (index: number) => Promise<unknown>) => {
      const cpu = process.cpuUsage();
      const until = performance.now() + SIZES.seconds * 1000;
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, index) => {
          while (performance.now() < until) {
            await work(index);
            done += 1;
          }
        }),
      );
      const used = process.cpuUsage(cpu);
      return { perSecond: done / SIZES.seconds, cpuMsPerTurn: (used.user + used.system) / 1000 / done };
    };
    const product = await measure((index) => productTurn(own[index]!));
    const floor = await measure((index) => ping(bareHandles[index]!));
    throughput.push({ concurrency, product: round(product.perSecond), floor: round(floor.perSecond), productCpuMs: round(product.cpuMsPerTurn), floorCpuMs: round(floor.cpuMsPerTurn) });
    await Promise.all(bareHandles.map((handle) => handle.signal(stopSignal)));
  }

  log(`… a turn on an evicted conversation (a worker with no cache replays the history every turn), ${SIZES.evicted} turns`);
  const evictedConversation = await startProduct(evictedApp);
  for (let index = 0; index < 5; index++) await productTurn(evictedConversation, evictedApp);
  const evicted: number[] = [];
  for (let index = 0; index < SIZES.evicted; index++) evicted.push(await timed(() => productTurn(evictedConversation, evictedApp)));

  log(`… memory: ${SIZES.idle} more idle conversations (this process holds the API, the worker and the client)`);
  global.gc?.();
  const rssBefore = rssMiB();
  for (let index = 0; index < SIZES.idle; index += 20) await Promise.all(Array.from({ length: Math.min(20, SIZES.idle - index) }, () => startProduct()));
  global.gc?.();
  const rssAfter = rssMiB();

  const ratio = (value: number, floor: number) => round(value / floor, 2);
  const summary = {
    quick,
    loadAverage: { before: loadBefore.map((value) => round(value, 2)), after: os.loadavg().map((value) => round(value, 2)) },
    firstTurnMs: { product: { p50: round(percentile(first.product, 50)), p99: round(percentile(first.product, 99)) }, floor: { p50: round(percentile(first.floor, 50)), p99: round(percentile(first.floor, 99)) } },
    answerTurnMs: Object.fromEntries(Object.entries(turns).map(([name, values]) => [name, { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) }])),
    ratios: {
      answerP50: ratio(percentile(turns.product, 50), percentile(turns.bare, 50)),
      answerP99: ratio(percentile(turns.product, 99), percentile(turns.bare, 99)),
      firstTurnP50: ratio(percentile(first.product, 50), percentile(first.floor, 50)),
    },
    historyPerAnswerTurn: {
      product: { events: round((after.events - before.events) / sampleTurns), bytes: Math.round((after.bytes - before.bytes) / sampleTurns) },
      floor: { events: round((floorAfter.events - floorBefore.events) / sampleTurns), bytes: Math.round((floorAfter.bytes - floorBefore.bytes) / sampleTurns) },
      /** Where a product turn's bytes go, by event type. */
      productByType: Object.fromEntries(
        Object.entries(after.byType).map(([type, { events, bytes }]) => {
          const earlier = before.byType[type] ?? { events: 0, bytes: 0 };
          return [type, { events: round((events - earlier.events) / sampleTurns), bytes: Math.round((bytes - earlier.bytes) / sampleTurns) }];
        }),
      ),
    },
    throughput: throughput.map((row) => ({ ...row, ratio: ratio(row.product, row.floor), cpuRatio: ratio(row.productCpuMs, row.floorCpuMs) })),
    evictedTurnMs: { p50: round(percentile(evicted, 50)), cachedP50: round(percentile(turns.product, 50)) },
    idleMemory: { conversations: SIZES.idle, rssBeforeMiB: rssBefore, rssAfterMiB: rssAfter, perConversationKiB: Math.round(((rssAfter - rssBefore) * 1024) / SIZES.idle) },
  };

  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    const line = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);
    line('load average before / after', `${summary.loadAverage.before.join(' ')} / ${summary.loadAverage.after.join(' ')}`);
    for (const [name, value] of Object.entries(summary.answerTurnMs)) line(`answer turn ${name} p50 / p99 (ms)`, `${value.p50} / ${value.p99}`);
    line('answer turn vs bare update, p50 / p99', `${summary.ratios.answerP50}× / ${summary.ratios.answerP99}×   goal ≤ 1.5× / ≤ 2×`);
    line('first turn product / update-with-start p50 (ms)', `${summary.firstTurnMs.product.p50} / ${summary.firstTurnMs.floor.p50}`);
    line('first turn vs update-with-start, p50', `${summary.ratios.firstTurnP50}×   goal ≤ 2×`);
    line('history per answer turn: product / floor', `${summary.historyPerAnswerTurn.product.events} events, ${summary.historyPerAnswerTurn.product.bytes} B / ${summary.historyPerAnswerTurn.floor.events} events, ${summary.historyPerAnswerTurn.floor.bytes} B   goal ≤ 6 events, ≤ 2 KB`);
    for (const row of summary.throughput) {
      line(`throughput at ${row.concurrency}: product / floor (turns/s)`, `${row.product} / ${row.floor} = ${row.ratio}×   goal ≥ 0.6×`);
      line(`CPU per turn at ${row.concurrency}: product / floor (ms)`, `${row.productCpuMs} / ${row.floorCpuMs} = ${row.cpuRatio}×   goal ≤ 2×`);
    }
    line('turn on an evicted conversation p50 (ms)', `${summary.evictedTurnMs.p50} (cached ${summary.evictedTurnMs.cachedP50})`);
    line(`process RSS, +${SIZES.idle} idle conversations`, `${rssBefore} → ${rssAfter} MiB (${summary.idleMemory.perConversationKiB} KiB each; the worker alone: npm run bench:idle)`);
  }

  for (const worker of workers) worker.shutdown();
  await Promise.all(running);
  await native.close();
  await connection.close();
  await stack.stop();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
