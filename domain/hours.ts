import type { WorkingHours } from './persona';

/**
 * Business hours in the business's own time zone. Pure and clock-free, so the workflow can
 * decide with its deterministic `new Date()` whether a person is around and when one will be.
 */

interface ZonedTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function zonedTime(date: Date, timeZone: string): ZonedTime {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(date).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_INDEX[parts.weekday!]!,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** The instant a local wall-clock time happens in `timeZone` (offsets found by correcting a UTC guess). */
function fromZoned(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wanted = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wanted;
  for (let round = 0; round < 2; round++) {
    const seen = zonedTime(new Date(guess), timeZone);
    const seenAsUtc = Date.UTC(seen.year, seen.month - 1, seen.day, 0, seen.minutes);
    guess += wanted - seenAsUtc;
  }
  return new Date(guess);
}

/** Sunday may be written 0 or 7 (catalogs use both). */
function worksOn(hours: WorkingHours, local: ZonedTime): boolean {
  if (!hours.workDays.some((day) => day % 7 === local.weekday)) return false;
  const date = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
  return !hours.holidays?.includes(date);
}

/** The day's openings in minutes since local midnight, in order. */
function openings(hours: WorkingHours): { start: number; end: number }[] {
  return (hours.intervals ?? [{ start: hours.start, end: hours.end }])
    .map((interval) => ({ start: minutesOf(interval.start), end: minutesOf(interval.end) }))
    .sort((a, b) => a.start - b.start);
}

/** The opening that contains `at`, as instants, or null when closed. */
export function openingAt(hours: WorkingHours, at: Date): { start: Date; end: Date } | null {
  const local = zonedTime(at, hours.timezone);
  if (!worksOn(hours, local)) return null;
  const current = openings(hours).find((interval) => local.minutes >= interval.start && local.minutes < interval.end);
  if (!current) return null;
  return {
    start: fromZoned(local.year, local.month, local.day, current.start, hours.timezone),
    end: fromZoned(local.year, local.month, local.day, current.end, hours.timezone),
  };
}

export function isOpen(hours: WorkingHours, at: Date): boolean {
  return openingAt(hours, at) !== null;
}

/** Days searched for the next opening: a long holiday list can close a month. */
const SEARCH_DAYS = 60;

/** `at` itself when open, else the next opening. */
export function nextOpening(hours: WorkingHours, at: Date): Date {
  if (isOpen(hours, at)) return at;
  const local = zonedTime(at, hours.timezone);
  for (let ahead = 0; ahead <= SEARCH_DAYS; ahead++) {
    // noon avoids landing on the wrong day when a daylight-saving change shifts midnight
    const day = ahead === 0 ? local : zonedTime(new Date(fromZoned(local.year, local.month, local.day, 12 * 60, hours.timezone).getTime() + ahead * 86_400_000), hours.timezone);
    if (!worksOn(hours, day)) continue;
    const next = openings(hours).find((interval) => ahead > 0 || interval.start > local.minutes);
    if (next) return fromZoned(day.year, day.month, day.day, next.start, hours.timezone);
  }
  return at;
}

/**
 * The instant `durationMs` of working time after `from`: time outside the openings (nights,
 * days off, holidays, lunch breaks) does not count. Friday 19:50 + 1 h in a shop open until
 * 20:00 is Saturday 08:50.
 */
export function addWorkingTime(hours: WorkingHours, from: Date, durationMs: number): Date {
  let cursor = nextOpening(hours, from);
  let remaining = durationMs;
  for (let step = 0; step < 10_000; step++) {
    const opening = openingAt(hours, cursor);
    if (!opening) return cursor; // no opening ahead at all: do not wait forever
    const available = opening.end.getTime() - cursor.getTime();
    if (remaining <= available) return new Date(cursor.getTime() + remaining);
    remaining -= available;
    cursor = nextOpening(hours, opening.end);
  }
  return cursor;
}

/** When the customer can expect a person, in words: "hoje às 08:00", "amanhã às 08:00", "segunda-feira às 08:00". */
export function describeOpening(hours: WorkingHours, opening: Date, now: Date): string {
  const when = zonedTime(opening, hours.timezone);
  const today = zonedTime(now, hours.timezone);
  const clock = `${String(Math.floor(when.minutes / 60)).padStart(2, '0')}:${String(when.minutes % 60).padStart(2, '0')}`;
  const dayIndex = (time: ZonedTime) => Date.UTC(time.year, time.month - 1, time.day) / 86_400_000;
  const days = dayIndex(when) - dayIndex(today);
  if (days === 0) return `hoje às ${clock}`;
  if (days === 1) return `amanhã às ${clock}`;
  const names = ['domingo', 'segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado'];
  return `${names[when.weekday]} às ${clock}`;
}

/** Parses "90s", "15m", "2h", "3d" or plain milliseconds into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. 90s, 15m, 2h, 3d)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Math.round(Number(match[1]) * unit);
}
