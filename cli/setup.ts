import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { msToTs } from '@temporalio/common';
import type { Env } from '../env';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { importCatalog } from '../db/scripts';
import { tenantExists } from '../db/tenants';
import { createLoginLink, createUser, findUserForLogin } from '../db/users';
import { databaseUrl } from '../db/url';
import { catalogSchema } from '../domain/schemas';
import { hashPassword } from '../lib/passwords';
import { connectClient } from '../temporal/connection';
import { registerSearchAttributes } from '../temporal/namespace';
import { randomBytes } from 'node:crypto';

const DEMO_CATALOG = path.join(__dirname, '../db/demo-catalog.json');
/** How long Temporal keeps a closed conversation's history in a namespace this command creates. */
const RETENTION_SECONDS = 30 * 86_400;

export interface SetupOptions {
  /** A catalog for the first tenant (script-catalog/v1); the demo insurance catalog when absent. */
  catalogFile?: string | undefined;
  /** The first admin: created once, with this password or a one-time login link. */
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  log: (line: string) => void;
}

/**
 * What a fresh production stack needs before the API and workers start, each step idempotent so
 * the compose `setup` service can run on every `up`: the database migrations, the Temporal
 * namespace and Atende's search attributes, the first tenant with its catalog, the first admin.
 */
export async function setup(env: Env, options: SetupOptions): Promise<void> {
  const { log } = options;
  const db = createPool(databaseUrl(env));
  const { client, connection } = await connectClient(env);
  try {
    const applied = await migrate(db, () => {});
    log(applied.length ? `database: applied ${applied.join(', ')}` : 'database: up to date');

    const namespace = env.TEMPORAL_NAMESPACE;
    try {
      await client.workflowService.describeNamespace({ namespace });
      log(`temporal: namespace "${namespace}" exists`);
    } catch (error) {
      if ((error as { code?: number }).code !== status.NOT_FOUND) throw error;
      await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION_SECONDS * 1000) });
      log(`temporal: namespace "${namespace}" registered (retention ${RETENTION_SECONDS / 86_400} days)`);
    }
    // a new namespace takes a few seconds to reach every service's cache: until then it is "not found"
    const added = await untilFound(() => registerSearchAttributes(connection, namespace), 60_000);
    log(added.length ? `temporal: search attributes added: ${added.join(', ')}` : 'temporal: search attributes present');

    const tenant = env.ATENDE_DEFAULT_TENANT;
    if (await tenantExists(db, tenant)) log(`tenant "${tenant}": exists`);
    else {
      const file = options.catalogFile ?? DEMO_CATALOG;
      const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      const scripts = await importCatalog(db, tenant, catalog);
      log(`tenant "${tenant}": created with ${scripts.length} scripts from ${options.catalogFile ? file : 'the demo catalog'}`);
    }

    if (options.adminEmail) {
      const existing = await findUserForLogin(db, tenant, options.adminEmail);
      if (existing) log(`admin ${options.adminEmail}: exists`);
      else {
        const user = await createUser(db, {
          tenantId: tenant,
          email: options.adminEmail,
          name: options.adminEmail.split('@')[0]!,
          role: 'admin',
          passwordHash: await hashPassword(options.adminPassword ?? randomBytes(24).toString('base64url')),
        });
        const base = env.ATENDE_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
        log(`admin ${user.email}: created${options.adminPassword ? ' with the given password' : ''}`);
        if (!options.adminPassword) log(`one-time login link (24 hours): ${base}/inbox#login=${await createLoginLink(db, user.id, 86_400)}`);
      }
    }
  } finally {
    await connection.close();
    await db.end();
  }
}

async function untilFound<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { code?: number }).code !== status.NOT_FOUND || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
