import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../domain/conversation';
import { agentChangeSchema, agentCreateSchema, toolSchema, catalogSchema, escalationPolicySchema, modelChangeSchema, modelSchema, rateLimitsSchema, scriptInputSchema, tenantSettingsPatchSchema, tenantSettingsSchema } from '../domain/schemas';
import { linkSchema, loginSchema, newUserSchema, patchUserSchema, refreshSchema } from './accounts';
import { analyzeSchema, chatSchema, createPromptSchema, generateSchema, saveOnboardingSchema, statesSchema, updatePromptSchema } from './ai';
import { assignSchema, changeScriptSchema, messageSchema, resolveSchema, startSchema } from './conversations';
import { learningSchema } from './settings';
import { chatStreamSchema } from './chat';
import { webhookChangeSchema, webhookSchema } from './webhooks';
import { tryScriptSchema } from './scripts';
import { knowledgeSearchSchema } from './knowledge';
import { cannedSchema, noteSchema, readSchema } from './console';
import { breakdownDimensions, distributionMetrics, timeseriesMetrics } from '../db/analytics';

/**
 * The OpenAPI 3.1 description of the API, built from the same zod schemas the routes validate
 * with (zod's own JSON Schema output, 2020-12, the dialect of OpenAPI 3.1). Every route of
 * the app is listed here and nothing else: test/openapi.test.ts compares this list with the
 * app's route table, so the two cannot drift apart.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Access = 'public' | 'bearer' | 'session';

interface Operation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType;
  /** A multipart/form-data body (file uploads), as a JSON Schema. */
  form?: Record<string, unknown>;
  /** An example request body, shown in /docs. */
  example?: unknown;
  /** Success responses: status → schema (or a description only, for streams and pages). */
  responses: Record<number, z.ZodType | { description: string; contentType: string }>;
  /** Error statuses this operation may answer, besides the common ones. */
  errors?: number[];
  query?: Record<string, z.ZodType>;
  headers?: Record<string, z.ZodType>;
  /** The seed and AI contracts keep their own error envelopes. */
  envelope?: 'problem' | 'seed' | 'ai';
}

const uuid = z.string().uuid();
const codecPayloads = z.object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) });
const anyObject = z.object({}).passthrough();
const reply = z.object({ seq: z.number().int(), text: z.string(), at: z.string() });
const turn = z.object({ replies: z.array(reply), state: anyObject });
const started = z.object({ conversationId: uuid, token: z.string(), replies: z.array(reply), state: anyObject });
const accepted = z.object({
  status: z.literal('accepted'),
  conversationId: uuid,
  messageId: z.string(),
  token: z.string().optional(),
  message: z.string(),
  replies: z.object({ messages: z.string(), events: z.string() }),
});
const storedMessage = z.object({ seq: z.number().int(), role: z.string(), text: z.string() }).passthrough();
const session = z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(), refreshToken: z.string(), user: anyObject });
const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string(),
  })
  .passthrough();
const seedError = z.object({ status: z.literal('Error'), message: z.string() }).passthrough();
const aiEnvelope = z.object({ success: z.boolean() }).passthrough();
const limitsAnswer = z.object({ limits: rateLimitsSchema, effective: anyObject });
const seedMessage = z.object({ message: z.string().min(1).max(MAX_MESSAGE_LENGTH), messageId: z.string().max(200).optional() });
const html = { description: 'an HTML page', contentType: 'text/html' };
const events = { description: 'a server-sent event stream: `message`, `state`, `closed` and `ping` events', contentType: 'text/event-stream' };

