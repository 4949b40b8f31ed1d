import { z } from 'zod';
import { sentiments, urgencies } from './analysis';
import { tones } from './persona';
import { fieldTypes, followUpReplies } from './scripts';
import { eventTypes, type EventType } from './events';

/**
 * Every zod schema of the domain: what the API and the activities validate at the edge. The
 * workflow bundle must never import this module (zod would cost every cached conversation half
 * a megabyte); the pure modules take their types from here with `import type` only.
 */

// --- scripts and catalogs ---------------------------------------------------------------

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'lowercase letters, digits, "_" or "-"');

export const stepSchema = z
  .object({
    id: slug,
    question: z.string().trim().min(1).max(1_000),
    type: z.enum(fieldTypes),
    options: z.array(z.string().trim().min(1).max(120)).min(2).max(30).optional(),
    required: z.boolean().default(true),
    /** A short name for summaries ("CPF", "mês da parcela"); derived from the question when absent. */
    label: z.string().trim().min(1).max(60).optional(),
    /** Why the business asks this, said when the customer asks ("por que precisa do CPF?"). */
    why: z.string().trim().min(1).max(500).optional(),
    /** The customer's words for each option: `{ "colisão": ["batida", "bateram"] }`. */
    synonyms: z.record(z.string().max(120), z.array(z.string().trim().min(1).max(80)).max(30)).optional(),
    /**
     * A tool run as soon as this step is answered, whose result fills later steps so they are not
     * asked: `{ "tool": "<tool id>", "fill": { "apolice": "{{response.policy.number}}" } }` (an http
     * tool's `response`, a calculator's `result`; a filled value must pass its step's validation).
     */
    lookup: z
      .object({
        tool: z.string().uuid(),
        fill: z.record(slug, z.string().trim().min(1).max(500)).refine((fill) => Object.keys(fill).length > 0, 'name at least one step to fill'),
      })
      .strict()
      .optional(),
  })
  .refine((step) => step.type !== 'choice' || step.options !== undefined, {
    message: 'a choice step needs at least two options',
    path: ['options'],
  });

/** A registered webhook endpoint (its id) that receives the collected answers as `script.completed`. */
const completionWebhook = z.string().uuid().optional();
/** Tools (/api/v2/agents/{id}/tools) run when the customer confirms the answers, in order. */
const completionTools = z.array(z.string().uuid()).max(5).optional();
export const completionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('resolve'), message: z.string().min(1).max(1_000).optional(), webhook: completionWebhook, tools: completionTools }),
  z.object({ action: z.literal('escalate'), message: z.string().min(1).max(1_000).optional(), webhook: completionWebhook, tools: completionTools }),
]);

export const scriptFollowUpSchema = z
  .object({
    /** Working time after the resolution (the first) or after the previous follow-up: "30m", "2h", "3d". */
    after: z.string().regex(/^\s*\d+\s*(m|h|d)\s*$/, 'a duration such as "30m", "2h" or "3d"'),
    message: z.string().trim().min(1).max(1_000),
    onReply: z.enum(followUpReplies).default('match'),
  })
  .strict();

export const scriptInputSchema = z
  .object({
    id: slug,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2_000).default(''),
    examples: z.array(z.string().trim().min(1).max(500)).max(500).default([]),
    steps: z.array(stepSchema).min(1).max(50),
    onComplete: completionSchema.default({ action: 'resolve' }),
    /** Check-ins after a resolution by this script, in order; the business's default check-in when empty. */
    followUps: z.array(scriptFollowUpSchema).max(5).default([]),
    active: z.boolean().default(true),
  })
  .refine((script) => new Set(script.steps.map((step) => step.id)).size === script.steps.length, {
    message: 'step ids must be unique',
    path: ['steps'],
  })
  .superRefine((script, context) => {
    // a lookup fills steps that come after its own, never itself or an earlier one
    script.steps.forEach((step, index) => {
      for (const target of Object.keys(step.lookup?.fill ?? {})) {
        if (script.steps.findIndex((other) => other.id === target) <= index) {
          context.addIssue({ code: 'custom', message: `"${target}" is not a step after "${step.id}"`, path: ['steps', index, 'lookup', 'fill', target] });
        }
      }
    });
  });

