import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { analyzeOffline } from '../domain/analysis';
import { demandOf } from '../domain/collection';
import { validateField } from '../domain/fields';
import { ScriptMatcher } from '../domain/matcher';
import { fieldTypes, type FieldType } from '../domain/scripts';
import { catalogSchema } from '../domain/schemas';
import { loadEnv, EnvError } from '../env';
import { mintToken, roles, type Role } from '../api/auth';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { exportCatalog, importCatalog } from '../db/scripts';
import { createLoginLink, createUser, DuplicateEmail } from '../db/users';
import { hashPassword } from '../lib/passwords';
import { databaseUrl } from '../db/url';
import { devTool, installPinned, resolveBinary } from '../temporal/binaries';
import { installPgvector } from './pgvector';
import { jwtSecret } from './secret';

const USAGE = `atende — customer-service conversations on Temporal

Usage:
  atende start                                   run everything locally (what npm start does)
  atende token --role admin|agent --subject ID [--tenant T] [--ttl 30d]
                                                 mint a JWT for a service account (people log in instead)
  atende users add --email E --role admin|agent [--name N] [--tenant T] [--password P]
                                                 create a user (e.g. the first admin); prints a
                                                 one-time login link, and the password if generated
  atende migrate                                 apply database migrations to DATABASE_URL
  atende setup [--catalog FILE]                  prepare a fresh production stack, idempotently: migrations,
                                                 the Temporal namespace and search attributes, the first
                                                 tenant (ATENDE_DEFAULT_TENANT) and admin (ATENDE_ADMIN_EMAIL)
  atende scripts import FILE [--tenant T]        import a script catalog (script-catalog/v1 JSON)
  atende scripts export [--tenant T]             print the tenant's catalog as JSON
  atende nlu match "message" [--catalog FILE] [--language pt|en]
  atende nlu match --catalog FILE < messages.jsonl  {"text"} per line → {scriptId|null, verdict, confidence, candidates} per line
                                                 show how the offline matcher reads a message
  atende nlu extract TYPE "answer" [--options a,b]
  atende nlu extract < answers.jsonl             {"type","text","options"?,"now"?} per line → {value|null, error?} per line
                                                 validate/normalize one answer (cpf, email, date, ...)
  atende nlu analyze < conversations.jsonl       one {"messages": [...]} per line in, one analysis per line out
  atende workflows replay [--query Q] [--limit N]
                                                 replay running conversations against this build's
                                                 workflow code; exit 1 if one would break
  atende demo seed [--tenant demo] [--days 30] [--conversations 500]
                                                 fill a tenant with demo conversations (marked demo)
                                                 so its dashboard (/dashboard) is not empty
  atende tools install                           install the pinned Temporal binaries (and the test suite's
                                                 Schemathesis) into .tools/, and build pgvector for the
                                                 machine's PostgreSQL when it lacks it
  atende tools path                              print where the Temporal binaries resolve
`;

const demoArgs = z.object({
  tenant: z.string().trim().min(1).max(63).default('demo'),
  days: z.coerce.number().int().min(1).max(400).default(30),
  conversations: z.coerce.number().int().min(1).max(2_000_000).default(500),
});

const analyzeLineSchema = z.object({ messages: z.array(z.string()).min(1) });

const newUserArgs = z.object({
  email: z.string().trim().toLowerCase().email(),
  role: z.enum(['admin', 'agent']),
  name: z.string().trim().min(1).max(120).optional(),
  tenant: z.string().trim().min(1).max(63),
  password: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
});

/**
 * The batch form of the nlu commands: JSONL on stdin, one JSON answer per line on stdout, in
 * order. A line that is not JSON or not of the schema is answered `{ "error": "line N: …" }`
 * (also on stderr), and the exit code is 1.
 */
async function eachLine<T extends z.ZodType>(schema: T, answer: (line: z.infer<T>) => unknown): Promise<number> {
  let failures = 0;
  let lineNumber = 0;
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (!line.trim()) continue;
    let parsed: z.infer<T>;
    try {
      parsed = schema.parse(JSON.parse(line));
    } catch (error) {
      failures += 1;
      const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
      const message = issue ? `${issue.path.join('.') || '(line)'}: ${issue.message}` : 'not valid JSON';
      console.error(`line ${lineNumber}: ${message}`);
      console.log(JSON.stringify({ error: `line ${lineNumber}: ${message}` }));
      continue;
    }
    console.log(JSON.stringify(answer(parsed)));
  }
  return failures ? 1 : 0;
}

const analyzeLine = (line: z.infer<typeof analyzeLineSchema>) => {
  const { sentiment, urgency, intent, topics, summary } = analyzeOffline({ customerMessages: line.messages, now: new Date() });
  return { sentiment, urgency, intent, topics, summary };
};

const matchLineSchema = z.object({ text: z.string().max(4_000) });
const extractLineSchema = z.object({
  type: z.enum(fieldTypes),
  text: z.string().max(4_000),
  options: z.array(z.string().min(1)).optional(),
  synonyms: z.record(z.string(), z.array(z.string())).optional(),
  now: z.iso.datetime({ offset: true }).optional(),
});

