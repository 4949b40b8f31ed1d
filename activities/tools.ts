import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Embedder, FunctionTool } from '../adapters/llm';
import { searchKnowledge } from '../db/knowledge';
import { announceToolWebhook, captureLead, listTools, recordToolCall, toolForCall, type Tool } from '../db/tools';
import { findWebhook } from '../db/webhooks';
import { sourceOf, type Source } from '../domain/knowledge';
import { evaluate, expressionNames, ExpressionError, formatNumber, lookup, parseExpression, placeholders, render, renderJson, type TemplateContext } from '../domain/tools';
import type { Script } from '../domain/scripts';
import { publicUrlProblem } from '../lib/public-url';
import { toolCalls } from '../lib/metrics';
import type { SecretBox } from '../lib/secrets';

export interface ToolDeps {
  db: pg.Pool;
  secrets?: SecretBox | undefined;
  embedderFor(tenantId: string): Promise<Embedder | undefined>;
  /** Tools may call private addresses (WEBHOOKS_ALLOW_PRIVATE; tests call 127.0.0.1). */
  webhooksAllowPrivate?: boolean | undefined;
}

export interface RunToolInput {
  /** conversation + tool + turn: the call's id in the log, the idempotency key an http tool sends. */
  callId: string;
  tenantId: string;
  conversationId: string;
  toolId: string;
  /** The script's answers by step id, with their labels. */
  answers: Record<string, string>;
  labels: Record<string, string>;
  customer: { name?: string; email?: string; phone?: string };
  scriptId: string | null;
  /** The customer's last message. */
  text: string;
  /** A step's lookup: templates over the tool's result (`response`, `result`) for the steps it fills. */
  fill?: Record<string, string>;
}

export type RunToolResult =
  | { ok: true; name: string; type: Tool['type']; say?: string; sources?: Source[]; form?: Script; filled?: Record<string, string> }
  | { ok: false; name: string | null; type: Tool['type'] | null; error: string };

const RESPONSE_KEPT = 2_000;

/**
 * The values a step's lookup takes from a tool's result: each template over the call's context
 * with the http tool's response body as `response` (its whole output for other types) and a
 * calculator's `result`. Empty values are left out: those steps are asked.
 */
function filledFrom(fill: Record<string, string>, context: TemplateContext, output: unknown): Record<string, string> {
  const result = output as { body?: unknown; result?: unknown } | undefined;
  const scope = { ...context, response: result && 'body' in result ? result.body : output, result: result?.result };
  return Object.fromEntries(
    Object.entries(fill)
      .map(([stepId, template]) => [stepId, render(template, scope).trim().slice(0, 1_000)] as const)
      .filter(([, value]) => value !== ''),
  );
}

/** A failure the customer hears about, not one worth retrying. */
class ToolFailure extends Error {
  override name = 'ToolFailure';
}

/**
 * Runs agent tools: `runTool` is the activity a script's completion calls; `functionsFor` hands
 * the same tools to a model's function calling from inside another activity.
 */