export const catalogSchema = z.object({
  format: z.literal('script-catalog/v1'),
  business: z
    .object({
      name: z.string().min(1).max(120),
      type: z.string().max(60).optional(),
      tone: z.string().max(40).optional(),
      timezone: z.string().max(64).refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as America/Sao_Paulo').optional(),
      workingHours: z
        .object({
          start: z.string().max(5),
          end: z.string().max(5),
          workDays: z.array(z.number().int().min(0).max(7)).max(7),
          intervals: z.array(z.object({ start: z.string().max(5), end: z.string().max(5) })).max(10).optional(),
          holidays: z.array(z.string().max(10)).max(366).optional(),
        })
        .optional(),
    })
    .passthrough()
    .optional(),
  fieldTypes: z.record(z.string().max(40), z.string().max(500)).optional(),
  scripts: z.array(scriptInputSchema).max(500),
});

// --- escalation policy ------------------------------------------------------------------

export const escalationPolicySchema = z
  .object({
    /** Escalate after collection when the analysis rates urgency at or above this; "never" turns the rule off. */
    urgencyAtLeast: z.enum(['medium', 'high', 'critical', 'never']).default('high'),
    /** A complaint told with negative sentiment goes to a person instead of being closed by the bot. */
    negativeComplaints: z.boolean().default(true),
    /** "Quero falar com um atendente" hands over at once, whatever the bot was doing. */
    humanRequest: z.boolean().default(true),
    /** Demands the bot could not place, in a row, before a person takes over. */
    maxMatchMisses: z.number().int().min(1).max(10).default(2),
    /** Invalid answers to one question before a person takes over. */
    maxAttemptsPerStep: z.number().int().min(1).max(10).default(3),
    /** Ids of action prompts whose conditions, when they hold for a customer message, escalate the conversation. */
    escalateOnPrompts: z.array(z.string().min(1).max(100)).max(50).default([]),
    /** Minutes an escalation may wait unclaimed in the inbox before the customer is told what happens next. */
    claimNoticeMinutes: z.number().int().min(1).max(24 * 60).default(10),
  })
  .strict();

// --- persona: hours, FAQ, onboarding, prompt conditions ------------------------------------

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24h)');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const workingHoursSchema = z
  .object({
    start: clock,
    end: clock,
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Sao_Paulo'),
    /** 0 = Sunday … 6 = Saturday, as in JavaScript's getDay(). */
    workDays: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    /** Several openings a day ("08:00–12:00, 13:00–18:00"); `start`–`end` alone when absent. */
    intervals: z
      .array(z.object({ start: clock, end: clock }).strict().refine((interval) => interval.start < interval.end, { message: 'start must be before end', path: ['end'] }))
      .min(1)
      .max(6)
      .optional(),
    /** Days the team is off, in the business's calendar. */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).max(366).optional(),
  })
  .strict()
  .refine((hours) => hours.start < hours.end, { message: 'start must be before end', path: ['end'] });

export const faqEntrySchema = z.object({ question: z.string().trim().min(3).max(300), answer: z.string().trim().min(1).max(1_000) }).strict();

/** Every onboarding field; each is optional because the admin saves progress step by step. */
export const onboardingFieldsSchema = z
  .object({
    businessName: z.string().trim().min(1).max(120),
    businessType: z.string().trim().min(1).max(60),
    businessDescription: z.string().trim().min(1).max(1_000),
    targetAudience: z.string().trim().min(1).max(500),
    tone: z.enum(tones),
    mainProducts: z.array(z.string().trim().min(1).max(120)).max(30),
    faq: z.array(faqEntrySchema).max(100),
    workingHours: workingHoursSchema,
  })
  .partial();

export const promptConditionsSchema = z
  .object({
    triggerOnFirstMessage: z.boolean(),
    sentimentTrigger: z.enum(sentiments),
    funnelStage: z.string().trim().min(1).max(60),
    triggerOnKeywords: z.array(z.string().trim().min(1).max(60)).max(50),
    /** FOLLOW_UP prompts: working minutes after a resolution before this check-in is sent. */
    followUpAfterMinutes: z.number().int().min(1).max(60 * 24 * 30),
    /** FOLLOW_UP prompts: what the customer's reply to the check-in does. */
    onReply: z.enum(followUpReplies),
  })
  .partial()
  .strict();

// --- analysis ---------------------------------------------------------------------------

