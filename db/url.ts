import type { Env } from '../env';

/** DATABASE_URL, or the embedded cluster `npm start` runs on ATENDE_PG_PORT. */
export function databaseUrl(env: Env): string {
  return env.DATABASE_URL ?? `postgres://atende@127.0.0.1:${env.ATENDE_PG_PORT}/atende`;
}