const conversationOps: Operation[] = [
  { method: 'post', path: '/api/v1/conversations', summary: 'Start a conversation (optionally with its first message)', tag: 'conversations', access: 'public', body: startSchema, headers: { 'Idempotency-Key': z.string().min(1).max(200) }, responses: { 201: started, 202: accepted }, errors: [429, 503] },
  { method: 'get', path: '/api/v1/conversations/{id}', summary: 'The conversation\'s state (the customer\'s view for a customer token)', tag: 'conversations', access: 'bearer', responses: { 200: z.object({ state: anyObject }) }, errors: [503] },
  { method: 'post', path: '/api/v1/conversations/{id}/messages', summary: 'Send a customer message; the bot\'s replies come back', tag: 'conversations', access: 'bearer', body: messageSchema, responses: { 200: turn, 202: accepted }, errors: [409, 429, 503] },
  { method: 'get', path: '/api/v1/conversations/{id}/messages', summary: 'The transcript after a sequence number', tag: 'conversations', access: 'bearer', query: { after: z.number().int().min(0).max(2_147_483_647) }, responses: { 200: z.object({ messages: z.array(storedMessage) }) } },
  { method: 'post', path: '/api/v1/conversations/{id}/events/ticket', summary: 'A one-minute ticket that opens the event stream', tag: 'conversations', access: 'bearer', responses: { 201: z.object({ ticket: z.string(), expiresInSeconds: z.number().int(), url: z.string() }) } },
  { method: 'get', path: '/api/v1/conversations/{id}/events', summary: 'Server-sent events of the conversation (Bearer header or ?ticket=)', tag: 'conversations', access: 'bearer', query: { after: z.number().int().min(0).max(2_147_483_647), ticket: z.string() }, responses: { 200: events } },
  { method: 'post', path: '/api/v1/conversations/{id}/script', summary: 'Re-script the conversation (agents)', tag: 'handoff', access: 'bearer', body: changeScriptSchema, responses: { 200: turn.extend({ learned: anyObject.nullable() }) }, errors: [409, 503] },
  { method: 'post', path: '/api/v1/conversations/{id}/claim', summary: 'Take an escalated conversation', tag: 'handoff', access: 'bearer', responses: { 200: turn }, errors: [409, 503] },
  { method: 'post', path: '/api/v1/conversations/{id}/agent-messages', summary: 'The holding agent writes to the customer', tag: 'handoff', access: 'bearer', body: messageSchema, responses: { 201: turn }, errors: [409, 503] },
  { method: 'post', path: '/api/v1/conversations/{id}/assign', summary: 'Pass the conversation to another agent (the holder, or an admin)', tag: 'handoff', access: 'bearer', body: assignSchema, responses: { 200: turn }, errors: [409, 503] },
  { method: 'post', path: '/api/v1/conversations/{id}/handback', summary: 'Hand the conversation back to the bot', tag: 'handoff', access: 'bearer', responses: { 200: turn }, errors: [409, 503] },
  { method: 'post', path: '/api/v1/conversations/{id}/resolve', summary: 'Resolve as the team', tag: 'handoff', access: 'bearer', body: resolveSchema, responses: { 200: turn }, errors: [409, 503] },
  { method: 'get', path: '/api/v1/inbox', summary: 'The built-in inbox', tag: 'handoff', access: 'bearer', query: { status: z.string() }, responses: { 200: z.object({ items: z.array(anyObject) }) } },
];

