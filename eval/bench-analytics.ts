/**
 * npm run bench:analytics [-- --conversations 1000000 --runs 20 --json]
 *
 * The dashboard's queries over one tenant with many conversations, on a PostgreSQL of its own
 * (a temp dir, its own port): generates the conversations and their facts in batches (with
 * progress), then times the summary (wall clock and business hours), the heatmap, a time series
 * and the first page of the conversation list, each `runs` times, and prints p50/p95.
 * Goal (issue 17): summary and heatmap < 500 ms p95 at 1,000,000 conversations.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { heatmap, listConversations, summary, timeseries, type AnalyticsFilters } from '../db/analytics';
import { DEFAULT_SLA } from '../api/analytics';
import { startEvalStack } from './stack';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const total = option('conversations', 1_000_000);
const runs = option('runs', 20);
const json = args.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);
const BATCH = 100_000;
const TENANT = 'bench';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  const stack = await startEvalStack('analytics', log);
  try {
    const { db } = stack;
    await db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'Bench') ON CONFLICT DO NOTHING`, [TENANT]);
    const until = new Date('2026-12-01T03:00:00Z');
    const generated = performance.now();
    for (let done = 0; done < total; done += BATCH) {
      const size = Math.min(BATCH, total - done);
      // a year of conversations, weekday business hours busier; outcomes in realistic shares
      await db.query(
        `WITH raw AS (
           SELECT gen_random_uuid() AS id, $2::timestamptz - (random() * interval '365 days') AS created_at, random() AS r, random() AS s, random() AS t
             FROM generate_series(1, $1::int)
         ), made AS (
           INSERT INTO conversations (id, tenant_id, workflow_id, channel, status, stage, state, revision, created_at, updated_at)
           SELECT id, $3, 'conversation-' || id, (ARRAY['whatsapp', 'web', 'api'])[1 + floor(s * 3)::int],
                  CASE WHEN r < 0.55 THEN 'resolved' WHEN r < 0.75 THEN 'escalated' WHEN r < 0.88 THEN 'abandoned' ELSE 'active' END,
                  'closed', '{}'::jsonb, 1, created_at, created_at + interval '1 hour'
             FROM raw
           RETURNING id, channel, status, created_at
         )
         INSERT INTO conversation_facts (conversation_id, tenant_id, channel, script_id, status, created_at, first_customer_at, last_customer_at,
                                         first_bot_reply_at, escalated_at, first_human_reply_at, resolved_at, abandoned_at, closed_at, resolver,
                                         agent_id, urgency, priority, sentiment, frustration, csat_asked, csat, customer_messages, bot_messages,
                                         agent_messages, revision, updated_at)
         SELECT m.id, $3, m.channel, (ARRAY['boleto', 'sinistro', 'cotacao', 'cancelamento'])[1 + floor(raw.t * 4)::int], m.status, m.created_at,
                m.created_at, m.created_at + interval '2 minutes', m.created_at + (raw.t * 3) * interval '1 second',
                CASE WHEN m.status = 'escalated' OR raw.r BETWEEN 0.45 AND 0.55 THEN m.created_at + interval '1 minute' END,
                CASE WHEN m.status = 'escalated' OR raw.r BETWEEN 0.45 AND 0.55 THEN m.created_at + interval '1 minute' + (raw.s * raw.s * 7200) * interval '1 second' END,
                CASE WHEN m.status = 'resolved' THEN m.created_at + (60 + raw.s * 5000) * interval '1 second' END,
                CASE WHEN m.status = 'abandoned' THEN m.created_at + interval '1 hour' END,
                m.created_at + interval '1 day',
                CASE WHEN m.status = 'resolved' THEN CASE WHEN raw.r BETWEEN 0.45 AND 0.55 THEN 'agent' ELSE 'bot' END END,
                CASE WHEN m.status = 'escalated' OR raw.r BETWEEN 0.45 AND 0.55 THEN 'agente-' || (1 + floor(raw.t * 12)::int) END,
                (ARRAY['low', 'medium', 'high', 'critical'])[1 + floor(raw.s * raw.s * 4)::int],
                (ARRAY['LOW', 'MEDIUM', 'HIGH', 'HIGH'])[1 + floor(raw.s * raw.s * 4)::int],
                'neutral', 1 + floor(raw.s * 4.99)::int, m.status = 'resolved',
                CASE WHEN m.status = 'resolved' AND raw.t < 0.6 THEN 1 + floor(raw.t / 0.6 * 4.99)::int END,
                3, 4, CASE WHEN m.status = 'escalated' THEN 2 ELSE 0 END, 1, m.created_at + interval '1 hour'
           FROM made m JOIN raw USING (id)`,
        [size, until, TENANT],
      );
      log(`… ${done + size}/${total} conversations generated (${((performance.now() - generated) / 1000).toFixed(0)} s)`);
    }
    await db.query('VACUUM ANALYZE conversation_facts');
    const generationSeconds = (performance.now() - generated) / 1000;

    const filters: AnalyticsFilters = { tenantId: TENANT, from: new Date(until.getTime() - 366 * 86_400_000), to: until, tz: 'America/Sao_Paulo' };
    const month: AnalyticsFilters = { ...filters, from: new Date(until.getTime() - 30 * 86_400_000) };
    const hours = { start: '09:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] };
    const cases: [string, () => Promise<unknown>][] = [
      ['summary, the whole year', () => summary(db, filters, DEFAULT_SLA)],
      ['heatmap, the whole year', () => heatmap(db, filters)],
      ['summary, the last 30 days', () => summary(db, month, DEFAULT_SLA)],
      ['heatmap, the last 30 days', () => heatmap(db, month)],
      ['summary, 30 days, business hours', () => summary(db, month, DEFAULT_SLA, hours)],
      ['time series per day, the whole year', () => timeseries(db, filters, 'conversations', 'day')],
      ['conversation list, first page', () => listConversations(db, filters, { limit: 50 })],
    ];
    const results: { name: string; p50: number; p95: number }[] = [];
    for (const [name, run] of cases) {
      await run(); // warm
      const times: number[] = [];
      for (let index = 0; index < runs; index++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      results.push({ name, p50: Number(percentile(times, 50).toFixed(1)), p95: Number(percentile(times, 95).toFixed(1)) });
      log(`… ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`);
    }
    const report = { conversations: total, generationSeconds: Number(generationSeconds.toFixed(1)), runs, load: { before: loadBefore, after: os.loadavg().map((value) => value.toFixed(2)).join(' ') }, results };
    if (json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`${total.toLocaleString('en-US')} conversations of one tenant (generated in ${report.generationSeconds} s); ${runs} runs each; load ${report.load.before} / ${report.load.after}`);
      for (const result of results) console.log(`${result.name.padEnd(40)} p50 ${String(result.p50).padStart(8)} ms   p95 ${String(result.p95).padStart(8)} ms${/^(summary|heatmap)/.test(result.name) ? `   goal < 500 ms p95` : ''}`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
