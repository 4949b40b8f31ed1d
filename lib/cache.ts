/**
 * Values loaded by key and kept for `ttlMs` (a tenant's models, an agent's profile, a tenant's
 * limits: read often, changed rarely, so an edit reaches every process within the TTL). When
 * `max` keys are held, the oldest goes.
 */
export function expiringCache<V>(ttlMs: number, max = 10_000): (key: string, load: () => Promise<V>) => Promise<V> {
  const entries = new Map<string, { at: number; value: V }>();
  return async (key, load) => {
    const known = entries.get(key);
    if (known && Date.now() - known.at < ttlMs) return known.value;
    const value = await load();
    entries.delete(key);
    if (entries.size >= max) entries.delete(entries.keys().next().value!);
    entries.set(key, { at: Date.now(), value });
    return value;
  };
}
