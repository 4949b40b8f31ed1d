import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Analysis } from '../domain/analysis';
import { conversationWorkflowId, initialState, type ConversationState, type StoredMessage } from '../domain/conversation';
import { catalogSchema } from '../domain/schemas';
import { recordTurn } from './conversations';
import { importCatalog } from './scripts';
import { findTenant, upsertTenant } from './tenants';

/**
 * Demo conversations for a tenant's dashboard (`atende demo seed`): realistic starts (weekday
 * business hours peak), channels, scripts and outcomes — resolved by the bot, escalated and
 * answered by an agent, abandoned — written turn by turn through recordTurn, the same path the
 * workflow writes, so the facts are computed exactly as for real conversations. Marked demo.
 */

export interface DemoOptions {
  tenantId: string;
  days: number;
  conversations: number;
  /** The period ends here (now by default). */
  until?: Date;
  /** The same seed gives the same conversations (ids aside). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A small deterministic generator (mulberry32): the same seed, the same demo. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly (readonly [T, number])[]): T => {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = next() * total;
    for (const [item, weight] of items) if ((roll -= weight) < 0) return item;
    return items[items.length - 1]![0];
  };
  /** A positive duration around `median` seconds with a long tail (log-normal). */
  const wait = (median: number, spread = 0.9) => {
    const u = Math.max(1e-9, next());
    const v = next();
    return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  return { next, pick, wait };
}

const NAMES = ['Ana Souza', 'Bruno Lima', 'Carla Mendes', 'Diego Alves', 'Elisa Rocha', 'Fábio Nunes', 'Gabriela Dias', 'Heitor Pires', 'Isabela Costa', 'João Ribeiro', 'Larissa Gomes', 'Marcos Teixeira'];
const AGENTS = ['ana.atendente', 'bruno.atendente', 'carla.supervisora'];
const OPENERS: Record<string, string> = {
  boleto: 'preciso da segunda via do boleto',
  sinistro: 'bateram no meu carro, quero abrir um sinistro',
  cotacao: 'quero fazer uma cotação de seguro auto',
  cancelamento: 'quero cancelar meu seguro',
};

type Outcome = 'bot' | 'agent' | 'waiting' | 'abandoned' | 'active';

function analysisFor(frustration: number, urgency: Analysis['urgency'], at: string): Analysis {
  const sentiment = frustration >= 4 ? 'negative' : frustration <= 2 ? 'positive' : 'neutral';
  return { sentiment, urgency, intent: 'service_request', topics: [], summary: 'Conversa de demonstração.', suggestedActions: [], frustration, analyzedAt: at, engine: 'offline' };
}

/** Fills the tenant with `conversations` demo conversations started over the last `days` days; returns how many were written. */
export async function seedDemo(db: pg.Pool, options: DemoOptions): Promise<number> {
  if (!(await findTenant(db, options.tenantId))) {
    await upsertTenant(db, options.tenantId, 'Demonstração');
    const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, 'demo-catalog.json'), 'utf8')));
    await importCatalog(db, options.tenantId, catalog);
  }
  const random = generator(options.seed ?? 20261202);
  const until = (options.until ?? new Date()).getTime();
  const span = options.days * 86_400_000;
  for (let index = 0; index < options.conversations; index++) {
    await writeConversation(db, options.tenantId, random, until, span);
    if ((index + 1) % 100 === 0 || index + 1 === options.conversations) options.onProgress?.(index + 1, options.conversations);
  }
  return options.conversations;
}

