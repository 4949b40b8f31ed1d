import type pg from 'pg';
import { timeStats, workingTimeline, type TimeStats } from '../domain/analytics';
import type { WorkingHours } from '../domain/persona';

/**
 * The service dashboard's queries over `conversation_facts` (one row per conversation, written
 * with each turn). Every query is one tenant over a period of conversation starts, with the same
 * filters. Definitions in words: domain/analytics.ts.
 */

export interface AnalyticsFilters {
  tenantId: string;
  from: Date;
  to: Date;
  channel?: string;
  /** Our statuses (active, escalated, resolved, abandoned) or the seed's (RESOLVED, UNRESOLVED, HUMAN_REQUESTED). */
  status?: string;
  priority?: 'HIGH' | 'MEDIUM' | 'LOW';
  urgency?: string;
  script?: string;
  agent?: string;
  /** An IANA time zone for buckets and the heatmap. */
  tz: string;
}

export interface SlaTargets {
  firstHumanResponseSeconds: number;
  resolutionSeconds: number;
}

/** The seed's status of a conversation, as SQL over a facts row. */
const SEED_STATUS = `CASE WHEN resolved_at IS NOT NULL THEN 'RESOLVED' WHEN escalated_at IS NOT NULL THEN 'HUMAN_REQUESTED' ELSE 'UNRESOLVED' END`;

/** The WHERE clause of the filters, with its parameters from $1. */
function where(filters: AnalyticsFilters, params: unknown[] = []): { sql: string; params: unknown[] } {
  const add = (value: unknown) => `$${params.push(value)}`;
  const clauses = [`tenant_id = ${add(filters.tenantId)}`, `created_at >= ${add(filters.from)}`, `created_at < ${add(filters.to)}`];
  if (filters.channel) clauses.push(`channel = ${add(filters.channel)}`);
  if (filters.status) {
    if (/^[A-Z_]+$/.test(filters.status)) clauses.push(`${SEED_STATUS} = ${add(filters.status)}`);
    else clauses.push(`status = ${add(filters.status)}`);
  }
  if (filters.priority) clauses.push(`priority = ${add(filters.priority)}`);
  if (filters.urgency) clauses.push(`urgency = ${add(filters.urgency)}`);
  if (filters.script) clauses.push(`script_id = ${add(filters.script)}`);
  if (filters.agent) clauses.push(`agent_id = ${add(filters.agent)}`);
  return { sql: clauses.join(' AND '), params };
}

const seconds = (expression: string) => `extract(epoch FROM ${expression})`;
const BOT_FRT = seconds('first_bot_reply_at - first_customer_at');
const HUMAN_FRT = seconds('first_human_reply_at - escalated_at');
const RESOLUTION = seconds('resolved_at - created_at');

