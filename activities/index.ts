import { log } from '@temporalio/activity';
import type pg from 'pg';
import { analyzeOffline, type Analysis } from '../domain/analysis';
import { ScriptMatcher, type MatchResult } from '../domain/matcher';
import { llmMatch, type LlmClient } from './llm';
import type { Script } from '../domain/scripts';
import { activeScripts, enqueueInboxItem, recordTurn, type InboxItemInput, type StoredMessage } from '../db/store';
import { conversationWorkflowId, type ConversationState } from '../workflows/definitions';

export interface ActivityDeps {
  db: pg.Pool;
  clock?: () => Date;
  /** Set when OPENAI_API_KEY is configured; matching then asks the model among the offline top candidates. */
  llm?: LlmClient;
  /** Where LLM fallbacks are reported; the worker's logger by default. */
  warn?: (message: string) => void;
}

/** An offline match this sure is not worth a model call. */
const SURE_ENOUGH_OFFLINE = 0.98;
const LLM_CANDIDATES = 5;
/** Indexed catalogs kept per worker; building one costs milliseconds, matching microseconds. */
const MATCHER_CACHE_SIZE = 100;

export interface RecordTurnInput {
  state: ConversationState;
  messages: StoredMessage[];
}

export interface MatchScriptInput {
  tenantId: string;
  text: string;
  threshold: number;
  /** Match only among these scripts: the customer is picking from options we offered. */
  among?: string[];
}

export interface MatchScriptResult {
  match: MatchResult;
  /** The matched script as stored now; the conversation keeps this version. */
  script: Script | null;
}

export interface LoadScriptInput {
  tenantId: string;
  scriptId: string;
}

export interface AnalyzeConversationInput {
  customerMessages: string[];
  scriptTitle?: string;
  answers: Record<string, string>;
}

export function createActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  const warn =
    deps.warn ??
    ((message: string) => {
      try {
        log.warn(message);
      } catch {
        console.warn(message); // called outside an activity (a script or a test)
      }
    });
  const matchers = new Map<string, ScriptMatcher>();

  /**
   * The matcher for exactly these script versions, built once: an edit makes a new version,
   * so a changed catalog gets a new key and never a stale index.
   */
  function matcherFor(tenantId: string, scripts: readonly Script[], threshold: number): ScriptMatcher {
    const key = `${tenantId}|${threshold}|${scripts.map((script) => `${script.id}@${script.version}`).join(',')}`;
    let matcher = matchers.get(key);
    if (!matcher) {
      matcher = new ScriptMatcher(scripts, { threshold });
      if (matchers.size >= MATCHER_CACHE_SIZE) matchers.delete(matchers.keys().next().value!);
      matchers.set(key, matcher);
    }
    return matcher;
  }

  return {
    async recordTurn(input: RecordTurnInput): Promise<void> {
      await recordTurn(deps.db, input.state, input.messages, conversationWorkflowId(input.state.conversationId));
    },

    async matchScript(input: MatchScriptInput): Promise<MatchScriptResult> {
      const all = await activeScripts(deps.db, input.tenantId);
      const scripts = input.among ? all.filter((script) => input.among!.includes(script.id)) : all;
      const offline = { ...matcherFor(input.tenantId, scripts, input.threshold).match(input.text, LLM_CANDIDATES), source: 'offline' as const };
      let match: MatchResult = { ...offline, candidates: offline.candidates.slice(0, 3) };
      if (deps.llm && offline.candidates.length && !(offline.verdict === 'confident' && offline.confidence >= SURE_ENOUGH_OFFLINE)) {
        try {
          const candidates = offline.candidates.map((candidate) => scripts.find((script) => script.id === candidate.scriptId)!);
          match = llmMatch(await deps.llm.chooseScript({ text: input.text, candidates }), offline, input.threshold);
        } catch (error) {
          // Any model failure (timeout, bad JSON, a script it was not offered) keeps the offline answer.
          warn(`LLM matcher failed, using the offline match: ${(error as Error).name}: ${(error as Error).message}`);
          match = { ...match, reason: `llm_failed: ${(error as Error).message.slice(0, 120)}` };
        }
      }
      return { match, script: scripts.find((script) => script.id === match.scriptId) ?? null };
    },

    /** The script's active version, for a customer's pick or an agent's override. */
    async loadScript(input: LoadScriptInput): Promise<Script | null> {
      const scripts = await activeScripts(deps.db, input.tenantId);
      return scripts.find((script) => script.id === input.scriptId) ?? null;
    },

    async analyzeConversation(input: AnalyzeConversationInput): Promise<Analysis> {
      return analyzeOffline({ ...input, now: clock() });
    },

    async escalateToInbox(input: InboxItemInput): Promise<void> {
      await enqueueInboxItem(deps.db, input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