/** One schema for both engines: the offline rules and the LLM must produce exactly this. */
export const analysisSchema = z.object({
  sentiment: z.enum(sentiments),
  urgency: z.enum(urgencies),
  intent: z.string().min(1).max(80),
  topics: z.array(z.string().min(1).max(60)).max(8),
  summary: z.string().min(1).max(600),
  suggestedActions: z.array(z.object({ type: z.string().min(1).max(40), description: z.string().min(1).max(200) })).max(6),
  /** 1 (calm) … 5 (furious): how close the customer is to giving up on us. */
  frustration: z.number().int().min(1).max(5),
  analyzedAt: z.string(),
  engine: z.enum(['offline', 'llm']),
});

/** Requests per minute a tenant allows; each missing field keeps the server's default. */
export const rateLimitsSchema = z
  .object({
    startsPerClient: z.number().int().min(1).max(1_000_000),
    startsPerTenant: z.number().int().min(1).max(1_000_000),
    messagesPerClient: z.number().int().min(1).max(1_000_000),
    messagesPerTenant: z.number().int().min(1).max(1_000_000),
    staffRequestsPerUser: z.number().int().min(1).max(1_000_000),
    loginsPerClient: z.number().int().min(1).max(1_000_000),
  })
  .partial()
  .strict();

/** What each conversation event type carries in `data` (domain/events.ts). */
export const eventDataSchemas = {
  'conversation.started': z.object({ channel: z.string(), customer: z.object({}).passthrough() }),
  'message.created': z.object({
    messageId: z.string(),
    seq: z.number().int(),
    role: z.enum(['customer', 'bot', 'agent', 'system']),
    text: z.string(),
    /** A bot line's knowledge passages. */
    sources: z.array(z.object({ documentId: z.string(), title: z.string(), position: z.number().int(), heading: z.string().nullable(), score: z.number(), excerpt: z.string() })).optional(),
  }),
  'conversation.stage_changed': z.object({ from: z.string().nullable(), to: z.string(), status: z.string() }),
  'conversation.escalated': z.object({ reason: z.string(), detail: z.string().nullable(), via: z.string().nullable(), number: z.number().int().nullable() }),
  'conversation.claimed': z.object({ agentId: z.string() }),
  'conversation.handed_back': z.object({ agentId: z.string().nullable() }),
  'conversation.resolved': z.object({ protocol: z.string().nullable(), by: z.enum(['bot', 'agent']) }),
  'conversation.abandoned': z.object({ stage: z.string().nullable() }),
  'csat.received': z.object({ score: z.number().int().min(1).max(5), comment: z.string().nullable() }),
  'ticket.created': z.object({ ticketId: z.string() }),
  'analysis.updated': z.object({ sentiment: z.string(), urgency: z.string(), frustration: z.number().int().nullable(), summary: z.string() }),
  'webhook.disabled': z.object({ webhookId: z.string(), url: z.string(), description: z.string().nullable(), cause: z.enum(['gone', 'failing']), reason: z.string() }),
  'lead.captured': z.object({ leadId: z.string(), toolId: z.string().nullable(), name: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), fields: z.record(z.string(), z.string()) }),
  'tool.webhook': z.object({ toolId: z.string(), webhook: z.string(), answers: z.record(z.string(), z.string()), customer: z.object({}).passthrough(), scriptId: z.string().nullable() }),
  'script.completed': z.object({ scriptId: z.string(), version: z.number().int(), title: z.string(), answers: z.record(z.string(), z.string()), protocol: z.string().nullable(), webhook: z.string().nullable() }),
} satisfies Record<EventType, z.ZodType>;

/** An event as the stream delivers it. */
export const conversationEventSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  type: z.enum(eventTypes),
  tenantId: z.string(),
  conversationId: z.string().uuid().nullable(),
  conversationSeq: z.number().int().nullable(),
  data: z.object({}).passthrough(),
  createdAt: z.string(),
});


// --- models ----------------------------------------------------------------------------

export const providers = ['openai', 'anthropic', 'google', 'mistral', 'openai_compatible'] as const;

const modelFields = {
  name: z.string().trim().min(1).max(100),
  provider: z.enum(providers),
  /** Required for openai_compatible; the provider's OpenAI-compatible endpoint otherwise. */
  baseUrl: z.string().trim().url().max(500),
  model: z.string().trim().min(1).max(200),
  purpose: z.enum(['chat', 'embedding']),
  /** Write-only: sealed at rest, never returned. */
  apiKey: z.string().trim().min(1).max(1_000),
  /** The tenant's model for its purpose (one default per purpose). */
  isDefault: z.boolean(),
};

