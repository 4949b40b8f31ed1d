import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mintToken } from '../api/auth';
import { recordTurn } from '../db/conversations';
import { seedDemo } from '../db/demo';
import type { Analysis } from '../domain/analysis';
import { conversationWorkflowId, initialState, type ConversationState, type StoredMessage } from '../domain/conversation';
import { appStackFor } from './support/app-stack';

/**
 * The dashboard's metrics on a fixed set of five conversations whose figures were computed by
 * hand (below), written through recordTurn — the path the workflow writes — so the facts are
 * derived exactly as for real conversations. Times are UTC; the tenant works Mon–Fri 09–18 in
 * São Paulo (UTC−3). Wed 2026-11-25, Thu 11-26, Fri 11-27, Mon 11-30.
 *
 * C1 web      customer 13:00:00, bot 13:00:02 (2 s), resolved by the bot 13:10:00 (600 s), CSAT 5
 * C2 web      customer 14:00:00, bot 14:00:04 (4 s), escalated 14:01, agent 14:06 (300 s), resolved by the agent 14:31 (1860 s), CSAT 3
 * C3 whatsapp Fri 20:50:00, bot 20:50:06 (6 s), escalated Fri 20:52 (17:52 local), agent Mon 12:10 (09:10 local):
 *             227,880 s by the wall clock, 18 min = 1,080 s in business hours; survey sent, not answered
 * C4 web      customer 12:00:00, bot 12:00:08 (8 s), abandoned 13:00
 * C5 whatsapp the customer wrote and nobody replied
 */
const secret = randomUUID();
const app = appStackFor(secret);

const analysis = (frustration: number, urgency: Analysis['urgency']): Analysis => ({
  sentiment: 'neutral',
  urgency,
  intent: 'teste',
  topics: [],
  summary: 'teste',
  suggestedActions: [],
  frustration,
  analyzedAt: '2026-11-25T00:00:00.000Z',
  engine: 'offline',
});

type Line = [StoredMessage['role'], string, string];

/** Writes one conversation turn by turn; each turn's lines and what changed in the state. */
async function conversation(tenantId: string, channel: string, startedAt: string, turns: [Line[], (state: ConversationState, at: string) => void][]): Promise<string> {
  const conversationId = randomUUID();
  const state = initialState({ conversationId, tenantId, channel, customer: { name: `Cliente ${channel}`, email: 'cliente@exemplo.com' }, startedAt });
  for (const [lines, change] of turns) {
    const messages = lines.map(([role, text, createdAt]) => {
      state.messageCount += 1;
      return { id: `${conversationId}:${state.messageCount}`, seq: state.messageCount, role, text, clientMessageId: null, createdAt };
    });
    const at = lines.at(-1)?.[2] ?? startedAt;
    change(state, at);
    state.revision += 1;
    state.updatedAt = at;
    await recordTurn(app.stack.db, { ...state }, messages, conversationWorkflowId(conversationId));
  }
  return conversationId;
}

const nothing = () => {};
const ids: Record<string, string> = {};
let staff: string;

async function get(path: string, token = staff) {
  const response = await app.stack.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
}

const PERIOD = 'from=2026-11-23T03:00:00Z&to=2026-12-01T03:00:00Z&tz=America/Sao_Paulo';

