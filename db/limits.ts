import type pg from 'pg';

/**
 * Counts one request against each of `keys` in the current fixed window, in one round trip,
 * and returns each key's count so far. Postgres keeps the counters, so every API replica sees
 * the same ones; old windows are swept now and then by the same call.
 */
export async function countRequests(pool: pg.Pool, keys: readonly string[], windowSeconds: number): Promise<{ counts: Map<string, number>; resetAt: Date }> {
  const { rows } = await pool.query<{ key: string; count: number; window_start: Date }>(
    `INSERT INTO rate_limits (key, window_start, count)
     SELECT key, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1 FROM unnest($1::text[]) AS key
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
     RETURNING key, count, window_start`,
    [keys, windowSeconds],
  );
  if (Math.random() < 0.01) await pool.query(`DELETE FROM rate_limits WHERE window_start < now() - interval '1 hour'`);
  const resetAt = new Date(rows[0]!.window_start.getTime() + windowSeconds * 1000);
  return { counts: new Map(rows.map((row) => [row.key, row.count])), resetAt };
}