export interface Summary {
  volume: { conversations: number; messages: number };
  resolution: { resolved: number; finished: number; rate: number | null; byBot: number; byAgent: number };
  escalation: { escalated: number; rate: number | null };
  abandoned: { count: number; rate: number | null };
  unanswered: { count: number };
  firstResponse: { bot: TimeStats; human: TimeStats };
  resolutionTime: TimeStats;
  csat: { responses: number; surveys: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number>; responseRate: number | null; satisfiedShare: number | null };
  frustration: { measured: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
  sla: {
    targets: SlaTargets;
    firstHumanResponse: { measured: number; met: number; rate: number | null };
    resolution: { measured: number; met: number; rate: number | null };
  };
  businessHours: boolean;
}

const ratio = (part: number, whole: number) => (whole ? part / whole : null);
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const levels = (row: Record<string, unknown>, name: string) =>
  Object.fromEntries([1, 2, 3, 4, 5].map((level) => [String(level), Number(row[`${name}_${level}`])])) as Record<'1' | '2' | '3' | '4' | '5', number>;

/**
 * The summary of the period in one query. With business hours, the three times are recounted
 * from the rows' instants so that only working time counts (and the SLA with them).
 */
export async function summary(db: pg.Pool, filters: AnalyticsFilters, sla: SlaTargets, hours: WorkingHours | null = null): Promise<Summary> {
  const { sql, params: filterParams } = where(filters);
  const params = [...filterParams];
  const humanTarget = `$${params.push(sla.firstHumanResponseSeconds)}`;
  const resolutionTarget = `$${params.push(sla.resolutionSeconds)}`;
  // the counts (which Postgres may aggregate in parallel) and each time's percentiles (ordered-set
  // aggregates, which it may not) are separate queries on separate connections, run at once
  const [counts, ...times] = await Promise.all([
    db.query(
      `SELECT count(*)::int AS conversations,
              coalesce(sum(customer_messages + bot_messages + agent_messages), 0)::int AS messages,
              count(*) FILTER (WHERE resolved_at IS NOT NULL)::int AS resolved,
              count(*) FILTER (WHERE resolver = 'bot')::int AS by_bot,
              count(*) FILTER (WHERE resolver = 'agent')::int AS by_agent,
              count(*) FILTER (WHERE resolved_at IS NOT NULL OR abandoned_at IS NOT NULL OR closed_at IS NOT NULL)::int AS finished,
              count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE abandoned_at IS NOT NULL)::int AS abandoned,
              count(*) FILTER (WHERE customer_messages > 0 AND bot_messages + agent_messages = 0)::int AS unanswered,
              count(csat)::int AS csat_responses,
              count(*) FILTER (WHERE csat_asked)::int AS csat_surveys,
              avg(csat) AS csat_average,
              ${[1, 2, 3, 4, 5].map((level) => `count(*) FILTER (WHERE csat = ${level})::int AS csat_${level}`).join(', ')},
              count(*) FILTER (WHERE csat >= 4)::int AS csat_satisfied,
              count(frustration)::int AS frustration_measured,
              avg(frustration) AS frustration_average,
              ${[1, 2, 3, 4, 5].map((level) => `count(*) FILTER (WHERE frustration = ${level})::int AS frustration_${level}`).join(', ')},
              count(${HUMAN_FRT})::int AS human_measured,
              count(*) FILTER (WHERE ${HUMAN_FRT} <= ${humanTarget})::int AS human_met,
              count(${RESOLUTION})::int AS resolution_measured,
              count(*) FILTER (WHERE ${RESOLUTION} <= ${resolutionTarget})::int AS resolution_met
         FROM conversation_facts WHERE ${sql}`,
      params,
    ),
    ...[BOT_FRT, HUMAN_FRT, RESOLUTION].map((expression) =>
      db.query<{ stats: number[] | null; mean: number | null }>(
        `SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${expression}) AS stats, avg(${expression}) AS mean
           FROM conversation_facts WHERE ${sql} AND ${expression} IS NOT NULL`,
        filterParams,
      ),
    ),
  ]);
  const rows = counts.rows;
  const [bot, human, resolution] = times.map(({ rows: [stat] }): TimeStats => ({ median: num(stat?.stats?.[0]), p90: num(stat?.stats?.[1]), mean: num(stat?.mean) }));
  const row = rows[0] as Record<string, unknown>;
  const count = (name: string) => Number(row[name]);
  const result: Summary = {
    volume: { conversations: count('conversations'), messages: count('messages') },
    resolution: { resolved: count('resolved'), finished: count('finished'), rate: ratio(count('resolved'), count('finished')), byBot: count('by_bot'), byAgent: count('by_agent') },
    escalation: { escalated: count('escalated'), rate: ratio(count('escalated'), count('conversations')) },
    abandoned: { count: count('abandoned'), rate: ratio(count('abandoned'), count('conversations')) },
    unanswered: { count: count('unanswered') },
    firstResponse: { bot: bot!, human: human! },
    resolutionTime: resolution!,
    csat: {
      responses: count('csat_responses'),
      surveys: count('csat_surveys'),
      average: num(row.csat_average),
      distribution: levels(row, 'csat'),
      responseRate: ratio(count('csat_responses'), count('csat_surveys')),
      satisfiedShare: ratio(count('csat_satisfied'), count('csat_responses')),
    },
    frustration: { measured: count('frustration_measured'), average: num(row.frustration_average), distribution: levels(row, 'frustration') },
    sla: {
      targets: sla,
      firstHumanResponse: { measured: count('human_measured'), met: count('human_met'), rate: ratio(count('human_met'), count('human_measured')) },
      resolution: { measured: count('resolution_measured'), met: count('resolution_met'), rate: ratio(count('resolution_met'), count('resolution_measured')) },
    },
    businessHours: false,
  };
  return hours ? inBusinessHours(db, filters, sla, hours, result) : result;
}

/** The three times (and the SLA) again, counting only working time between each row's instants. */
async function inBusinessHours(db: pg.Pool, filters: AnalyticsFilters, sla: SlaTargets, hours: WorkingHours, result: Summary): Promise<Summary> {
  const { sql, params } = where(filters);
  // instants as epoch milliseconds: numbers parse far faster than tens of thousands of Dates
  const columns = ['created_at', 'first_customer_at', 'first_bot_reply_at', 'escalated_at', 'first_human_reply_at', 'resolved_at'];
  const { rows } = await db.query<Record<string, number | null>>(
    `SELECT ${columns.map((column) => `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`).join(', ')}
       FROM conversation_facts WHERE ${sql}`,
    params,
  );
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    for (const value of Object.values(row)) {
      if (value === null) continue;
      first = Math.min(first, value);
      last = Math.max(last, value);
    }
  }
  const between = rows.length ? workingTimeline(hours, new Date(first), new Date(last)) : () => 0;
  const spans = (from: string, to: string) =>
    rows.filter((row) => row[from] !== null && row[to] !== null && row[to]! >= row[from]!).map((row) => between(row[from]!, row[to]!) / 1000);
  const bot = spans('first_customer_at', 'first_bot_reply_at');
  const human = spans('escalated_at', 'first_human_reply_at');
  const resolution = spans('created_at', 'resolved_at');
  const met = (values: number[], target: number) => values.filter((value) => value <= target).length;
  return {
    ...result,
    firstResponse: { bot: timeStats(bot), human: timeStats(human) },
    resolutionTime: timeStats(resolution),
    sla: {
      targets: sla,
      firstHumanResponse: { measured: human.length, met: met(human, sla.firstHumanResponseSeconds), rate: ratio(met(human, sla.firstHumanResponseSeconds), human.length) },
      resolution: { measured: resolution.length, met: met(resolution, sla.resolutionSeconds), rate: ratio(met(resolution, sla.resolutionSeconds), resolution.length) },
    },
    businessHours: true,
  };
}