beforeAll(async () => {
  const { db, tenantId } = app.stack;
  staff = await mintToken(secret, { role: 'agent', tenant: tenantId, subject: 'supervisora' });
  await db.query(`UPDATE tenants SET settings = settings || $2 WHERE id = $1`, [
    tenantId,
    {
      business: { timezone: 'America/Sao_Paulo', workingHours: { start: '09:00', end: '18:00', workDays: [1, 2, 3, 4, 5] } },
      analytics: { sla: { firstHumanResponseSeconds: 1200, resolutionSeconds: 1800 } },
    },
  ]);
  ids.c1 = await conversation(tenantId, 'web', '2026-11-25T13:00:00.000Z', [
    [[['customer', 'preciso da segunda via do boleto', '2026-11-25T13:00:00.000Z'], ['bot', 'Qual é o seu CPF?', '2026-11-25T13:00:02.000Z']], (s) => Object.assign(s, { stage: 'collecting', analysis: analysis(1, 'low') })],
    [[['customer', '52998224725', '2026-11-25T13:09:58.000Z'], ['bot', 'Pronto! Protocolo ATD-1.', '2026-11-25T13:10:00.000Z']], (s) => Object.assign(s, { stage: 'resolved', status: 'resolved' })],
    [[['bot', 'De 1 a 5, como foi?', '2026-11-25T13:10:01.000Z']], (s, at) => Object.assign(s, { stage: 'rating', csat: { askedAt: at, score: null, answeredAt: null, comment: null } })],
    [[['customer', '5', '2026-11-25T13:11:00.000Z'], ['bot', 'Obrigado!', '2026-11-25T13:11:01.000Z']], (s, at) => Object.assign(s, { stage: 'resolved', csat: { ...s.csat!, score: 5, answeredAt: at } })],
  ]);
  const escalation = (at: string) => ({ reason: 'customer_asked_for_human', number: 1, inboxItemId: `x:${at}`, at, via: 'inbox' as const });
  ids.c2 = await conversation(tenantId, 'web', '2026-11-25T14:00:00.000Z', [
    [[['customer', 'quero falar com um atendente sobre o sinistro', '2026-11-25T14:00:00.000Z'], ['bot', 'Certo.', '2026-11-25T14:00:04.000Z']], (s) => Object.assign(s, { analysis: analysis(4, 'high') })],
    [[['bot', 'Vou chamar uma pessoa.', '2026-11-25T14:01:00.000Z']], (s, at) => Object.assign(s, { stage: 'escalated', status: 'escalated', escalation: escalation(at) })],
    [[['agent', 'Olá, sou a Ana.', '2026-11-25T14:06:00.000Z']], (s, at) => Object.assign(s, { stage: 'with_agent', agent: { agentId: 'ana', since: at } })],
    [[['agent', 'Resolvido!', '2026-11-25T14:31:00.000Z']], (s, at) => Object.assign(s, { stage: 'resolved', status: 'resolved', agent: null, escalation: { ...s.escalation!, outcome: 'resolved', endedAt: at } })],
    [[['bot', 'De 1 a 5, como foi?', '2026-11-25T14:31:01.000Z']], (s, at) => Object.assign(s, { stage: 'rating', csat: { askedAt: at, score: null, answeredAt: null, comment: null } })],
    [[['customer', '3', '2026-11-25T14:32:00.000Z']], (s, at) => Object.assign(s, { stage: 'resolved', csat: { ...s.csat!, score: 3, answeredAt: at } })],
  ]);
  ids.c3 = await conversation(tenantId, 'whatsapp', '2026-11-27T20:50:00.000Z', [
    [[['customer', 'bateram no meu carro', '2026-11-27T20:50:00.000Z'], ['bot', 'Sinto muito!', '2026-11-27T20:50:06.000Z']], (s) => Object.assign(s, { analysis: analysis(5, 'high') })],
    [[['bot', 'Vou chamar uma pessoa.', '2026-11-27T20:52:00.000Z']], (s, at) => Object.assign(s, { stage: 'escalated', status: 'escalated', escalation: escalation(at) })],
    [[['agent', 'Bom dia, sou o Bruno.', '2026-11-30T12:10:00.000Z']], (s, at) => Object.assign(s, { stage: 'with_agent', agent: { agentId: 'bruno', since: at } })],
    [[['bot', 'De 1 a 5, como foi?', '2026-11-30T12:40:00.000Z']], (s, at) => Object.assign(s, { csat: { askedAt: at, score: null, answeredAt: null, comment: null } })],
  ]);
  ids.c4 = await conversation(tenantId, 'web', '2026-11-26T12:00:00.000Z', [
    [[['customer', 'quero uma cotação', '2026-11-26T12:00:00.000Z'], ['bot', 'Qual o modelo do carro?', '2026-11-26T12:00:08.000Z']], (s) => Object.assign(s, { stage: 'collecting', analysis: analysis(2, 'low') })],
    [[['bot', 'Ainda está aí?', '2026-11-26T12:30:00.000Z']], nothing],
    [[['bot', 'Vou encerrar por aqui.', '2026-11-26T13:00:00.000Z']], (s) => Object.assign(s, { stage: 'abandoned', status: 'abandoned' })],
  ]);
  ids.c5 = await conversation(tenantId, 'whatsapp', '2026-11-26T18:00:00.000Z', [[[['customer', 'alô?', '2026-11-26T18:00:00.000Z']], nothing]]);
});