const scriptOps: Operation[] = [
  { method: 'get', path: '/api/v1/scripts', summary: 'The tenant\'s scripts', tag: 'scripts', access: 'bearer', responses: { 200: z.object({ scripts: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v1/scripts', summary: 'Create a script', tag: 'scripts', access: 'bearer', body: scriptInputSchema, responses: { 201: z.object({ script: anyObject }) }, errors: [409] },
  { method: 'get', path: '/api/v1/scripts/export', summary: 'The catalog (script-catalog/v1)', tag: 'scripts', access: 'bearer', responses: { 200: anyObject } },
  { method: 'post', path: '/api/v1/scripts/import', summary: 'Import a catalog in one transaction', tag: 'scripts', access: 'bearer', body: catalogSchema, responses: { 200: anyObject } },
  {
    method: 'post',
    path: '/api/v1/scripts/try',
    summary: 'How the matcher reads a sample message with a draft script in place (nothing is saved)',
    tag: 'scripts',
    access: 'bearer',
    body: tryScriptSchema,
    example: { message: 'quero trocar o titular da apólice', draft: { id: 'titularidade', title: 'Troca de titularidade', examples: ['mudar o titular do seguro'], steps: [{ id: 'cpf', question: 'Qual o CPF do novo titular?', type: 'cpf' }] } },
    responses: { 200: z.object({ message: z.string(), verdict: z.string(), scriptId: z.string().nullable(), confidence: z.number(), candidates: z.array(anyObject) }) },
  },
  { method: 'get', path: '/api/v1/scripts/{id}', summary: 'A script, latest version', tag: 'scripts', access: 'bearer', responses: { 200: z.object({ script: anyObject }) } },
  { method: 'put', path: '/api/v1/scripts/{id}', summary: 'Save a new version when the definition changed', tag: 'scripts', access: 'bearer', body: scriptInputSchema, responses: { 200: z.object({ script: anyObject, changed: z.boolean() }) } },
  { method: 'delete', path: '/api/v1/scripts/{id}', summary: 'Delete (a tombstone version)', tag: 'scripts', access: 'bearer', responses: { 200: anyObject } },
  { method: 'get', path: '/api/v1/scripts/{id}/versions', summary: 'Every version, newest first', tag: 'scripts', access: 'bearer', responses: { 200: z.object({ versions: z.array(anyObject) }) } },
];

const settingOps: Operation[] = [
  { method: 'get', path: '/api/v1/settings/escalation', summary: 'The escalation policy', tag: 'settings', access: 'bearer', responses: { 200: z.object({ policy: anyObject }) } },
  { method: 'put', path: '/api/v1/settings/escalation', summary: 'Set the escalation policy', tag: 'settings', access: 'bearer', body: escalationPolicySchema, responses: { 200: z.object({ policy: anyObject }) } },
  { method: 'get', path: '/api/v1/settings/learning', summary: 'Whether re-scripts teach the matcher', tag: 'settings', access: 'bearer', responses: { 200: z.object({ learning: learningSchema }) } },
  { method: 'put', path: '/api/v1/settings/learning', summary: 'Turn learning from agents on or off', tag: 'settings', access: 'bearer', body: learningSchema, responses: { 200: z.object({ learning: learningSchema }) } },
  { method: 'get', path: '/api/v1/settings/limits', summary: 'Requests per minute', tag: 'settings', access: 'bearer', responses: { 200: limitsAnswer } },
  { method: 'put', path: '/api/v1/settings/limits', summary: 'Set the tenant\'s limits', tag: 'settings', access: 'bearer', body: rateLimitsSchema, responses: { 200: limitsAnswer } },
];

const accountOps: Operation[] = [
  { method: 'post', path: '/api/v1/auth/login', summary: 'Log in with e-mail and password', tag: 'accounts', access: 'public', body: loginSchema, responses: { 200: session }, errors: [401, 429] },
  { method: 'post', path: '/api/v1/auth/link', summary: 'Log in with a one-time link\'s code', tag: 'accounts', access: 'public', body: linkSchema, responses: { 200: session }, errors: [401, 429] },
  { method: 'post', path: '/api/v1/auth/refresh', summary: 'Spend a refresh token for a new pair', tag: 'accounts', access: 'public', body: refreshSchema, responses: { 200: session }, errors: [401] },
  { method: 'post', path: '/api/v1/auth/logout', summary: 'Revoke the refresh token', tag: 'accounts', access: 'public', body: refreshSchema, responses: { 204: { description: 'logged out', contentType: '' } } },
  { method: 'get', path: '/api/v1/auth/me', summary: 'Who the token speaks for', tag: 'accounts', access: 'bearer', responses: { 200: anyObject } },
  { method: 'get', path: '/api/v1/users', summary: 'The tenant\'s users', tag: 'accounts', access: 'bearer', responses: { 200: z.object({ users: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v1/users', summary: 'Add a user', tag: 'accounts', access: 'bearer', body: newUserSchema, responses: { 201: z.object({ user: anyObject }) }, errors: [409] },
  { method: 'get', path: '/api/v1/users/{id}', summary: 'A user', tag: 'accounts', access: 'bearer', responses: { 200: z.object({ user: anyObject }) } },
  { method: 'patch', path: '/api/v1/users/{id}', summary: 'Change a user (name, role, disabled, password)', tag: 'accounts', access: 'bearer', body: patchUserSchema, responses: { 200: z.object({ user: anyObject }) } },
  { method: 'post', path: '/api/v1/users/{id}/revoke', summary: 'End every session of the user', tag: 'accounts', access: 'bearer', responses: { 200: z.object({ user: anyObject }) } },
  { method: 'post', path: '/api/v1/users/{id}/login-link', summary: 'A one-time login link', tag: 'accounts', access: 'bearer', responses: { 201: z.object({ code: z.string(), path: z.string(), expiresInSeconds: z.number().int() }) } },
];

const ai = (method: Method, path: string, summary: string, body?: z.ZodType, status = 200): Operation => ({
  method,
  path: `/api/ai${path}`,
  summary,
  tag: 'ai (seed contract)',
  access: 'bearer',
  ...(body ? { body } : {}),
  responses: { [status]: aiEnvelope },
  envelope: 'ai',
});
const aiOps: Operation[] = [
  ai('post', '/analyze', 'Analyze a conversation', analyzeSchema),
  ai('get', '/conversations/{id}/state', 'A conversation\'s analysis state'),
  ai('post', '/conversations/states', 'Several conversations\' analysis states', statesSchema),
  ai('get', '/prompts', 'Action prompts'),
  ai('post', '/prompts', 'Create an action prompt', createPromptSchema, 201),
  ai('put', '/prompts/{id}', 'Change an action prompt', updatePromptSchema),
  ai('delete', '/prompts/{id}', 'Delete an action prompt'),
  ai('post', '/prompts/{id}/toggle', 'Turn an action prompt on or off'),
  ai('post', '/onboarding/generate', 'Generate a system prompt', generateSchema),
  ai('get', '/onboarding/{instanceId}', 'An onboarding'),
  ai('post', '/onboarding/{instanceId}', 'Save onboarding fields', saveOnboardingSchema),
  ai('post', '/assistant/chat', 'Ask the internal assistant', chatSchema),
  ai('get', '/assistant/conversations', 'The agent\'s assistant conversations'),
  ai('get', '/assistant/conversations/{id}/messages', 'An assistant conversation\'s messages'),
  ai('delete', '/assistant/conversations/{id}', 'Delete an assistant conversation'),
];

const seedOps: Operation[] = [
  { method: 'post', path: '/initial-message', summary: 'Start a session with the customer\'s name (seed contract)', tag: 'seed contract', access: 'public', body: z.object({ message: z.string().min(1).max(200) }), responses: { 200: z.object({ answer: z.string(), Name: z.string(), Session: uuid }), 202: anyObject }, envelope: 'seed', errors: [429] },
  { method: 'post', path: '/chat', summary: 'A message in the session (seed contract)', tag: 'seed contract', access: 'session', body: seedMessage, responses: { 200: z.object({ answer: z.string(), steps: z.string(), is_final_step: z.enum(['True', 'False']) }), 202: anyObject }, envelope: 'seed', errors: [401, 429] },
  { method: 'post', path: '/chat_ai', summary: 'A message in the session, answer only (seed contract)', tag: 'seed contract', access: 'session', body: seedMessage, responses: { 200: z.object({ answer: z.string() }), 202: anyObject }, envelope: 'seed', errors: [401, 429] },
  { method: 'get', path: '/api/v1/script', summary: 'The scripts as a JSON string (seed contract)', tag: 'seed contract', access: 'bearer', responses: { 200: z.object({ scripts: z.string() }) }, envelope: 'seed' },
  { method: 'post', path: '/api/v1/script', summary: 'Save a script (seed contract)', tag: 'seed contract', access: 'bearer', body: z.object({ args: scriptInputSchema }), responses: { 201: anyObject }, envelope: 'seed' },
];

/** The filters every analytics endpoint and the conversation list take. */
const analyticsFilters: Record<string, z.ZodType> = {
  from: z.string().datetime({ offset: true }),
  to: z.string().datetime({ offset: true }),
  channel: z.string().min(1).max(200),
  status: z.enum(['active', 'escalated', 'resolved', 'abandoned', 'RESOLVED', 'UNRESOLVED', 'HUMAN_REQUESTED']),
  priority: z.enum(['HIGH', 'MEDIUM', 'LOW']),
  urgency: z.enum(['critical', 'high', 'medium', 'low']),
  script: z.string().min(1).max(200),
  agent: z.string().min(1).max(200),
  businessHours: z.enum(['true', 'false']),
  tz: z.string().max(64),
};
const period = z.object({ from: z.string(), to: z.string(), tz: z.string() });
const analytics = (path: string, summary: string, query: Record<string, z.ZodType>, response: z.ZodType | { description: string; contentType: string }): Operation => ({
  method: 'get',
  path,
  summary,
  tag: 'analytics',
  access: 'bearer',
  query: { ...analyticsFilters, ...query },
  responses: { 200: response },
});
const analyticsOps: Operation[] = [
  { ...analytics('/api/v1/conversations', 'Conversations of the period, filtered and searched (staff)', { q: z.string().min(1).max(200), limit: z.number().int().min(1).max(200), cursor: z.string().max(200) }, z.object({ period, items: z.array(anyObject), nextCursor: z.string().nullable() })), tag: 'conversations' },
  analytics('/api/v1/analytics/summary', 'Volume, resolution, escalation, response and resolution times, CSAT, frustration, SLA', {}, z.object({ period }).passthrough()),
  analytics('/api/v1/analytics/timeseries', 'One metric per hour, day or week', { metric: z.enum(timeseriesMetrics), interval: z.enum(['hour', 'day', 'week']) }, z.object({ period, metric: z.string(), interval: z.string(), points: z.array(z.object({ start: z.string(), value: z.number().nullable() })) })),
  analytics('/api/v1/analytics/heatmap', 'Conversations per weekday and hour', {}, z.object({ period, cells: z.array(z.object({ weekday: z.number().int(), hour: z.number().int(), conversations: z.number().int() })) })),
  analytics('/api/v1/analytics/breakdown', 'The main figures per agent, channel, script, status, priority, urgency or frustration level', { by: z.enum(Object.keys(breakdownDimensions) as [string, ...string[]]) }, z.object({ period, by: z.string(), rows: z.array(anyObject) })),
  analytics('/api/v1/analytics/distribution', 'How many conversations fall in each time bucket', { metric: z.enum(Object.keys(distributionMetrics) as [string, ...string[]]) }, z.object({ period, metric: z.string(), buckets: z.array(z.object({ from: z.number(), to: z.number().nullable(), conversations: z.number().int() })) })),
  analytics('/api/v1/analytics/export.csv', 'One CSV row per conversation, with the seed\'s columns (streamed)', {}, { description: 'CSV', contentType: 'text/csv' }),
  analytics('/api/v2/analytics/dashboard', 'The summary, for the v2 API\'s clients', {}, anyObject),
  { method: 'get', path: '/api/v1/conversations/{id}/notes', summary: 'Private notes on a conversation (staff only; never shown to the customer)', tag: 'handoff', access: 'bearer', responses: { 200: z.object({ notes: z.array(anyObject) }) } },
  { method: 'get', path: '/api/v1/conversations/{id}/past', summary: 'The same customer\'s other conversations (by e-mail, phone or external id) with their CSAT', tag: 'handoff', access: 'bearer', responses: { 200: z.object({ conversations: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v1/conversations/{id}/notes', summary: 'Add a private note', tag: 'handoff', access: 'bearer', body: noteSchema, responses: { 201: z.object({ note: anyObject }) } },
  { method: 'post', path: '/api/v1/conversations/{id}/read', summary: 'Mark the conversation read up to message `seq` for the caller (the inbox\'s `unread` counts after it; never moves back)', tag: 'handoff', access: 'bearer', body: readSchema, responses: { 200: z.object({ seq: z.number().int() }) } },
  { method: 'get', path: '/api/v1/canned-responses', summary: 'The tenant\'s canned responses ("/" in the inbox composer)', tag: 'handoff', access: 'bearer', responses: { 200: z.object({ responses: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v1/canned-responses', summary: 'Add a canned response (admins)', tag: 'handoff', access: 'bearer', body: cannedSchema, example: { shortcut: 'prazo', title: 'Prazo de análise', text: 'A análise leva até 5 dias úteis; avisamos por e-mail.' }, responses: { 201: z.object({ response: anyObject }) }, errors: [409] },
  { method: 'delete', path: '/api/v1/canned-responses/{id}', summary: 'Remove a canned response (admins)', tag: 'handoff', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) } },
  { method: 'get', path: '/api/v1/notices', summary: 'What the admins must be told (an endpoint disabled…): unread, or every one with ?all=true', tag: 'webhooks', access: 'bearer', query: { all: z.enum(['true', 'false']) }, responses: { 200: z.object({ notices: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v1/notices/{id}/read', summary: 'Mark a notice read', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ notice: anyObject }) } },
  { method: 'get', path: '/api/v2/webhooks', summary: 'The tenant\'s webhook endpoints (admins)', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ webhooks: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v2/webhooks', summary: 'Register an endpoint; its signing secret is shown this once', tag: 'webhooks', access: 'bearer', body: webhookSchema, responses: { 201: z.object({ webhook: anyObject, secret: z.string() }) } },
  { method: 'get', path: '/api/v2/webhooks/{id}', summary: 'One endpoint', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ webhook: anyObject }) } },
  { method: 'put', path: '/api/v2/webhooks/{id}', summary: 'Change an endpoint (what is given)', tag: 'webhooks', access: 'bearer', body: webhookChangeSchema, responses: { 200: z.object({ webhook: anyObject }) } },
  { method: 'delete', path: '/api/v2/webhooks/{id}', summary: 'Remove an endpoint and its deliveries', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) } },
  { method: 'post', path: '/api/v2/webhooks/{id}/rotate-secret', summary: 'A new secret; the old one signs beside it for 24 h', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ secret: z.string(), previousValidUntil: z.string() }) } },
  { method: 'get', path: '/api/v2/webhooks/{id}/deliveries', summary: 'The delivery log: every attempt with status, duration and the start of the response', tag: 'webhooks', access: 'bearer', responses: { 200: z.object({ deliveries: z.array(anyObject) }) } },
  { method: 'post', path: '/api/v2/webhooks/{id}/deliveries/{deliveryId}/retry', summary: 'Deliver a failed or delivered event again', tag: 'webhooks', access: 'bearer', responses: { 202: z.object({ delivery: anyObject }) }, errors: [409, 503] },
  { method: 'get', path: '/api/v2/agents', summary: 'The tenant\'s agents (bot profiles), `default` first', tag: 'agents', access: 'bearer', responses: { 200: z.object({ agents: z.array(anyObject) }) } },
  {
    method: 'post',
    path: '/api/v2/agents',
    summary: 'Create an agent (admins): its id is given or made from its name',
    tag: 'agents',
    access: 'bearer',
    body: agentCreateSchema,
    example: { name: 'Financeiro', scripts: ['boleto'], collections: ['financeiro'], escalation: { maxMatchMisses: 3 } },
    responses: { 201: z.object({ agent: anyObject }) },
    errors: [409],
  },
  { method: 'get', path: '/api/v2/agents/{agentId}', summary: 'One agent (`default` always exists)', tag: 'agents', access: 'bearer', responses: { 200: z.object({ agent: anyObject }) } },
  { method: 'patch', path: '/api/v2/agents/{agentId}', summary: 'Change an agent (admins)', tag: 'agents', access: 'bearer', body: agentChangeSchema, example: { scripts: 'all', model: null }, responses: { 200: z.object({ agent: anyObject }) } },
  { method: 'delete', path: '/api/v2/agents/{agentId}', summary: 'Remove an agent and its tools (admins; not `default`)', tag: 'agents', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) }, errors: [409] },
  { method: 'get', path: '/api/v2/agents/{agentId}/tools', summary: 'The agent\'s tools (secrets named, never shown)', tag: 'agents', access: 'bearer', responses: { 200: z.object({ tools: z.array(anyObject) }) } },
  {
    method: 'post',
    path: '/api/v2/agents/{agentId}/tools',
    summary: 'Add a tool (admins): http | search | calculator | lead_capture | form | webhook; a script runs it from onComplete.tools',
    tag: 'agents',
    access: 'bearer',
    body: toolSchema,
    example: {
      name: 'Consulta de apólice',
      type: 'http',
      config: { method: 'GET', url: 'https://api.example.com/policies?cpf={{answers.cpf}}', headers: { Authorization: 'Bearer {{secrets.API_KEY}}' }, say: 'Sua apólice {{response.number}} está {{response.status}}.', timeoutMs: 5000 },
      secrets: { API_KEY: '…' },
    },
    responses: { 201: z.object({ tool: anyObject }) },
  },
  { method: 'get', path: '/api/v2/agents/{agentId}/tools/{toolId}', summary: 'One tool', tag: 'agents', access: 'bearer', responses: { 200: z.object({ tool: anyObject }) } },
  { method: 'put', path: '/api/v2/agents/{agentId}/tools/{toolId}', summary: 'Replace a tool (secrets not sent are kept)', tag: 'agents', access: 'bearer', body: toolSchema, example: { name: 'Valor da parcela', type: 'calculator', config: { expression: 'round(valor / parcelas, 2)', say: 'Cada parcela fica em R$ {{result}}.' } }, responses: { 200: z.object({ tool: anyObject }) } },
  { method: 'delete', path: '/api/v2/agents/{agentId}/tools/{toolId}', summary: 'Remove a tool', tag: 'agents', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) } },
  { method: 'get', path: '/api/v2/agents/{agentId}/tools/{toolId}/calls', summary: 'The tool\'s calls: status, duration, output or error', tag: 'agents', access: 'bearer', responses: { 200: z.object({ calls: z.array(anyObject) }) } },
  { method: 'get', path: '/api/v2/leads', summary: 'Leads the lead_capture tools stored, newest first', tag: 'agents', access: 'bearer', responses: { 200: z.object({ leads: z.array(anyObject) }) } },
  { method: 'get', path: '/api/v2/models', summary: 'The tenant\'s model endpoints (keys shown only as { set, hint })', tag: 'models', access: 'bearer', responses: { 200: z.object({ models: z.array(anyObject) }) } },
  {
    method: 'post',
    path: '/api/v2/models',
    summary: 'Add a model endpoint (admins): openai | anthropic | google | mistral through their OpenAI-compatible endpoints, or any openai_compatible server; the key is write-only, sealed at rest',
    tag: 'models',
    access: 'bearer',
    body: modelSchema,
    example: { name: 'GPT-4o mini', provider: 'openai', model: 'gpt-4o-mini', purpose: 'chat', apiKey: 'sk-…', isDefault: true },
    responses: { 201: z.object({ model: anyObject }) },
  },
  { method: 'get', path: '/api/v2/models/{id}', summary: 'One model endpoint', tag: 'models', access: 'bearer', responses: { 200: z.object({ model: anyObject }) } },
  {
    method: 'patch',
    path: '/api/v2/models/{id}',
    summary: 'Change a model endpoint (what is given; apiKey: null removes the key; isDefault moves the default)',
    tag: 'models',
    access: 'bearer',
    body: modelChangeSchema,
    example: { isDefault: true, apiKey: 'sk-new-…' },
    responses: { 200: z.object({ model: anyObject }) },
  },
  { method: 'delete', path: '/api/v2/models/{id}', summary: 'Remove a model endpoint', tag: 'models', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) } },
  { method: 'get', path: '/api/v2/settings', summary: 'The tenant\'s settings in one document, the server\'s defaults filled in', tag: 'settings', access: 'bearer', responses: { 200: z.object({ settings: tenantSettingsSchema }) } },
  {
    method: 'patch',
    path: '/api/v2/settings',
    summary: 'Change any sections of the settings (admins); validated whole before it is stored',
    tag: 'settings',
    access: 'bearer',
    body: tenantSettingsPatchSchema,
    example: { csat: { enabled: false }, followUp: { delayMinutes: 120 }, business: { workingHours: { start: '08:00', end: '18:00', workDays: [1, 2, 3, 4, 5], holidays: ['2026-12-25'] } } },
    responses: { 200: z.object({ settings: tenantSettingsSchema }) },
  },
  {
    method: 'post',
    path: '/api/v2/knowledge/upload',
    summary: 'Upload a document to the knowledge base (admins): .pdf, .docx, .md, .html, .txt or .csv (question,answer), up to 10 MiB; indexed by a workflow',
    tag: 'knowledge',
    access: 'bearer',
    form: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary' },
        collection: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,60}$', default: 'default' },
        title: { type: 'string', maxLength: 200 },
      },
    },
    responses: { 201: z.object({ document: z.object({ id: uuid, status: z.literal('indexing'), title: z.string(), collection: z.string() }) }) },
    errors: [413, 415, 503],
  },
  { method: 'get', path: '/api/v2/knowledge/documents', summary: 'The tenant\'s documents, with status and indexing progress', tag: 'knowledge', access: 'bearer', query: { collection: z.string() }, responses: { 200: z.object({ documents: z.array(anyObject) }) } },
  { method: 'get', path: '/api/v2/knowledge/documents/{id}', summary: 'One document: status indexing | ready | failed, progress { chunksDone, chunksTotal }, error', tag: 'knowledge', access: 'bearer', responses: { 200: z.object({ document: anyObject }) } },
  { method: 'delete', path: '/api/v2/knowledge/documents/{id}', summary: 'Remove a document and its passages (admins)', tag: 'knowledge', access: 'bearer', responses: { 200: z.object({ deleted: z.boolean() }) } },
  { method: 'post', path: '/api/v2/knowledge/documents/{id}/reindex', summary: 'Index a document again from its stored file (admins)', tag: 'knowledge', access: 'bearer', responses: { 202: z.object({ document: anyObject }) }, errors: [409, 503] },
  {
    method: 'post',
    path: '/api/v2/knowledge/search',
    summary: 'Search the knowledge base: passages with document, position, heading, excerpt, score and coverage (full text; hybrid with an embedding model)',
    tag: 'knowledge',
    access: 'bearer',
    body: knowledgeSearchSchema,
    responses: { 200: z.object({ query: z.string(), engine: z.enum(['fulltext', 'hybrid']), results: z.array(anyObject) }) },
  },
  { method: 'post', path: '/api/v2/webhooks/{id}/test', summary: 'Send a webhook.test event now', tag: 'webhooks', access: 'bearer', responses: { 202: z.object({ delivery: anyObject }) }, errors: [503] },
  {
    method: 'post',
    path: '/api/v2/agents/{agentId}/chat/stream',
    summary: 'One customer turn, streamed: progress, answer chunks, metadata, done (or error)',
    tag: 'events',
    access: 'bearer',
    body: chatStreamSchema,
    responses: { 200: { description: 'server-sent events: `data: {"event": "progress" | "answer" | "metadata" | "done" | "error", "data": …}`', contentType: 'text/event-stream' } },
    errors: [409, 429],
  },
  {
    method: 'get',
    path: '/api/v2/events/dashboard',
    summary: 'The tenant\'s conversation events as server-sent events (resumable with Last-Event-ID)',
    tag: 'events',
    access: 'bearer',
    query: { after: z.number().int().min(0) },
    headers: { 'Last-Event-ID': z.string().regex(/^\d{1,15}$/) },
    responses: { 200: { description: 'server-sent events: `data: {"type": "conversation_started" | "message_received" | "system_update", "event": <event type>, "data": <event>}` with `id:` = the event sequence; `event: ping` every 15 s', contentType: 'text/event-stream' } },
  },
];

const serviceOps: Operation[] = [
  { method: 'get', path: '/', summary: 'The chat page (?tenant=, ?channel= for the widget)', tag: 'pages', access: 'public', responses: { 200: html } },
  { method: 'get', path: '/admin', summary: 'The admin console: scripts (editor, try it, versions, import/export), knowledge, agents, settings', tag: 'pages', access: 'public', responses: { 200: html } },
  { method: 'get', path: '/widget.js', summary: 'The embeddable chat widget: <script src=".../widget.js" data-tenant="…">', tag: 'pages', access: 'public', responses: { 200: { description: 'a JavaScript file', contentType: 'text/javascript' } } },
  { method: 'get', path: '/inbox', summary: 'The agent inbox page', tag: 'pages', access: 'public', responses: { 200: html } },
  { method: 'get', path: '/dashboard', summary: 'The service dashboard page', tag: 'pages', access: 'public', responses: { 200: html } },
  { method: 'get', path: '/assets/live.js', summary: 'The staff pages\' reader of the tenant event stream', tag: 'pages', access: 'public', responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } } },
  { method: 'get', path: '/assets/strings.js', summary: 'The console\'s shared words in Portuguese (statuses, urgencies, event names…)', tag: 'pages', access: 'public', responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } } },
  { method: 'get', path: '/dashboard/assets/chart.js', summary: 'Chart.js (from the npm package)', tag: 'pages', access: 'public', responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } } },
  { method: 'get', path: '/docs', summary: 'This description in Swagger UI', tag: 'pages', access: 'public', responses: { 200: html } },
  { method: 'get', path: '/openapi.json', summary: 'This description', tag: 'pages', access: 'public', responses: { 200: anyObject } },
  { method: 'get', path: '/docs/assets/{file}', summary: 'Swagger UI\'s files (from the npm package)', tag: 'pages', access: 'public', responses: { 200: { description: 'a CSS or JavaScript file', contentType: 'text/javascript' } } },
  { method: 'get', path: '/healthz', summary: 'Temporal, Postgres and a polling worker', tag: 'operations', access: 'public', responses: { 200: anyObject }, errors: [503] },
  { method: 'post', path: '/codec/encode', summary: 'Temporal codec server: encrypt payloads (admins; ATENDE_CODEC_KEYS)', tag: 'operations', access: 'bearer', body: codecPayloads, responses: { 200: codecPayloads }, errors: [404] },
  { method: 'post', path: '/codec/decode', summary: 'Temporal codec server: decrypt payloads for the Temporal UI or CLI (admins)', tag: 'operations', access: 'bearer', body: codecPayloads, responses: { 200: codecPayloads }, errors: [404] },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics (a bearer METRICS_TOKEN when one is set)', tag: 'operations', access: 'public', responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } }, errors: [401] },
];