export const timeseriesMetrics = ['conversations', 'messages', 'resolved', 'escalated', 'abandoned', 'csat', 'frustration', 'firstResponse.bot', 'firstResponse.human', 'resolutionTime'] as const;
export type TimeseriesMetric = (typeof timeseriesMetrics)[number];

const METRIC_SQL: Record<TimeseriesMetric, string> = {
  conversations: 'count(*)::float8',
  messages: 'coalesce(sum(customer_messages + bot_messages + agent_messages), 0)::float8',
  resolved: `count(*) FILTER (WHERE resolved_at IS NOT NULL)::float8`,
  escalated: `count(*) FILTER (WHERE escalated_at IS NOT NULL)::float8`,
  abandoned: `count(*) FILTER (WHERE abandoned_at IS NOT NULL)::float8`,
  csat: 'avg(csat)::float8',
  frustration: 'avg(frustration)::float8',
  'firstResponse.bot': `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${BOT_FRT})`,
  'firstResponse.human': `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${HUMAN_FRT})`,
  resolutionTime: `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${RESOLUTION})`,
};

/** One value per hour, day or week of conversation starts in the zone `tz` (times: the median, in seconds); empty buckets included. */
export async function timeseries(db: pg.Pool, filters: AnalyticsFilters, metric: TimeseriesMetric, interval: 'hour' | 'day' | 'week'): Promise<{ start: string; value: number | null }[]> {
  const { sql, params } = where(filters);
  const tz = `$${params.push(filters.tz)}`;
  const unit = `$${params.push(interval)}`;
  const step = `$${params.push(`1 ${interval}`)}`;
  const { rows } = await db.query<{ start: Date; value: number | null }>(
    `WITH buckets AS (
       SELECT generate_series(date_trunc(${unit}, $2::timestamptz AT TIME ZONE ${tz}), ($3::timestamptz - interval '1 microsecond') AT TIME ZONE ${tz}, ${step}::interval) AS local_start
     ), measured AS (
       SELECT date_trunc(${unit}, created_at AT TIME ZONE ${tz}) AS local_start, ${METRIC_SQL[metric]} AS value
         FROM conversation_facts WHERE ${sql} GROUP BY 1
     )
     SELECT buckets.local_start AT TIME ZONE ${tz} AS start,
            ${metric.startsWith('firstResponse') || ['csat', 'frustration', 'resolutionTime'].includes(metric) ? 'measured.value' : 'coalesce(measured.value, 0)'} AS value
       FROM buckets LEFT JOIN measured USING (local_start) ORDER BY 1`,
    params,
  );
  return rows.map((row) => ({ start: row.start.toISOString(), value: row.value === null ? null : Number(row.value) }));
}