describe('analytics over a fixed set of conversations', () => {
  test('the summary: volume, resolution by bot and agent, escalation, abandoned, unanswered, CSAT, frustration (hand-computed)', async () => {
    const { status, body } = await get(`/api/v1/analytics/summary?${PERIOD}`);
    expect(status).toBe(200);
    expect(body.volume).toEqual({ conversations: 5, messages: 24 });
    expect(body.resolution).toEqual({ resolved: 2, finished: 3, rate: 2 / 3, byBot: 1, byAgent: 1 });
    expect(body.escalation).toEqual({ escalated: 2, rate: 0.4 });
    expect(body.abandoned).toEqual({ count: 1, rate: 0.2 });
    expect(body.unanswered).toEqual({ count: 1 });
    expect(body.csat).toEqual({ responses: 2, surveys: 3, average: 4, distribution: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 1 }, responseRate: 2 / 3, satisfiedShare: 0.5 });
    expect(body.frustration).toEqual({ measured: 4, average: 3, distribution: { 1: 1, 2: 1, 3: 0, 4: 1, 5: 1 } });
  });

  test('times by the wall clock: median, p90 (continuous) and mean; the bot and the first human response apart; SLA against the tenant targets', async () => {
    const { body } = await get(`/api/v1/analytics/summary?${PERIOD}`);
    expect(body.businessHours).toBe(false);
    expect(body.firstResponse.bot).toEqual({ median: 5, p90: expect.closeTo(7.4, 6), mean: 5 });
    expect(body.firstResponse.human).toEqual({ median: 114_090, p90: expect.closeTo(205_122, 6), mean: 114_090 });
    expect(body.resolutionTime).toEqual({ median: 1230, p90: expect.closeTo(1734, 6), mean: 1230 });
    expect(body.sla).toEqual({
      targets: { firstHumanResponseSeconds: 1200, resolutionSeconds: 1800 },
      firstHumanResponse: { measured: 2, met: 1, rate: 0.5 },
      resolution: { measured: 2, met: 1, rate: 0.5 },
    });
  });

  test('in business hours, the weekend an agent took to answer does not count (1,080 s instead of 227,880 s), and the SLA follows', async () => {
    const { body } = await get(`/api/v1/analytics/summary?${PERIOD}&businessHours=true`);
    expect(body.businessHours).toBe(true);
    expect(body.firstResponse.human).toEqual({ median: 690, p90: expect.closeTo(1002, 6), mean: 690 });
    expect(body.resolutionTime).toEqual({ median: 1230, p90: expect.closeTo(1734, 6), mean: 1230 });
    expect(body.sla.firstHumanResponse).toEqual({ measured: 2, met: 2, rate: 1 });
    // the same numbers through the v2 API
    const v2 = await get(`/api/v2/analytics/dashboard?${PERIOD}&businessHours=true`);
    expect(v2.body.firstResponse).toEqual(body.firstResponse);
  });

  test('filters: the seed status, priority, channel and agent narrow every figure', async () => {
    expect((await get(`/api/v1/analytics/summary?${PERIOD}&status=HUMAN_REQUESTED`)).body.volume.conversations).toBe(1);
    expect((await get(`/api/v1/analytics/summary?${PERIOD}&priority=HIGH`)).body.volume.conversations).toBe(2);
    expect((await get(`/api/v1/analytics/summary?${PERIOD}&channel=whatsapp`)).body.volume).toEqual({ conversations: 2, messages: 6 });
    expect((await get(`/api/v1/analytics/summary?${PERIOD}&agent=bruno`)).body.escalation.escalated).toBe(1);
    expect((await get(`/api/v1/analytics/summary?${PERIOD}&status=resolved&channel=web`)).body.resolution.resolved).toBe(2);
  });

  test('the time series has a bucket for every local day, empty ones as 0; the heatmap puts starts on the local weekday and hour', async () => {
    const series = await get(`/api/v1/analytics/timeseries?${PERIOD}&metric=conversations&interval=day`);
    expect(series.status).toBe(200);
    expect(series.body.points.map((point: { value: number }) => point.value)).toEqual([0, 0, 2, 2, 1, 0, 0, 0]);
    expect(series.body.points[2].start).toBe('2026-11-25T03:00:00.000Z');
    const heat = await get(`/api/v1/analytics/heatmap?${PERIOD}`);
    const busy = heat.body.cells.filter((cell: { conversations: number }) => cell.conversations > 0);
    expect(heat.body.cells).toHaveLength(168);
    expect(busy).toEqual([
      { weekday: 3, hour: 10, conversations: 1 },
      { weekday: 3, hour: 11, conversations: 1 },
      { weekday: 4, hour: 9, conversations: 1 },
      { weekday: 4, hour: 15, conversations: 1 },
      { weekday: 5, hour: 17, conversations: 1 },
    ]);
  });

  test('breakdown by channel and by frustration level; the human-response distribution in buckets', async () => {
    const channels = await get(`/api/v1/analytics/breakdown?${PERIOD}&by=channel`);
    expect(channels.body.rows.map((row: { key: string; conversations: number; resolved: number }) => [row.key, row.conversations, row.resolved])).toEqual([
      ['web', 3, 2],
      ['whatsapp', 2, 0],
    ]);
    const levels = await get(`/api/v1/analytics/breakdown?${PERIOD}&by=frustration`);
    const five = levels.body.rows.find((row: { key: string }) => row.key === '5');
    expect(five).toMatchObject({ conversations: 1, escalated: 1, csatAverage: null });
    const buckets = await get(`/api/v1/analytics/distribution?${PERIOD}&metric=firstResponse.human`);
    expect(buckets.body.buckets.filter((bucket: { conversations: number }) => bucket.conversations)).toEqual([
      { from: 300, to: 900, conversations: 1 },
      { from: 86_400, to: null, conversations: 1 },
    ]);
  });

  test('the conversation list: newest first, a cursor through every page, and a search over the transcript', async () => {
    const first = await get(`/api/v1/conversations?${PERIOD}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids.c3, ids.c5]);
    const second = await get(`/api/v1/conversations?${PERIOD}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids.c4, ids.c2]);
    const third = await get(`/api/v1/conversations?${PERIOD}&limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.items.map((item: { id: string }) => item.id)).toEqual([ids.c1]);
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.items[0]).toMatchObject({ seedStatus: 'HUMAN_REQUESTED', priority: 'HIGH', agentId: 'bruno', firstHumanResponseSeconds: 227_880, messages: 5 });
    // Portuguese full text: "sinistros" finds "sinistro"
    const found = await get(`/api/v1/conversations?${PERIOD}&q=sinistros`);
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([ids.c2]);
  });

  test('the CSV export has the seed\'s columns and units (first response in seconds, resolution in minutes)', async () => {
    const { status, body, headers } = await get(`/api/v1/analytics/export.csv?${PERIOD}`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (body as string).trim().split('\n');
    expect(lines[0]).toBe(
      'conversation_id,created_at,updated_at,status,priority,channel,visitor_id,agent_id,frustration_level,first_response_time,resolution_time,message_count,satisfaction_score,resolved,escalated_to_human,contact_name,contact_email',
    );
    expect(lines).toHaveLength(6);
    const c2 = lines.find((line) => line.startsWith(ids.c2!))!.split(',');
    expect(c2.slice(3)).toEqual(['RESOLVED', 'HIGH', 'web', '', 'ana', '4', '4', '31.0', '7', '3', 'true', 'true', 'Cliente web', 'cliente@exemplo.com']);
  });

  test('bad parameters are a 422 naming the parameter; no token is 401; a customer token is 403', async () => {
    for (const [query, path] of [
      ['from=ontem', 'from'],
      ['from=2026-11-30T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
      ['tz=Marte/Olimpo', 'tz'],
      ['status=perdido', 'status'],
      ['businessHours=talvez', 'businessHours'],
    ] as const) {
      const { status, body } = await get(`/api/v1/analytics/summary?${query}`);
      expect({ query, status, paths: body.issues.map((issue: { path: string }) => issue.path) }).toEqual({ query, status: 422, paths: [path] });
    }
    expect((await get(`/api/v1/analytics/timeseries?${PERIOD}&metric=bogus`)).status).toBe(422);
    expect((await get(`/api/v1/analytics/timeseries?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z&interval=hour`)).body.issues[0].path).toBe('interval');
    expect((await get(`/api/v1/analytics/breakdown?${PERIOD}`)).body.issues[0].path).toBe('by');
    expect((await get(`/api/v1/conversations?${PERIOD}&cursor=nao-e-um-cursor`)).body.issues[0].path).toBe('cursor');
    const anonymous = await app.stack.app.request(`/api/v1/analytics/summary?${PERIOD}`);
    expect(anonymous.status).toBe(401);
    const customer = await mintToken(secret, { role: 'customer', tenant: app.stack.tenantId, conversation: ids.c1 });
    expect((await get(`/api/v1/analytics/summary?${PERIOD}`, customer)).status).toBe(403);
  });

  test('another tenant sees none of these conversations', async () => {
    const stranger = await mintToken(secret, { role: 'admin', tenant: 'someone-else', subject: 'x' });
    const { body } = await get(`/api/v1/analytics/summary?${PERIOD}`, stranger);
    expect(body.volume).toEqual({ conversations: 0, messages: 0 });
    expect(body.firstResponse.human).toEqual({ median: null, p90: null, mean: null });
  });
});

describe('demo data', () => {
  test('atende demo seed fills a new tenant through the real write path: the dashboard has every kind of conversation, all marked demo', async () => {
    const tenantId = `demo-${randomUUID().slice(0, 8)}`;
    const written = await seedDemo(app.stack.db, { tenantId, days: 30, conversations: 120, until: new Date('2026-12-01T03:00:00Z') });
    expect(written).toBe(120);
    const supervisor = await mintToken(secret, { role: 'admin', tenant: tenantId, subject: 'demo' });
    const { body } = await get('/api/v1/analytics/summary?from=2026-10-31T00:00:00Z&to=2026-12-01T03:00:00Z', supervisor);
    expect(body.volume.conversations).toBe(120);
    expect(body.resolution.byBot).toBeGreaterThan(0);
    expect(body.resolution.byAgent).toBeGreaterThan(0);
    expect(body.resolution.byBot + body.resolution.byAgent).toBe(body.resolution.resolved);
    expect(body.abandoned.count).toBeGreaterThan(0);
    expect(body.csat.responses).toBeGreaterThan(0);
    expect(body.firstResponse.human.median).toBeGreaterThan(60);
    const flagged = await app.stack.db.query('SELECT count(*)::int AS demo FROM conversation_facts WHERE tenant_id = $1 AND demo', [tenantId]);
    expect(flagged.rows[0].demo).toBe(120);
  });
});

describe('the analytics migration', () => {
  test('its backfill derives the facts of a conversation written before it, from the row and the transcript', async () => {
    const { db, tenantId } = app.stack;
    const conversationId = randomUUID();
    const state = initialState({ conversationId, tenantId, channel: 'web', customer: { name: 'Antiga', email: 'antiga@exemplo.com' }, startedAt: '2026-10-01T12:00:00.000Z' });
    Object.assign(state, {
      stage: 'resolved',
      status: 'resolved',
      revision: 9,
      updatedAt: '2026-10-01T12:30:00.000Z',
      analysis: analysis(4, 'high'),
      escalation: { reason: 'customer_asked_for_human', number: 1, inboxItemId: 'x', at: '2026-10-01T12:01:00.000Z', via: 'inbox', outcome: 'resolved' },
      csat: { askedAt: '2026-10-01T12:31:00.000Z', score: 4, answeredAt: '2026-10-01T12:32:00.000Z', comment: null },
    });
    // a conversation as the code before the migration wrote it: a row and its messages, no facts
    await db.query(
      `INSERT INTO conversations (id, tenant_id, workflow_id, channel, customer, status, stage, state, analysis, revision, created_at, updated_at, csat_score)
       VALUES ($1, $2, $3, 'web', $4, 'resolved', 'resolved', $5, $6, 9, $7, $8, 4)`,
      [conversationId, tenantId, `conversation-${conversationId}`, state.customer, state, state.analysis, state.startedAt, state.updatedAt],
    );
    const lines: [string, string][] = [['customer', '2026-10-01T12:00:00.000Z'], ['bot', '2026-10-01T12:00:03.000Z'], ['agent', '2026-10-01T12:05:00.000Z'], ['agent', '2026-10-01T12:30:00.000Z']];
    for (const [index, [role, at]] of lines.entries()) {
      await db.query(`INSERT INTO messages (id, conversation_id, seq, role, text, created_at) VALUES ($1, $2, $3, $4, 'texto', $5)`, [`${conversationId}:${index + 1}`, conversationId, index + 1, role, at]);
    }
    // the migration's backfill statement, run again: it inserts the facts of conversations that have none
    const migration = fs.readFileSync(path.join(__dirname, '../db/migrations/1764300000000_analytics.sql'), 'utf8');
    const backfill = migration.slice(migration.indexOf('INSERT INTO conversation_facts'), migration.indexOf('-- Down Migration')).trim().replace(/;\s*$/, '');
    await db.query(`${backfill} WHERE NOT EXISTS (SELECT 1 FROM conversation_facts f WHERE f.conversation_id = c.id)`);
    const { rows } = await db.query('SELECT * FROM conversation_facts WHERE conversation_id = $1', [conversationId]);
    expect(rows[0]).toMatchObject({
      channel: 'web',
      status: 'resolved',
      resolver: 'agent',
      priority: 'HIGH',
      frustration: 4,
      csat: 4,
      csat_asked: true,
      customer_messages: 1,
      bot_messages: 1,
      agent_messages: 2,
      contact_name: 'Antiga',
      contact_email: 'antiga@exemplo.com',
    });
    expect(rows[0].first_bot_reply_at.toISOString()).toBe('2026-10-01T12:00:03.000Z');
    expect(rows[0].escalated_at.toISOString()).toBe('2026-10-01T12:01:00.000Z');
    expect(rows[0].first_human_reply_at.toISOString()).toBe('2026-10-01T12:05:00.000Z');
    expect(rows[0].resolved_at.toISOString()).toBe('2026-10-01T12:30:00.000Z');
  });
});
