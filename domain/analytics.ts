import type { ConversationState } from './conversation';
import { nextOpening, openingAt } from './hours';
import type { WorkingHours } from './persona';

/**
 * What the service dashboard counts, defined once. The API (db/analytics.ts) computes these in
 * Postgres over `conversation_facts`; the README's glossary quotes `glossary` below.
 */

export type Priority = 'HIGH' | 'MEDIUM' | 'LOW';

/** The seed's three priorities, from the analyzer's four urgencies. */
export function priorityOf(urgency: string | null | undefined): Priority | null {
  if (urgency === 'critical' || urgency === 'high') return 'HIGH';
  if (urgency === 'medium') return 'MEDIUM';
  if (urgency === 'low') return 'LOW';
  return null;
}

/** The facts a turn's state says about its conversation (the transcript's times and counts come from the messages written). */
export interface StateFacts {
  escalatedAt: string | null;
  resolvedAt: string | null;
  abandonedAt: string | null;
  resolver: 'bot' | 'agent' | null;
  agentId: string | null;
  urgency: string | null;
  priority: Priority | null;
  sentiment: string | null;
  frustration: number | null;
  csatAsked: boolean;
  csat: number | null;
  contactName: string | null;
  contactEmail: string | null;
  visitorId: string | null;
}

export function stateFacts(state: ConversationState): StateFacts {
  const resolved = state.status === 'resolved';
  return {
    escalatedAt: state.escalation?.at ?? null,
    resolvedAt: resolved ? state.updatedAt : null,
    abandonedAt: state.status === 'abandoned' ? state.updatedAt : null,
    // an agent resolved it when the escalation ended in a resolution; otherwise the bot did
    resolver: resolved ? (state.escalation?.outcome === 'resolved' ? 'agent' : 'bot') : null,
    agentId: state.agent?.agentId ?? null,
    urgency: state.analysis?.urgency ?? null,
    priority: priorityOf(state.analysis?.urgency),
    sentiment: state.analysis?.sentiment ?? null,
    frustration: state.analysis?.frustration ?? null,
    csatAsked: Boolean(state.csat?.askedAt),
    csat: state.csat?.score ?? null,
    contactName: state.customer.name ?? null,
    contactEmail: state.customer.email ?? null,
    visitorId: state.customer.externalId ?? null,
  };
}

/** The glossary: each metric in words, as supervisors read it (README "Analytics" quotes it). */
export const glossary = {
  volume: 'Conversations started in the period (by their start), and every message written in them: customer, bot and agent.',
  resolutionRate: 'Resolved ÷ finished. Finished = resolved, abandoned or closed. Split by who resolved it: the bot, or an agent (the escalation ended in a resolution).',
  escalationRate: 'Conversations handed to a person (inbox or Mindchat) ÷ conversations.',
  abandoned: 'The bot asked and the customer left without answering (it nudged, then gave up). A customer who came back is not counted.',
  unanswered: 'The customer wrote and nobody — bot or agent — ever replied.',
  firstResponseBot: "From the customer's first message to the bot's first reply after it.",
  firstResponseHuman: "From the escalation to the first agent message: the customer's wait for a person, which the bot's fast replies must not hide.",
  resolutionTime: 'From the start of the conversation to its (first) resolution.',
  times: 'Median, p90 (continuous percentiles, as Postgres percentile_cont) and mean, in seconds; with businessHours=true only time inside the tenant’s working hours counts (nights, days off and holidays do not).',
  csat: 'Scores 1–5 given to the survey: average, how many of each, response rate (answers ÷ surveys sent) and the share of 4–5.',
  frustration: "The analyzer's frustration level 1–5 (5 = very frustrated): average and how many of each.",
  sla: "Share of measured conversations within the tenant's targets: first human response ≤ target, resolution time ≤ target.",
} as const;

/** Continuous percentile (linear interpolation between closest ranks), as Postgres percentile_cont. */
export function percentile(values: readonly number[], fraction: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export interface TimeStats {
  median: number | null;
  p90: number | null;
  mean: number | null;
}

export function timeStats(seconds: readonly number[]): TimeStats {
  if (!seconds.length) return { median: null, p90: null, mean: null };
  return { median: percentile(seconds, 0.5), p90: percentile(seconds, 0.9), mean: seconds.reduce((sum, value) => sum + value, 0) / seconds.length };
}

/**
 * The working time between two instants, in milliseconds: only what falls inside the openings
 * counts (Friday 19:50 → Saturday 08:10 in a shop open 08:00–20:00 is 20 minutes).
 */
export function workingTimeBetween(hours: WorkingHours, from: Date, to: Date): number {
  let total = 0;
  let cursor = nextOpening(hours, from);
  for (let step = 0; step < 10_000 && cursor < to; step++) {
    const opening = openingAt(hours, cursor);
    if (!opening) break;
    const end = opening.end < to ? opening.end : to;
    total += Math.max(0, end.getTime() - cursor.getTime());
    if (opening.end >= to) break;
    const next = nextOpening(hours, opening.end);
    if (next.getTime() <= cursor.getTime()) break;
    cursor = next;
  }
  return total;
}

/**
 * Working time between many pairs of instants in [from, to]: the openings of the period are
 * listed once, with the working time before each, so a span costs a binary search instead of a
 * walk through the calendar (a month's summary in business hours reads tens of thousands of spans).
 */
export function workingTimeline(hours: WorkingHours, from: Date, to: Date): (start: Date | number, end: Date | number) => number {
  const openings: { start: number; end: number; before: number }[] = [];
  let before = 0;
  let cursor = nextOpening(hours, from);
  for (let step = 0; step < 100_000 && cursor <= to; step++) {
    const opening = openingAt(hours, cursor);
    if (!opening) break;
    openings.push({ start: opening.start.getTime(), end: opening.end.getTime(), before });
    before += opening.end.getTime() - opening.start.getTime();
    const next = nextOpening(hours, opening.end);
    if (next.getTime() <= cursor.getTime()) break;
    cursor = next;
  }
  /** Working time from the first opening's start to `at`. */
  const elapsed = (at: number): number => {
    let low = 0;
    let high = openings.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (openings[middle]!.start <= at) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found < 0) return 0;
    const opening = openings[found]!;
    return opening.before + Math.min(at, opening.end) - opening.start;
  };
  return (start, end) => Math.max(0, elapsed(+end) - elapsed(+start));
}
