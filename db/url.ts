import path from 'node:path';
import type { Env } from '../env';
import { embeddedUrl } from './local-cluster';

/** DATABASE_URL, or the embedded cluster `npm start` runs on ATENDE_PG_PORT (its app role's password from the data dir). */
export function databaseUrl(env: Env): string {
  return env.DATABASE_URL ?? embeddedUrl(path.join(env.ATENDE_DATA_DIR, 'postgres'), env.ATENDE_PG_PORT);
}