export const operations: readonly Operation[] = [...conversationOps, ...analyticsOps, ...scriptOps, ...settingOps, ...accountOps, ...aiOps, ...seedOps, ...serviceOps];

function jsonSchema(schema: z.ZodType): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const ERROR_SCHEMAS = { problem, seed: seedError, ai: aiEnvelope } as const;
const COMMON_ERRORS: Record<Access, number[]> = { public: [400, 413, 415, 422], bearer: [400, 401, 403, 404, 413, 415, 422, 429], session: [400, 413, 415, 422] };

let built: object | undefined;

export function openApiDocument(): object {
  if (built) return built;
  const paths: Record<string, Record<string, object>> = {};
  for (const operation of operations) {
    const envelope = operation.envelope ?? 'problem';
    const errorBody = { content: { [envelope === 'problem' ? 'application/problem+json' : 'application/json']: { schema: jsonSchema(ERROR_SCHEMAS[envelope]) } } };
    const responses: Record<string, object> = {};
    for (const [status, schema] of Object.entries(operation.responses)) {
      if (schema instanceof z.ZodType) responses[status] = { description: 'success', content: { 'application/json': { schema: jsonSchema(schema) } } };
      else responses[status] = { description: schema.description, ...(schema.contentType ? { content: { [schema.contentType]: {} } } : {}) };
    }
    const errors = new Set([...COMMON_ERRORS[operation.access], ...(operation.errors ?? [])]);
    if (operation.path.includes('{')) errors.add(404);
    for (const status of errors) if (!(status in responses)) responses[status] = { description: `error (${envelope === 'problem' ? 'RFC 9457 problem details' : `the ${envelope} contract's envelope`})`, ...errorBody };
    responses['405'] = { description: 'the path exists with other methods (see Allow)', content: { 'application/problem+json': { schema: jsonSchema(problem) } } };
    const parameters = [
      ...[...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: 'path',
        required: true,
        schema: name === 'id' && operation.path.startsWith('/api/v1/conversations') ? { type: 'string', format: 'uuid' } : { type: 'string', maxLength: 100 },
      })),
      ...Object.entries(operation.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema: jsonSchema(schema) })),
      ...Object.entries(operation.headers ?? {}).map(([name, schema]) => ({ name, in: 'header', required: false, schema: jsonSchema(schema) })),
    ];
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      summary: operation.summary,
      tags: [operation.tag],
      operationId: `${operation.method}${operation.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
      ...(operation.access === 'bearer' ? { security: [{ bearer: [] }] } : operation.access === 'session' ? { security: [{ session: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body), ...(operation.example ? { example: operation.example } : {}) } } } } : {}),
      ...(operation.form ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: operation.form } } } } : {}),
      responses,
    };
  }
  built = {
    openapi: '3.1.0',
    info: {
      title: 'Atende API',
      version: '0.1.0',
      description:
        'Customer-service conversations on Temporal. Native errors are RFC 9457 problem details (application/problem+json); ' +
        'the seed contracts (/initial-message, /chat, /chat_ai, /api/v1/script) and the AI contract (/api/ai/*) keep their documented envelopes.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: { type: 'apiKey', in: 'cookie', name: 'atende_session' },
      },
    },
    paths,
  };
  return built;
}

