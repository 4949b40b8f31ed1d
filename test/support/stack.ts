import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../../db/pool';
import { importCatalog } from '../../db/scripts';
import { type Catalog } from '../../domain/scripts';
import { catalogSchema } from '../../domain/schemas';

/** Addresses of the stack global-setup started. */
export function testStack() {
  const required = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set; run the tests through jest so global-setup starts the stack`);
    return value;
  };
  return {
    databaseUrl: required('ATENDE_TEST_DATABASE_URL'),
    temporalAddress: required('ATENDE_TEST_TEMPORAL_ADDRESS'),
    cliPath: required('ATENDE_TEST_CLI_PATH'),
    testServerPath: required('ATENDE_TEST_SERVER_PATH'),
    dir: required('ATENDE_TEST_DIR'),
  };
}

export const demoCatalog: Catalog = catalogSchema.parse(
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../db/demo-catalog.json'), 'utf8')),
);

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A pool on the test cluster and a fresh tenant holding the demo catalog. */
export async function freshTenant(): Promise<{ db: pg.Pool; tenantId: string }> {
  const db = createPool(testStack().databaseUrl, 5);
  const tenantId = uniqueName('t');
  await importCatalog(db, tenantId, demoCatalog);
  return { db, tenantId };
}

/** CPFs with valid check digits, made for tests. */
export const validCpf = '52998224725';
export const invalidCpf = '52998224700';