/** Conversations started per weekday (0 = Sunday) and hour, in the zone `tz`: all 168 cells. */
export async function heatmap(db: pg.Pool, filters: AnalyticsFilters): Promise<{ weekday: number; hour: number; conversations: number }[]> {
  const { sql, params } = where(filters);
  const tz = `$${params.push(filters.tz)}`;
  // counted in quarter hours first (plain arithmetic, no zone per row), then each quarter placed in the zone
  const { rows } = await db.query<{ weekday: number; hour: number; conversations: number }>(
    `SELECT extract(dow FROM quarter AT TIME ZONE ${tz})::int AS weekday, extract(hour FROM quarter AT TIME ZONE ${tz})::int AS hour, sum(n)::int AS conversations
       FROM (SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter, count(*) AS n
               FROM conversation_facts WHERE ${sql} GROUP BY 1) AS quarters
      GROUP BY 1, 2`,
    params,
  );
  const cells = new Map(rows.map((row) => [`${row.weekday}:${row.hour}`, row.conversations]));
  return Array.from({ length: 7 * 24 }, (_, index) => {
    const weekday = Math.floor(index / 24);
    const hour = index % 24;
    return { weekday, hour, conversations: cells.get(`${weekday}:${hour}`) ?? 0 };
  });
}

export const breakdownDimensions = { agent: 'agent_id', channel: 'channel', script: 'script_id', status: 'status', priority: 'priority', urgency: 'urgency', frustration: 'frustration' } as const;
export type BreakdownDimension = keyof typeof breakdownDimensions;

export interface BreakdownRow {
  key: string | null;
  conversations: number;
  resolved: number;
  /** Started in the period and not yet resolved, abandoned or closed. */
  open: number;
  resolutionRate: number | null;
  escalated: number;
  abandoned: number;
  csatAverage: number | null;
  firstResponseHumanMedian: number | null;
  resolutionTimeMedian: number | null;
}

