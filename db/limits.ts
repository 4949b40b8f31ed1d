import type pg from 'pg';

/**
 * Counts one request against `key` in the current fixed window and returns the count so far.
 * Postgres keeps the counters, so every API replica sees the same ones; old windows are
 * swept now and then by the same call.
 */
export async function countRequest(pool: pg.Pool, key: string, windowSeconds: number): Promise<{ count: number; resetAt: Date }> {
  const { rows } = await pool.query<{ count: number; window_start: Date }>(
    `INSERT INTO rate_limits (key, window_start, count)
     VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
     RETURNING count, window_start`,
    [key, windowSeconds],
  );
  const row = rows[0]!;
  if (Math.random() < 0.01) await pool.query(`DELETE FROM rate_limits WHERE window_start < now() - interval '1 hour'`);
  return { count: row.count, resetAt: new Date(row.window_start.getTime() + windowSeconds * 1000) };
}