async function writeConversation(db: pg.Pool, tenantId: string, random: ReturnType<typeof generator>, until: number, span: number): Promise<void> {
  // starts peak on weekday business hours, as a desk's traffic does
  let start = until - random.next() * span;
  for (let tries = 0; tries < 4; tries++) {
    const date = new Date(start);
    const hour = (date.getUTCHours() + 21) % 24; // São Paulo, UTC−3
    const weekday = (date.getUTCDay() + (date.getUTCHours() < 3 ? 6 : 0)) % 7;
    const busy = weekday >= 1 && weekday <= 5 && hour >= 8 && hour < 19;
    if (busy || random.next() < 0.25) break;
    start = until - random.next() * span;
  }
  const script = random.pick([['boleto', 4], ['sinistro', 2], ['cotacao', 3], ['cancelamento', 1]] as const);
  const channel = random.pick([['whatsapp', 55], ['web', 30], ['api', 15]] as const);
  const outcome = random.pick<Outcome>([['bot', 52], ['agent', 22], ['waiting', 6], ['abandoned', 12], ['active', 8]]);
  const frustration = outcome === 'agent' || outcome === 'waiting' ? random.pick([[3, 3], [4, 4], [5, 2]] as const) : random.pick([[1, 4], [2, 4], [3, 2], [4, 1]] as const);
  const urgency = frustration >= 5 ? 'high' : frustration >= 4 ? 'medium' : 'low';
  const name = NAMES[Math.floor(random.next() * NAMES.length)]!;
  const conversationId = randomUUID();
  const at = (ms: number) => new Date(ms).toISOString();

  let clock = start;
  const state: ConversationState = { ...initialState({
    conversationId,
    tenantId,
    channel,
    customer: { name, email: `${name.split(' ')[0]!.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@exemplo.com`, externalId: `visitor-${conversationId.slice(0, 8)}` },
    startedAt: at(start),
  }), csat: null };
  const turn = async (lines: [StoredMessage['role'], string, number][], change: (state: ConversationState) => void) => {
    const messages: StoredMessage[] = lines.map(([role, text, delaySeconds]) => {
      clock += delaySeconds * 1000;
      state.messageCount += 1;
      if (role === 'customer') state.customerTurns += 1;
      return { id: `${conversationId}:${state.messageCount}`, seq: state.messageCount, role, text, clientMessageId: null, createdAt: at(clock) };
    });
    change(state);
    state.revision += 1;
    state.updatedAt = at(clock);
    await recordTurn(db, { ...state }, messages, conversationWorkflowId(conversationId), { demo: true });
  };

  await turn(
    [
      ['customer', OPENERS[script]!, 0],
      ['bot', `Olá, ${name.split(' ')[0]}! Posso ajudar com isso.`, random.wait(1.5, 0.4)],
      ['bot', 'Qual é o seu CPF?', 0.2],
    ],
    (s) => Object.assign(s, { stage: 'collecting', script: { id: script, title: script, version: 1, steps: [] } }),
  );
  if (outcome === 'abandoned') {
    clock += random.wait(1800, 0.5) * 1000;
    await turn([['bot', 'Ainda está por aí? Sigo aguardando o seu CPF.', 0]], () => {});
    clock += 3600 * 1000;
    await turn([['bot', 'Vou encerrar por aqui; é só escrever quando quiser continuar.', 0]], (s) => Object.assign(s, { stage: 'abandoned', status: 'abandoned' }));
    return;
  }
  await turn(
    [
      ['customer', '529.982.247-25', random.wait(40, 0.6)],
      ['bot', 'Obrigado! Mais uma pergunta…', random.wait(1.2, 0.4)],
    ],
    (s) => Object.assign(s, { analysis: analysisFor(frustration, urgency, at(clock)) }),
  );
  if (outcome === 'active') return;
  if (outcome === 'bot') {
    await turn(
      [
        ['customer', 'sim', random.wait(30, 0.6)],
        ['bot', 'Pronto! Seu protocolo é ATD-DEMO. Posso ajudar em mais alguma coisa?', random.wait(1.5, 0.4)],
      ],
      (s) => Object.assign(s, { stage: 'resolved', status: 'resolved', protocol: `ATD-DEMO-${conversationId.slice(0, 6).toUpperCase()}` }),
    );
    if (random.next() < 0.7) await rate(turn, random, frustration, () => clock, (value) => (clock = value));
    return;
  }
  // escalated: the customer asks for a person; an agent answers after a wait, and usually resolves it
  const escalatedAt = () => at(clock);
  await turn(
    [
      ['customer', 'quero falar com um atendente', random.wait(25, 0.6)],
      ['bot', 'Certo, vou chamar uma pessoa da equipe.', random.wait(1.2, 0.4)],
    ],
    (s) => Object.assign(s, { stage: 'escalated', status: 'escalated', escalationCount: 1, escalation: { reason: 'customer_asked_for_human', number: 1, inboxItemId: `${conversationId}:1`, at: escalatedAt(), via: 'inbox' } }),
  );
  if (outcome === 'waiting') return;
  const agentId = AGENTS[Math.floor(random.next() * AGENTS.length)]!;
  await turn([['agent', 'Olá! Sou da equipe e vou cuidar do seu caso.', random.wait(420, 1.1)]], (s) =>
    Object.assign(s, { stage: 'with_agent', agent: { agentId, since: at(clock) } }),
  );
  if (random.next() < 0.15) return;
  await turn(
    [
      ['customer', 'obrigado, era isso', random.wait(120, 0.8)],
      ['agent', 'Resolvido! Qualquer coisa, estamos aqui.', random.wait(600, 1)],
    ],
    (s) => Object.assign(s, { stage: 'resolved', status: 'resolved', agent: null, escalation: { ...s.escalation!, outcome: 'resolved', endedAt: at(clock) } }),
  );
  if (random.next() < 0.6) await rate(turn, random, frustration, () => clock, (value) => (clock = value));
}

async function rate(
  turn: (lines: [StoredMessage['role'], string, number][], change: (state: ConversationState) => void) => Promise<void>,
  random: ReturnType<typeof generator>,
  frustration: number,
  now: () => number,
  set: (value: number) => void,
): Promise<void> {
  const asked = new Date(now()).toISOString();
  await turn([['bot', 'De 1 a 5, como você avalia o atendimento?', 2]], (s) => Object.assign(s, { stage: 'rating', csat: { askedAt: asked, score: null, answeredAt: null, comment: null } }));
  if (random.next() < 0.25) return;
  const score = Math.max(1, Math.min(5, Math.round(5.4 - frustration * 0.6 + (random.next() - 0.5) * 1.6)));
  set(now() + random.wait(60, 0.5) * 1000);
  const answered = new Date(now()).toISOString();
  await turn(
    [
      ['customer', String(score), 0],
      ['bot', 'Obrigado pela avaliação!', 1],
    ],
    (s) => Object.assign(s, { stage: 'resolved', csat: { askedAt: asked, score, answeredAt: answered, comment: null } }),
  );
}