/** The main figures per agent, channel, script, status, priority, urgency or frustration level (its correlation with escalation and CSAT), largest first. */
export async function breakdown(db: pg.Pool, filters: AnalyticsFilters, by: BreakdownDimension): Promise<BreakdownRow[]> {
  const { sql, params } = where(filters);
  const column = breakdownDimensions[by];
  const { rows } = await db.query(
    `SELECT ${column}::text AS key, count(*)::int AS conversations,
            count(*) FILTER (WHERE resolved_at IS NOT NULL)::int AS resolved,
            count(*) FILTER (WHERE resolved_at IS NOT NULL OR abandoned_at IS NOT NULL OR closed_at IS NOT NULL)::int AS finished,
            count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated,
            count(*) FILTER (WHERE abandoned_at IS NOT NULL)::int AS abandoned,
            avg(csat)::float8 AS csat_average,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ${HUMAN_FRT}) AS human_median,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ${RESOLUTION}) AS resolution_median
       FROM conversation_facts WHERE ${sql} GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT 200`,
    params,
  );
  return rows.map((row) => ({
    key: row.key,
    conversations: row.conversations,
    resolved: row.resolved,
    open: row.conversations - row.finished,
    resolutionRate: ratio(row.resolved, row.finished),
    escalated: row.escalated,
    abandoned: row.abandoned,
    csatAverage: num(row.csat_average),
    firstResponseHumanMedian: num(row.human_median),
    resolutionTimeMedian: num(row.resolution_median),
  }));
}

export const distributionMetrics = { 'firstResponse.bot': BOT_FRT, 'firstResponse.human': HUMAN_FRT, resolutionTime: RESOLUTION } as const;
export type DistributionMetric = keyof typeof distributionMetrics;

/** Bucket edges in seconds: under a minute, 1–5 min, 5–15, 15–30, 30–60, 1–4 h, 4–24 h, a day or more. */
export const DISTRIBUTION_EDGES = [60, 300, 900, 1800, 3600, 14_400, 86_400] as const;

/** How many conversations fall in each time bucket (the histogram and the SLA bands). */
export async function distribution(db: pg.Pool, filters: AnalyticsFilters, metric: DistributionMetric): Promise<{ from: number; to: number | null; conversations: number }[]> {
  const { sql, params } = where(filters);
  const edges = `$${params.push(DISTRIBUTION_EDGES)}::float8[]`;
  const expression = distributionMetrics[metric];
  const { rows } = await db.query<{ bucket: number; conversations: number }>(
    `SELECT width_bucket(${expression}, ${edges}) AS bucket, count(*)::int AS conversations
       FROM conversation_facts WHERE ${sql} AND ${expression} IS NOT NULL GROUP BY 1`,
    params,
  );
  const counts = new Map(rows.map((row) => [row.bucket, row.conversations]));
  return Array.from({ length: DISTRIBUTION_EDGES.length + 1 }, (_, bucket) => ({
    from: bucket === 0 ? 0 : DISTRIBUTION_EDGES[bucket - 1]!,
    to: bucket < DISTRIBUTION_EDGES.length ? DISTRIBUTION_EDGES[bucket]! : null,
    conversations: counts.get(bucket) ?? 0,
  }));
}

export interface ConversationListItem {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: string;
  seedStatus: string;
  priority: string | null;
  urgency: string | null;
  channel: string;
  scriptId: string | null;
  agentId: string | null;
  visitorId: string | null;
  contactName: string | null;
  contactEmail: string | null;
  frustration: number | null;
  csat: number | null;
  firstResponseSeconds: number | null;
  firstHumanResponseSeconds: number | null;
  resolutionSeconds: number | null;
  messages: number;
  resolved: boolean;
  escalated: boolean;
}

const LIST_COLUMNS = `conversation_id AS id, created_at, updated_at, status, ${SEED_STATUS} AS seed_status, priority, urgency, channel, script_id, agent_id,
  visitor_id, contact_name, contact_email, frustration, csat, ${BOT_FRT} AS frt, ${HUMAN_FRT} AS human_frt, ${RESOLUTION} AS resolution,
  customer_messages + bot_messages + agent_messages AS messages, resolved_at IS NOT NULL AS resolved, escalated_at IS NOT NULL AS escalated`;

