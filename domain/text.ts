/** Lower-case, strip accents and punctuation, collapse spaces: the form every matcher compares. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.\s-]/g, ' ')
    .replace(/[.\-]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function words(text: string): string[] {
  return fold(text)
    .split(' ')
    .map((word) => word.replace(/^[.\-]+|[.\-]+$/g, ''))
    .filter(Boolean);
}

/** Levenshtein distance, capped: returns max + 1 as soon as the distance must exceed max. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** NUL, and a UTF-16 half without its pair: text Postgres cannot store and no customer meant to send. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The dotted path of the first string (or key) in a JSON value that cannot be stored, or null. */
export function unstorablePath(value: unknown, path: readonly (string | number)[] = []): string | null {
  const here = () => path.join('.') || '(body)';
  if (typeof value === 'string') return isStorable(value) ? null : here();
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = unstorablePath(value[index], [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      if (!isStorable(key)) return [...path, key.replace(UNSTORABLE_ALL, '\ufffd')].join('.');
      const found = unstorablePath(entry, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** The same value with every unstorable character replaced by U+FFFD (objects and arrays copied only when needed). */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return (isStorable(value) ? value : value.replace(UNSTORABLE_ALL, '\ufffd')) as T;
  if (Array.isArray(value)) {
    const items = value.map(storable);
    return (items.every((item, index) => item === value[index]) ? value : items) as T;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      const safeKey = storable(key);
      const safeEntry = storable(entry);
      if (safeKey !== key || safeEntry !== entry) changed = true;
      copy[safeKey] = safeEntry;
    }
    return (changed ? copy : value) as T;
  }
  return value;
}