export function createToolRunner(deps: ToolDeps) {
  /** One HTTP call; GET, PUT and DELETE are tried up to three times, POST and PATCH once (with an Idempotency-Key). */
  async function http(tool: Extract<Tool, { type: 'http' }>, context: TemplateContext, secrets: Record<string, string>, callId: string) {
    const { config } = tool;
    const url = render(config.url, context, encodeURIComponent);
    const problem = await publicUrlProblem(url, deps.webhooksAllowPrivate ?? false);
    if (problem) throw new ToolFailure(`url: ${problem}`);
    const headers: Record<string, string> = { 'user-agent': 'Atende-Tools/1', 'idempotency-key': callId };
    for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = render(value, { ...context, secrets });
    const body = config.body === undefined || config.method === 'GET' || config.method === 'DELETE' ? undefined : JSON.stringify(renderJson(config.body, context));
    if (body) headers['content-type'] ??= 'application/json';
    const attempts = config.method === 'POST' || config.method === 'PATCH' ? 1 : 3;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, { method: config.method, headers, redirect: 'manual', signal: AbortSignal.timeout(config.timeoutMs), ...(body ? { body } : {}) });
        const raw = (await response.text()).slice(0, 100_000);
        let parsed: unknown = raw;
        try {
          parsed = JSON.parse(raw);
        } catch {
          // a text answer stays text
        }
        if (response.ok) return { status: response.status, body: parsed };
        last = `the service answered ${response.status}`;
        if (response.status < 500) break;
      } catch (error) {
        last = (error as Error).name === 'TimeoutError' ? `no answer within ${config.timeoutMs / 1000} s` : (error as Error).message;
      }
    }
    throw new ToolFailure(last);
  }

  async function run(tool: Tool, input: RunToolInput, context: TemplateContext, secrets: Record<string, string>): Promise<Omit<Extract<RunToolResult, { ok: true }>, 'ok' | 'name' | 'type'> & { output?: unknown }> {
    switch (tool.type) {
      case 'http': {
        const response = await http(tool, context, secrets, input.callId);
        const say = tool.config.say ? render(tool.config.say, { ...context, response: response.body }) : undefined;
        return { ...(say ? { say } : {}), output: { status: response.status, body: typeof response.body === 'string' ? response.body.slice(0, RESPONSE_KEPT) : response.body } };
      }
      case 'calculator': {
        let result: number;
        try {
          result = evaluate(parseExpression(tool.config.expression), (name) => lookup(context, `args.${name}`) ?? lookup(context, name) ?? input.answers[name]);
        } catch (error) {
          if (error instanceof ExpressionError) throw new ToolFailure(error.message);
          throw error;
        }
        if (!Number.isFinite(result)) throw new ToolFailure('the result is not a number');
        return { say: render(tool.config.say, { ...context, result: formatNumber(result, tool.config.decimals) }), output: { result } };
      }
      case 'search': {
        const query = typeof lookup(context, 'args.query') === 'string' ? String(lookup(context, 'args.query')) : render(tool.config.query, context);
        const { hits } = await searchKnowledge({ db: deps.db, embedder: await deps.embedderFor(input.tenantId) }, input.tenantId, query, 1, tool.config.collection ? [tool.config.collection] : undefined);
        const best = hits[0];
        if (!best) return { output: { hits: 0 } };
        const source = sourceOf(best, query);
        return { say: `Segundo o documento “${best.title}”: ${source.excerpt}`, sources: [source], output: { hits: hits.length, documentId: best.documentId, position: best.position } };
      }
      case 'lead_capture': {
        const filled = (template: string | undefined, fallback: string | undefined) => (template ? render(template, context) : fallback)?.trim() || null;
        const fields = Object.fromEntries(Object.entries(input.answers).map(([step, value]) => [input.labels[step] ?? step, value]));
        const lead = await captureLead(deps.db, input.tenantId, {
          conversationId: input.conversationId,
          toolId: tool.id,
          name: filled(tool.config.name, input.customer.name),
          email: filled(tool.config.email, input.customer.email ?? Object.values(input.answers).find((value) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))),
          phone: filled(tool.config.phone, input.customer.phone),
          fields,
        });
        const say = tool.config.say ? render(tool.config.say, context) : undefined;
        return { ...(say ? { say } : {}), output: { leadId: lead.id } };
      }
      case 'webhook': {
        const endpoint = await findWebhook(deps.db, input.tenantId, tool.config.webhookId);
        if (!endpoint) throw new ToolFailure('the webhook endpoint no longer exists');
        await announceToolWebhook(deps.db, input.tenantId, input.callId, input.conversationId, {
          toolId: tool.id,
          webhook: endpoint.id,
          answers: input.answers,
          customer: input.customer,
          scriptId: input.scriptId,
        });
        return { output: { webhookId: endpoint.id, queued: true } };
      }
      case 'form': {
        // the form's fields become a script the conversation collects next
        const form: Script = {
          id: `form-${tool.id}`.slice(0, 80),
          version: 1,
          title: tool.config.title,
          description: tool.description ?? tool.config.title,
          examples: [],
          steps: tool.config.steps,
          onComplete: { action: 'resolve' },
          followUps: [],
          active: true,
        } as Script;
        return { form, output: { steps: tool.config.steps.length } };
      }
    }
  }

  /** The parameters a model fills to call a tool: the search's query, the expression's variables, the http tool's `{{args.*}}`. */
  function parametersOf(tool: Tool): z.ZodObject | null {
    switch (tool.type) {
      case 'search':
        return z.object({ query: z.string().describe('what to look up in the knowledge base') });
      case 'calculator':
        return z.object(Object.fromEntries(expressionNames(parseExpression(tool.config.expression)).map((name) => [name, z.number()])));
      case 'http': {
        const used = [tool.config.url, ...Object.values(tool.config.headers), JSON.stringify(tool.config.body ?? null)].flatMap(placeholders).filter((path) => path.startsWith('args.'));
        return z.object(Object.fromEntries([...new Set(used)].map((path) => [path.slice('args.'.length), z.string()])));
      }
      default:
        // lead capture, webhooks and forms belong to a script's completion, not to a model's whim
        return null;
    }
  }

  /**
   * One call of a tool, whoever asked for it (a script's completion, a step's lookup, a model):
   * its secrets opened, the call run and recorded in its log and metrics. A failure the customer
   * should hear about is an outcome, its message with every secret value masked; anything else
   * (the database) is thrown.
   */
  async function execute(found: NonNullable<Awaited<ReturnType<typeof toolForCall>>>, input: RunToolInput, context: TemplateContext, logged: Record<string, unknown>) {
    const { tool } = found;
    const started = Date.now();
    const log = { id: input.callId, toolId: tool.id, conversationId: input.conversationId, type: tool.type, input: logged };
    let secrets: Record<string, string> = {};
    try {
      if (Object.keys(found.sealedSecrets).length) {
        if (!deps.secrets) throw new ToolFailure("no secret keys to open the tool's secrets");
        secrets = Object.fromEntries(Object.entries(found.sealedSecrets).map(([name, sealed]) => [name, deps.secrets!.open(sealed)]));
      }
      const { output, ...said } = await run(tool, input, context, secrets);
      await recordToolCall(deps.db, input.tenantId, { ...log, status: 'succeeded', output: output ?? null, error: null, durationMs: Date.now() - started });
      toolCalls.inc({ type: tool.type, outcome: 'succeeded' });
      return { ok: true as const, output, said };
    } catch (error) {
      if (!(error instanceof ToolFailure) && !(error instanceof Error && /secret/i.test(error.name))) throw error;
      // a secret's value never reaches the log: only the failure's words
      const message = Object.values(secrets).reduce((text, value) => (value ? text.split(value).join('***') : text), error.message);
      await recordToolCall(deps.db, input.tenantId, { ...log, status: 'failed', output: null, error: message, durationMs: Date.now() - started });
      toolCalls.inc({ type: tool.type, outcome: 'failed' });
      return { ok: false as const, error: message };
    }
  }

  return {
    /**
     * The agent's tools a model may call while it answers (search, calculator, http), as OpenAI
     * functions, and the runner that executes and logs each call.
     */
    async functionsFor(tenantId: string, agentId: string, conversationId: string): Promise<{ specs: FunctionTool[]; call(name: string, args: Record<string, unknown>): Promise<string> }> {
      const tools = (await listTools(deps.db, tenantId, agentId)).filter((tool) => tool.active);
      const offered: { spec: FunctionTool; tool: Tool }[] = [];
      for (const tool of tools) {
        let parameters: z.ZodObject | null;
        try {
          parameters = parametersOf(tool);
        } catch {
          continue;
        }
        if (!parameters) continue;
        const base = `${tool.type}_${tool.name.normalize('NFD').replace(/[^A-Za-z0-9]+/g, '_')}`.slice(0, 56);
        const name = offered.some((entry) => entry.spec.name === base) ? `${base}_${offered.length}` : base;
        const { $schema: _dialect, ...schema } = z.toJSONSchema(parameters) as Record<string, unknown>;
        offered.push({ tool, spec: { name, description: (tool.description ?? tool.name).slice(0, 500), parameters: schema } });
      }
      return {
        specs: offered.map((entry) => entry.spec),
        async call(name, args) {
          const entry = offered.find((candidate) => candidate.spec.name === name)!;
          const found = await toolForCall(deps.db, tenantId, entry.tool.id);
          if (!found) return 'error: the tool no longer exists';
          const input: RunToolInput = { callId: `${conversationId}:${entry.tool.id}:model:${randomUUID()}`, tenantId, conversationId, toolId: entry.tool.id, answers: {}, labels: {}, customer: {}, scriptId: null, text: '' };
          try {
            const outcome = await execute(found, input, { args }, { args });
            if (!outcome.ok) return `error: ${outcome.error}`;
            return JSON.stringify({ result: outcome.output ?? null, ...(outcome.said.say ? { say: outcome.said.say } : {}) });
          } catch (error) {
            return `error: ${(error as Error).message}`;
          }
        },
      };
    },

    /**
     * Runs one of the agent's tools for a conversation and records the call. A failure the
     * customer should hear about (a service that did not answer, an expression that does not
     * compute) is a result, `ok: false`, not an error: the conversation goes on. Database
     * trouble is an error, retried by Temporal.
     */
    async runTool(input: RunToolInput): Promise<RunToolResult> {
      const found = await toolForCall(deps.db, input.tenantId, input.toolId);
      if (!found || !found.tool.active) return { ok: false, name: found?.tool.name ?? null, type: found?.tool.type ?? null, error: 'the tool does not exist or is inactive' };
      const { tool } = found;
      const context: TemplateContext = { answers: input.answers, customer: input.customer, text: input.text, script: { id: input.scriptId }, conversation: { id: input.conversationId } };
      const outcome = await execute(found, input, context, { answers: input.answers, scriptId: input.scriptId });
      if (!outcome.ok) return { ok: false, name: tool.name, type: tool.type, error: outcome.error };
      return { ok: true, name: tool.name, type: tool.type, ...outcome.said, ...(input.fill ? { filled: filledFrom(input.fill, context, outcome.output) } : {}) };
    },
  };
}