export const modelSchema = z
  .object({ ...modelFields, baseUrl: modelFields.baseUrl.optional(), purpose: modelFields.purpose.default('chat'), apiKey: modelFields.apiKey.optional(), isDefault: modelFields.isDefault.default(false) })
  .strict()
  .refine((model) => model.provider !== 'openai_compatible' || model.baseUrl, { message: 'required for an openai_compatible provider', path: ['baseUrl'] });

/** A change: what is given; `apiKey: null` removes the key. */
export const modelChangeSchema = z
  .object({ ...modelFields, baseUrl: modelFields.baseUrl.nullable(), apiKey: modelFields.apiKey.nullable() })
  .partial()
  .strict();

// --- tenant settings (v2) -----------------------------------------------------------------

/** An agent's id: `default` names the tenant's default agent. */
export const agentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _, up to 100');

const businessHoursSchema = z
  .object({
    start: clock,
    end: clock,
    workDays: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    intervals: z.array(z.object({ start: clock, end: clock }).strict()).min(1).max(6).optional(),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).max(366).optional(),
  })
  .strict()
  .refine((hours) => hours.start < hours.end, { message: 'start must be before end', path: ['end'] });

/**
 * The tenant's settings in one validated document (GET/PATCH /api/v2/settings). The server's
 * environment gives the defaults; what a tenant sets here wins for its new conversations.
 */
export const tenantSettingsSchema = z
  .object({
    /** The agent a conversation gets when it names none. */
    defaultAgent: agentIdSchema,
    business: z
      .object({
        name: z.string().trim().min(1).max(120),
        timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Sao_Paulo'),
        /** Null: the team answers at any hour. */
        workingHours: businessHoursSchema.nullable(),
      })
      .strict(),
    escalation: escalationPolicySchema,
    csat: z.object({ enabled: z.boolean() }).strict(),
    followUp: z.object({ delayMinutes: z.number().int().min(1).max(43_200), closeAfterHours: z.number().int().min(1).max(720) }).strict(),
    limits: rateLimitsSchema,
    learning: z.object({ fromAgents: z.boolean() }).strict(),
    sla: z.object({ firstHumanResponseSeconds: z.number().int().min(1).max(30 * 86_400), resolutionSeconds: z.number().int().min(1).max(365 * 86_400) }).strict(),
    /** The only language the bot speaks today. */
    language: z.literal('pt-BR'),
    /** The tenant's default models (/api/v2/models); null: the server's (OPENAI_*). Setting one makes it the default. */
    defaultModels: z.object({ chat: z.string().uuid().nullable(), embedding: z.string().uuid().nullable() }).strict(),
    /** Closed conversations are deleted this many days after they close (their transcript, events, deliveries); null keeps them. */
    retention: z.object({ closedConversationDays: z.number().int().min(7).max(3_650).nullable() }).strict(),
  })
  .strict();
export type TenantSettingsDocument = z.infer<typeof tenantSettingsSchema>;

/** A change to the settings: any sections, each with any of its fields (working hours replaced whole). */
export const tenantSettingsPatchSchema = z
  .object({
    defaultAgent: agentIdSchema,
    business: z.object({ name: z.string(), timezone: z.string(), workingHours: z.unknown() }).partial().strict(),
    escalation: z.object({}).passthrough(),
    csat: z.object({ enabled: z.boolean() }).partial().strict(),
    followUp: z.object({ delayMinutes: z.number(), closeAfterHours: z.number() }).partial().strict(),
    limits: z.object({}).passthrough(),
    learning: z.object({ fromAgents: z.boolean() }).partial().strict(),
    sla: z.object({ firstHumanResponseSeconds: z.number(), resolutionSeconds: z.number() }).partial().strict(),
    language: z.string(),
    defaultModels: z.object({ chat: z.string().nullable(), embedding: z.string().nullable() }).partial().strict(),
    retention: z.object({ closedConversationDays: z.number().nullable() }).partial().strict(),
  })
  .partial()
  .strict();

// --- agents ---------------------------------------------------------------------------------

const collectionName = z.string().trim().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, - and _, up to 60');

const agentFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(500).nullable(),
  /** The onboarding instance whose persona, tone and FAQ the agent speaks with; the tenant's latest when null. */
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).nullable(),
  /** A chat model of /api/v2/models; the tenant's default when null. */
  model: z.string().uuid().nullable(),
  /** The scripts the agent may start: "all", or these ids. */
  scripts: z.union([z.literal('all'), z.array(z.string().trim().min(1).max(80)).max(200)]),
  /** The knowledge collections it answers from: "all", or these. */
  collections: z.union([z.literal('all'), z.array(collectionName).max(50)]),
  /** The only language the bot speaks today. */
  language: z.literal('pt-BR'),
  /** Escalation rules that differ from the tenant's (each field overrides). */
  escalation: z
    .object({
      urgencyAtLeast: z.enum(['medium', 'high', 'critical', 'never']),
      negativeComplaints: z.boolean(),
      humanRequest: z.boolean(),
      maxMatchMisses: z.number().int().min(1).max(10),
      maxAttemptsPerStep: z.number().int().min(1).max(10),
    })
    .partial()
    .strict()
    .nullable(),
};

export const agentConfigSchema = z.object(agentFields).strict();
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export const defaultAgentConfig = (name: string): AgentConfig => ({ name, description: null, instanceId: null, model: null, scripts: 'all', collections: 'all', language: 'pt-BR', escalation: null });

export const agentCreateSchema = z
  .object({ id: agentIdSchema.optional(), ...agentFields })
  .partial()
  .required({ name: true })
  .strict();
export const agentChangeSchema = z.object(agentFields).partial().strict();

// --- agent tools ----------------------------------------------------------------------------

const templateText = z.string().max(4_000);
const httpConfig = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    /** `{{answers.cpf}}`, `{{customer.email}}`… are filled (URL-encoded) from the conversation. */
    url: z.string().trim().min(1).max(2_000),
    /** Values may use `{{secrets.NAME}}` (the tool's write-only secrets). */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), templateText).default({}),
    /** JSON whose string leaves are templates; a leaf that is one placeholder keeps the value's type. */
    body: z.unknown().optional(),
    /** What the bot says with the response (`{{response.field}}`); nothing when absent. */
    say: templateText.optional(),
    timeoutMs: z.number().int().min(500).max(15_000).default(10_000),
  })
  .strict();

export const toolTypes = ['http', 'search', 'calculator', 'lead_capture', 'form', 'webhook'] as const;

export const toolDefinitionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('http'), config: httpConfig }),
  z.object({
    type: z.literal('search'),
    config: z
      .object({
        /** The question: the customer's last message by default. */
        query: templateText.default('{{text}}'),
        collection: z.string().trim().regex(/^[A-Za-z0-9_-]{1,60}$/).optional(),
      })
      .strict(),
  }),
  z.object({
    type: z.literal('calculator'),
    config: z
      .object({
        /** Over the script's answers by step id: "parcela * 12 * (1 + juros / 100)". */
        expression: z.string().trim().min(1).max(500),
        say: templateText.default('O resultado é {{result}}.'),
        decimals: z.number().int().min(0).max(6).default(2),
      })
      .strict(),
  }),
  z.object({
    type: z.literal('lead_capture'),
    config: z
      .object({
        /** Templates for the lead's contact; the customer's own and the answers' e-mail/phone by default. */
        name: templateText.optional(),
        email: templateText.optional(),
        phone: templateText.optional(),
        say: templateText.optional(),
      })
      .strict()
      .default({}),
  }),
  z.object({
    type: z.literal('form'),
    config: z.object({ title: z.string().trim().min(1).max(120), steps: z.array(stepSchema).min(1).max(20) }).strict(),
  }),
  z.object({ type: z.literal('webhook'), config: z.object({ webhookId: z.string().uuid() }).strict() }),
]);
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

const toolCommon = {
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(500).optional(),
  /** Write-only values an http tool's headers use as `{{secrets.NAME}}`. */
  secrets: z.record(z.string().regex(/^[A-Za-z0-9_]{1,60}$/), z.string().min(1).max(2_000)).optional(),
  active: z.boolean().default(true),
};

/** A tool as an admin writes it: its name and secrets, and its type's configuration. */
export const toolSchema = z.discriminatedUnion(
  'type',
  toolDefinitionSchema.options.map((option) => option.extend(toolCommon).strict()) as unknown as [
    z.ZodObject<typeof toolCommon & { type: z.ZodLiteral<'http'>; config: typeof httpConfig }>,
    ...z.ZodObject<typeof toolCommon & { type: z.ZodLiteral<ToolDefinition['type']>; config: z.ZodType }>[],
  ],
);
export type ToolInput = z.infer<typeof toolSchema> & ToolDefinition;
