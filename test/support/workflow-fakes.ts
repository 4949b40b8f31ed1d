import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities, ComposeLineInput, LoadPersonaInput, MatchScriptInput, MatchScriptResult } from '../../activities';
import { analyzeOffline } from '../../domain/analysis';
import { answerFromFaq, faqMatcher } from '../../domain/faq';
import { DEFAULT_MATCH_THRESHOLD, ScriptMatcher } from '../../domain/matcher';
import { plainPersona, type ActionPrompt, type FaqEntry, type Persona } from '../../domain/persona';
import { type Script } from '../../domain/scripts';
import { scriptInputSchema } from '../../domain/schemas';
import { failureTypes, type ConversationInput } from '../../domain/conversation';
import { demoCatalog } from './stack';

export const demoScripts: Script[] = demoCatalog.scripts.map((script) => ({ ...scriptInputSchema.parse(script), version: 1 }));

export interface FakeOptions {
  /** Pretend the worker has Mindchat: escalations open tickets through the mindchat fakes. */
  mindchat?: Partial<Pick<Activities, MindchatActivity>>;
  persona?: Partial<Persona>;
  /** Pretend the worker has a model: composeLine answers with this function. */
  llmLine?: (input: ComposeLineInput) => string;
  /** A model is configured and answers off-script questions the FAQ does not cover like this. */
  modelAnswer?: (text: string) => FaqEntry | null;
  /** The catalog the matcher and loadScript see; the demo catalog by default. */
  scripts?: Script[];
}

/** Activities as jest mocks over the real pure logic, so tests assert calls without Postgres. */
export function fakeActivities(options: FakeOptions = {}) {
  const scripts = options.scripts ?? demoScripts;
  return {
    recordTurn: jest.fn<ReturnType<Activities['recordTurn']>, Parameters<Activities['recordTurn']>>(async () => {}),
    matchScript: jest.fn(async ({ text, threshold, among, faq }: MatchScriptInput): Promise<MatchScriptResult> => {
      const candidates = among ? scripts.filter((script) => among.includes(script.id)) : scripts;
      const match = new ScriptMatcher(candidates, { threshold }).match(text);
      const answered = faq?.length ? answerFromFaq(faqMatcher(faq), faq, text, match) : null;
      if (answered) return { match, faq: answered, script: null };
      const script = candidates.find((script) => script.id === match.scriptId) ?? null;
      return match.verdict === 'none' ? { match, script, menu: scripts.map((entry) => entry.title) } : { match, script };
    }),
    answerFaq: jest.fn(async ({ faq, text }: { faq: FaqEntry[]; text: string }) => {
      const entry = faq.length ? answerFromFaq(faqMatcher(faq), faq, text, { scriptId: null, confidence: 0, verdict: 'none', candidates: [] }) : null;
      return entry ?? options.modelAnswer?.(text) ?? null;
    }),
    loadScript: jest.fn(async ({ scriptId }: { scriptId: string }) => scripts.find((script) => script.id === scriptId) ?? null),
    analyzeConversation: jest.fn(async (input: Parameters<Activities['analyzeConversation']>[0]) =>
      analyzeOffline({ ...input, now: new Date('2026-03-10T17:00:00Z') }),
    ),
    analyzeStoredConversation: jest.fn(async () => null),
    answerAssistant: jest.fn(async () => ({ answer: '', articleTitle: null, engine: 'offline' as const })),
    loadPersona: jest.fn(async ({ businessName }: LoadPersonaInput) => ({
      persona: { ...plainPersona(businessName), ...options.persona },
      llm: options.llmLine !== undefined || options.modelAnswer !== undefined,
      helpdesk: options.mindchat ? ('mindchat' as const) : ('inbox' as const),
    })),
    composeLine: jest.fn(async (input: ComposeLineInput) => options.llmLine?.(input) ?? input.fallback),
    escalateToInbox: jest.fn(async () => {}),
    findOrCreateMindchatCustomer: jest.fn(options.mindchat?.findOrCreateMindchatCustomer ?? notConfigured),
    openMindchatTicket: jest.fn(options.mindchat?.openMindchatTicket ?? notConfigured),
    postMindchatTranscript: jest.fn(options.mindchat?.postMindchatTranscript ?? notConfigured),
    relayToMindchat: jest.fn(options.mindchat?.relayToMindchat ?? notConfigured),
    pollMindchatTicket: jest.fn(options.mindchat?.pollMindchatTicket ?? notConfigured),
    closeMindchatTicket: jest.fn(options.mindchat?.closeMindchatTicket ?? notConfigured),
    // conversation workflows never deliver webhooks
    dispatchWebhookEvents: jest.fn(async () => ({ deliveries: [], more: false })),
    attemptWebhookDelivery: jest.fn(async () => 'skipped' as const),
    // nor index documents
    indexKnowledgeDocument: jest.fn(async () => ({ passages: 0 })),
    failKnowledgeDocument: jest.fn(async () => undefined),
    // no tools: scripts here name none
    runTool: jest.fn(async () => ({ ok: false as const, name: null, type: null, error: 'no tools in workflow tests' })),
    purgeExpiredConversations: jest.fn(async () => []),
  } satisfies Activities;
}

type MindchatActivity =
  | 'findOrCreateMindchatCustomer'
  | 'openMindchatTicket'
  | 'postMindchatTranscript'
  | 'relayToMindchat'
  | 'pollMindchatTicket'
  | 'closeMindchatTicket';

async function notConfigured(): Promise<never> {
  throw ApplicationFailure.nonRetryable('Mindchat is not configured in this test', failureTypes.mindchatNotConfigured);
}

export function input(overrides: Partial<ConversationInput['settings']> = {}): ConversationInput {
  return {
    conversationId: randomUUID(),
    tenantId: 'demo',
    channel: 'web',
    customer: { name: 'Maria Souza' },
    settings: {
      businessName: 'Segurozinho',
      timeZone: 'America/Sao_Paulo',
      followUpDelayMs: 3_600_000,
      closeAfterFollowUpMs: 86_400_000,
      matchThreshold: DEFAULT_MATCH_THRESHOLD,
      ...overrides,
    },
  };
}


export const prompt = (overrides: Partial<ActionPrompt> & Pick<ActionPrompt, 'actionType'>): ActionPrompt => ({
  id: randomUUID(),
  name: overrides.actionType.toLowerCase(),
  prompt: 'Seja breve.',
  isActive: true,
  priority: 1,
  conditions: {},
  ...overrides,
});