function listItem(row: Record<string, unknown>): ConversationListItem {
  return {
    id: row.id as string,
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
    status: row.status as string,
    seedStatus: row.seed_status as string,
    priority: row.priority as string | null,
    urgency: row.urgency as string | null,
    channel: row.channel as string,
    scriptId: row.script_id as string | null,
    agentId: row.agent_id as string | null,
    visitorId: row.visitor_id as string | null,
    contactName: row.contact_name as string | null,
    contactEmail: row.contact_email as string | null,
    frustration: row.frustration as number | null,
    csat: row.csat as number | null,
    firstResponseSeconds: num(row.frt),
    firstHumanResponseSeconds: num(row.human_frt),
    resolutionSeconds: num(row.resolution),
    messages: Number(row.messages),
    resolved: row.resolved as boolean,
    escalated: row.escalated as boolean,
  };
}

/** A page of conversations, newest first; `q` searches the transcript (Portuguese full text). The cursor is the last item's (created_at, id). */
export async function listConversations(
  db: pg.Pool,
  filters: AnalyticsFilters,
  options: { q?: string; limit: number; after?: { createdAt: string; id: string } },
): Promise<{ items: ConversationListItem[]; next: { createdAt: string; id: string } | null }> {
  const { sql, params } = where(filters);
  const clauses = [sql];
  if (options.q) {
    clauses.push(
      `conversation_id IN (SELECT conversation_id FROM messages WHERE to_tsvector('portuguese', text) @@ websearch_to_tsquery('portuguese', $${params.push(options.q)}))`,
    );
  }
  if (options.after) clauses.push(`(created_at, conversation_id) < ($${params.push(options.after.createdAt)}::timestamptz, $${params.push(options.after.id)}::uuid)`);
  const limit = `$${params.push(options.limit + 1)}`;
  const { rows } = await db.query(`SELECT ${LIST_COLUMNS} FROM conversation_facts WHERE ${clauses.join(' AND ')} ORDER BY created_at DESC, conversation_id DESC LIMIT ${limit}`, params);
  const items = rows.slice(0, options.limit).map(listItem);
  const last = items.at(-1);
  return { items, next: rows.length > options.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/** The seed's CSV columns, in its order. */
export const CSV_COLUMNS = [
  'conversation_id',
  'created_at',
  'updated_at',
  'status',
  'priority',
  'channel',
  'visitor_id',
  'agent_id',
  'frustration_level',
  'first_response_time',
  'resolution_time',
  'message_count',
  'satisfaction_score',
  'resolved',
  'escalated_to_human',
  'contact_name',
  'contact_email',
] as const;

/** One CSV line of a conversation: first_response_time in seconds, resolution_time in minutes (the seed's units). */
export function csvLine(item: ConversationListItem): string {
  const cells = [
    item.id,
    item.createdAt,
    item.updatedAt,
    item.seedStatus,
    item.priority ?? '',
    item.channel,
    item.visitorId ?? '',
    item.agentId ?? '',
    item.frustration ?? '',
    item.firstResponseSeconds === null ? '' : Math.round(item.firstResponseSeconds),
    item.resolutionSeconds === null ? '' : (item.resolutionSeconds / 60).toFixed(1),
    item.messages,
    item.csat ?? '',
    item.resolved,
    item.escalated,
    item.contactName ?? '',
    item.contactEmail ?? '',
  ];
  return cells.map((cell) => csvCell(String(cell))).join(',');
}

/** Quoted when needed; a cell starting with = + - @ is prefixed so a spreadsheet does not run it as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Pages of the export, newest first, so a large export streams instead of loading at once. */
export async function* exportRows(db: pg.Pool, filters: AnalyticsFilters, pageSize = 1_000): AsyncGenerator<ConversationListItem[]> {
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await listConversations(db, filters, { limit: pageSize, ...(after ? { after } : {}) });
    if (page.items.length) yield page.items;
    if (!page.next) return;
    after = page.next;
  }
}