/** How an answer is read by conversations today: the customer's own words included. */
function extractLine(line: z.infer<typeof extractLineSchema>): { value: string | null; error?: string } {
  const context = { now: line.now ? new Date(line.now) : new Date(), timeZone: 'America/Sao_Paulo', pastByDefault: true, vocabulary: true };
  const result = validateField(line.type, line.text, context, line.options, line.synonyms);
  return result.ok ? { value: result.value } : { value: null, error: result.error };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const env = loadEnv();
  switch (command) {
    case 'start':
      // the stack's modules load only for the commands that need them, so `atende --help` is quick
      await (require('./start') as typeof import('./start')).start(env);
      return 0;
    case 'token': {
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: 'string' }, tenant: { type: 'string' }, ttl: { type: 'string' }, subject: { type: 'string' } },
      });
      if (!values.role || !roles.includes(values.role as Role) || values.role === 'customer') {
        console.error('--role must be admin or agent (customer tokens come with their conversation)');
        return 2;
      }
      if (!values.subject || !/^[\w.@:-]{1,100}$/.test(values.subject)) {
        console.error('--subject is required: the service account this token speaks for (letters, digits, . @ : _ -); people log in with `atende users add` accounts');
        return 2;
      }
      const ttl = values.ttl ? Math.round(loadEnv({ ...process.env, CUSTOMER_TOKEN_TTL: values.ttl }).CUSTOMER_TOKEN_TTL / 1000) : 30 * 86_400;
      const token = await mintToken(jwtSecret(env), {
        role: values.role as Role,
        tenant: values.tenant ?? env.ATENDE_DEFAULT_TENANT,
        subject: values.subject,
        ttlSeconds: ttl,
      });
      console.log(token);
      return 0;
    }
    case 'users': {
      const [action, ...options] = rest;
      if (action !== 'add') {
        console.error('usage: atende users add --email E --role admin|agent [--name N] [--tenant T] [--password P]');
        return 2;
      }
      const { values } = parseArgs({
        args: options,
        options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, tenant: { type: 'string' }, password: { type: 'string' } },
      });
      const input = newUserArgs.safeParse({ ...values, tenant: values.tenant ?? env.ATENDE_DEFAULT_TENANT });
      if (!input.success) {
        console.error(input.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n'));
        return 2;
      }
      const db = createPool(databaseUrl(env));
      try {
        await migrate(db, () => {});
        const generated = input.data.password ? undefined : randomBytes(12).toString('base64url');
        const user = await createUser(db, {
          tenantId: input.data.tenant,
          email: input.data.email,
          name: input.data.name ?? input.data.email.split('@')[0]!,
          role: input.data.role,
          passwordHash: await hashPassword(input.data.password ?? generated!),
        });
        const code = await createLoginLink(db, user.id, 15 * 60);
        const base = env.ATENDE_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
        console.log(`created ${user.role} ${user.email} (id ${user.id}, tenant ${user.tenantId})`);
        if (generated) console.log(`password (shown once): ${generated}`);
        console.log(`one-time login link (15 minutes): ${base}/inbox#login=${code}`);
        return 0;
      } catch (error) {
        if (error instanceof DuplicateEmail) {
          console.error(error.message);
          return 1;
        }
        throw error;
      } finally {
        await db.end();
      }
    }
    case 'demo': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { tenant: { type: 'string' }, days: { type: 'string' }, conversations: { type: 'string' } } });
      const parsed = demoArgs.safeParse({ tenant: values.tenant, days: values.days, conversations: values.conversations });
      if (positionals[0] !== 'seed' || !parsed.success) {
        for (const issue of parsed.success ? [] : parsed.error.issues) console.error(`--${issue.path.join('.')}: ${issue.message}`);
        console.error(USAGE);
        return 2;
      }
      const db = createPool(databaseUrl(env));
      try {
        await migrate(db);
        const { seedDemo } = require('../db/demo') as typeof import('../db/demo');
        const written = await seedDemo(db, {
          tenantId: parsed.data.tenant,
          days: parsed.data.days,
          conversations: parsed.data.conversations,
          onProgress: (done, total) => console.error(`${done}/${total} conversations`),
        });
        console.log(`${written} demo conversations written to tenant "${parsed.data.tenant}"`);
      } finally {
        await db.end();
      }
      return 0;
    }
    case 'setup': {
      const { values } = parseArgs({ args: rest, options: { catalog: { type: 'string' } } });
      await (require('./setup') as typeof import('./setup')).setup(env, {
        catalogFile: values.catalog,
        adminEmail: env.ATENDE_ADMIN_EMAIL,
        adminPassword: env.ATENDE_ADMIN_PASSWORD,
        log: (line) => console.log(`[setup] ${line}`),
      });
      console.log('[setup] done');
      return 0;
    }
    case 'migrate': {
      const db = createPool(databaseUrl(env));
      try {
        const applied = await migrate(db, (line) => console.error(line));
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.end();
      }
      return 0;
    }
    case 'scripts': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { tenant: { type: 'string' } } });
      const tenant = values.tenant ?? env.ATENDE_DEFAULT_TENANT;
      const db = createPool(databaseUrl(env));
      try {
        if (positionals[0] === 'import' && positionals[1]) {
          const parsed = catalogSchema.safeParse(JSON.parse(fs.readFileSync(positionals[1], 'utf8')));
          if (!parsed.success) {
            for (const issue of parsed.error.issues) console.error(`${issue.path.join('.') || '(catalog)'}: ${issue.message}`);
            return 2;
          }
          const saved = await importCatalog(db, tenant, parsed.data);
          for (const script of saved) console.log(`${script.changed ? 'saved    ' : 'unchanged'} ${script.id} v${script.version}`);
          console.error(`${saved.length} scripts imported into tenant "${tenant}" (${saved.filter((script) => script.changed).length} new versions)`);
          return 0;
        }
        if (positionals[0] === 'export') {
          console.log(JSON.stringify(await exportCatalog(db, tenant), null, 2));
          return 0;
        }
        console.error(USAGE);
        return 2;
      } finally {
        await db.end();
      }
    }
    case 'nlu': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { catalog: { type: 'string' }, language: { type: 'string' }, options: { type: 'string' } },
      });
      if (positionals[0] === 'match') {
        const file = values.catalog ?? path.join(__dirname, '../db/demo-catalog.json');
        const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
        const matcher = new ScriptMatcher(catalog.scripts, { language: values.language === 'en' ? 'en' : 'pt' });
        if (positionals[1]) {
          console.log(JSON.stringify(matcher.match(demandOf(positionals.slice(1).join(' '))), null, 2));
          return 0;
        }
        return eachLine(matchLineSchema, ({ text }) => {
          const { scriptId, verdict, confidence, candidates } = matcher.match(demandOf(text));
          return { scriptId: verdict === 'confident' ? scriptId : null, verdict, confidence, candidates };
        });
      }
      if (positionals[0] === 'analyze') return eachLine(analyzeLineSchema, analyzeLine);
      if (positionals[0] === 'extract' && positionals.length === 1) return eachLine(extractLineSchema, extractLine);
      if (positionals[0] === 'extract' && fieldTypes.includes(positionals[1] as FieldType) && positionals[2] !== undefined) {
        const result = validateField(positionals[1] as FieldType, positionals.slice(2).join(' '), { now: new Date(), timeZone: 'America/Sao_Paulo', pastByDefault: true, vocabulary: true }, values.options?.split(','));
        console.log(JSON.stringify(result));
        return result.ok ? 0 : 1;
      }
      console.error(`${USAGE}\nfield types: ${fieldTypes.join(', ')}`);
      return 2;
    }
    case 'workflows': {
      const [sub, ...args] = rest;
      if (sub !== 'replay') {
        console.error(`unknown workflows command "${sub ?? ''}"\n\n${USAGE}`);
        return 2;
      }
      const { values } = parseArgs({ args, options: { query: { type: 'string' }, limit: { type: 'string' } } });
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        console.error('--limit must be a whole number ≥ 1');
        return 2;
      }
      // the replay worker's own state changes are noise here; warnings and errors still show
      // required here, not at the top: these modules are heavy and only this command needs them
      const { DefaultLogger, Runtime } = require('@temporalio/worker') as typeof import('@temporalio/worker');
      const { codecKeys, connectClient } = require('../temporal/connection') as typeof import('../temporal/connection');
      const { replayConversations } = require('../temporal/replay') as typeof import('../temporal/replay');
      Runtime.install({ logger: new DefaultLogger('WARN') });
      const { client, connection } = await connectClient(env);
      try {
        const report = await replayConversations(client, {
          ...(values.query ? { query: values.query } : {}),
          ...(limit ? { limit } : {}),
          onProgress: (line) => console.error(line),
          codecKeys: codecKeys(env),
        });
        console.log(
          report.failures.length
            ? `${report.failures.length} of ${report.replayed} conversations would break with this code (see above)`
            : `${report.replayed} conversations replay with this code`,
        );
        return report.failures.length ? 1 : 0;
      } finally {
        await connection.close();
      }
    }
    case 'tools': {
      if (rest[0] === 'install') {
        installPinned(undefined, { dev: true });
        await installPgvector();
      } else if (rest[0] !== 'path') {
        console.error(USAGE);
        return 2;
      }
      const cli = resolveBinary('cli', { explicitPath: env.TEMPORAL_CLI_PATH, install: false });
      const testServer = resolveBinary('testServer', { explicitPath: env.TEMPORAL_TEST_SERVER_PATH, install: false });
      console.log(`temporal cli:         ${cli ?? '(not found)'}`);
      console.log(`temporal test server: ${testServer ?? '(not found)'}`);
      console.log(`schemathesis (tests): ${devTool('schemathesis') ?? '(not found)'}`);
      return cli && testServer ? 0 : 1;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2))
  .then((code) => {
    if (code !== 0) process.exit(code);
  })
  .catch((error) => {
    console.error(error instanceof EnvError ? error.message : `atende: ${(error as Error).message}`);
    process.exit(1);
  });

