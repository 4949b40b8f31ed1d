import type pg from 'pg';
import { analyzeOffline, type Analysis } from '../domain/analysis';
import { ScriptMatcher, type MatchResult } from '../domain/matcher';
import type { Script } from '../domain/scripts';
import { activeScripts, enqueueInboxItem, recordTurn, type InboxItemInput, type StoredMessage } from '../db/store';
import { conversationWorkflowId, type ConversationState } from '../workflows/definitions';

export interface ActivityDeps {
  db: pg.Pool;
  clock?: () => Date;
}

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
  return {
    async recordTurn(input: RecordTurnInput): Promise<void> {
      await recordTurn(deps.db, input.state, input.messages, conversationWorkflowId(input.state.conversationId));
    },

    async matchScript(input: MatchScriptInput): Promise<MatchScriptResult> {
      const all = await activeScripts(deps.db, input.tenantId);
      const scripts = input.among ? all.filter((script) => input.among!.includes(script.id)) : all;
      const match = new ScriptMatcher(scripts, { threshold: input.threshold }).match(input.text);
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
