import type { Source } from './knowledge';
import type { Analysis, Sentiment } from '../domain/analysis';
import type { EscalationPolicy } from '../domain/escalation';
import type { Persona, WorkingHours } from '../domain/persona';
import type { PlannedFollowUp } from '../domain/aftercare';
import type { FollowUpReply, Script } from '../domain/scripts';

/**
 * What a conversation is, shared by every layer: the workflow keeps a ConversationState, the
 * activities write it to Postgres, the API reads it back. Types and constants only, so the
 * workflow bundle stays small (no zod, no tables).
 */

/** The workflow id of a conversation; activities need it for links, so it lives here, not in workflows/. */
export function conversationWorkflowId(conversationId: string): string {
  return `conversation-${conversationId}`;
}

export const stages = [
  'greeting',
  'identifying',
  'clarifying',
  'collecting',
  'confirming',
  'analyzing',
  'escalated',
  /** An agent holds the conversation: the bot stays quiet and customer messages go to the agent. */
  'with_agent',
  'resolved',
  /** Asked the customer for a 1–5 satisfaction score, once. */
  'rating',
  /** Left a question unanswered: closed as abandoned, and resumed where it stopped if the customer comes back in time. */
  'abandoned',
  'closed',
] as const;
export type Stage = (typeof stages)[number];

/** The outcome so far; it stays "resolved" or "escalated" after the conversation closes. */
export const statuses = ['active', 'escalated', 'resolved', 'abandoned'] as const;
export type Status = (typeof statuses)[number];

export interface Customer {
  name?: string;
  email?: string;
  phone?: string;
  externalId?: string;
}

/** One line of the transcript, as the workflow writes it and Postgres keeps it. */
export interface StoredMessage {
  id: string;
  seq: number;
  role: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  clientMessageId: string | null;
  createdAt: string;
  /** A bot line's knowledge passages, kept with the transcript. */
  sources?: Source[];
}

export interface ConversationSettings {
  businessName: string;
  timeZone: string;
  /** Quiet time after resolution before the bot checks in with the customer. */
  followUpDelayMs: number;
  /** Quiet time after the follow-up before the conversation closes. */
  closeAfterFollowUpMs: number;
  /** Matches below this confidence count as "no script fits". */
  matchThreshold: number;
  /** When the conversation goes to a person; the default policy when absent (conversations started before policies). */
  escalation?: EscalationPolicy;
  /** The business's hours from its catalog; an onboarding's hours take precedence. */
  workingHours?: WorkingHours | null;
  /** Nudge, then abandon, a customer who leaves a question unanswered; absent for conversations started before. */
  inactivity?: InactivitySettings | null;
  /** Ask for a 1–5 satisfaction score once after a resolution. */
  csat?: boolean;
  /** Continue as new past this many history events even if the server has not suggested it yet. */
  maxHistoryEvents?: number;
}

export interface InactivitySettings {
  /** Silence after the bot's question before it asks again. */
  nudgeAfterMs: number;
  /** Further silence after the nudge before the conversation closes as abandoned. */
  abandonAfterMs: number;
  /** How long an abandoned conversation waits for the customer to come back and resume. */
  resumeWithinMs: number;
}

export interface ConversationInput {
  conversationId: string;
  tenantId: string;
  channel: string;
  customer: Customer;
  settings: ConversationSettings;
  /** The channel instance (a WhatsApp number, a widget) whose onboarding shapes the bot; the tenant's latest when omitted. */
  instanceId?: string;
  /** The agent (/api/v2/agents) whose profile the conversation keeps: its scripts, knowledge and model. */
  agentId?: string;
  /** What a conversation that continued as new carries over from its previous run. */
  carried?: CarriedState;
}

/** The compact state a long conversation hands to its next run. */
export interface CarriedState {
  state: ConversationState;
  /** The customer's latest messages, for the analyzer. */
  customerTexts: string[];
  lastCustomerSeq: number;
  /** When the customer last wrote (the silence before a nudge counts from it); absent in runs carried before it was kept. */
  lastCustomerAt?: string;
  acknowledged: number;
  /** Mindchat messages already shown to the customer and the last customer message relayed, while a ticket is open. */
  ticket: { seen: string[]; relayedUpTo: number } | null;
}

export interface PendingQuestion {
  stepId: string;
  question: string;
  attempts: number;
  /** Asked again from the confirmation summary: the summary comes back after the answer. */
  correcting?: boolean;
}

export interface ScriptOption {
  scriptId: string;
  title: string;
}

export type HandoffRoute = 'pending' | 'inbox' | 'mindchat';

/** The latest handoff to a person; it stays in state after it ends, with its outcome. */
export interface Escalation {
  /** The rule's code: "urgency_high", "customer_asked_for_human", "script_requires_agent", … */
  reason: string;
  /** Why, in words for the agent. */
  detail?: string;
  /** 1 for the conversation's first escalation, 2 for the next, …: part of every idempotency key. */
  number?: number;
  inboxItemId: string;
  at: string;
  /** Where it went: the built-in inbox, a Mindchat ticket, or pending while Mindchat is tried. */
  via?: HandoffRoute;
  ticketId?: string | null;
  /** Why Mindchat could not take it; the conversation then waits in the inbox. */
  failure?: string | null;
  /** When the customer was told what happens next (unclaimed for too long, or outside working hours). */
  noticeSentAt?: string | null;
  outcome?: 'handed_back' | 'resolved' | null;
  endedAt?: string | null;
  /** How often the Mindchat ticket is polled, kept so a continued run watches it the same way. */
  pollIntervalMs?: number;
}

export interface AgentHold {
  agentId: string;
  since: string;
}

/** Something the bot did on its own, for the AI state's actionsPerformed. */
export interface ActionRecord {
  action: 'PROMPT_APPLIED' | 'FAQ_ANSWERED' | 'KNOWLEDGE_USED' | 'TOOL_CALLED' | 'STEPS_FILLED' | 'ANALYZED' | 'ESCALATED';
  /** KNOWLEDGE_USED: the passages the answer drew on. */
  sources?: { documentId: string; title: string; position: number }[];
  promptId?: string;
  name?: string;
  actionType?: string;
  tag?: string;
  timestamp: string;
}

export interface ConversationState {
  conversationId: string;
  tenantId: string;
  channel: string;
  customer: Customer;
  stage: Stage;
  status: Status;
  script: Script | null;
  answers: Record<string, string>;
  pending: PendingQuestion | null;
  /** Scripts offered when the demand fitted more than one; the customer picks by number or words. */
  options: ScriptOption[] | null;
  /** Offered the customer a choice of which answer to fix, from the confirmation summary. */
  choosingCorrection: boolean;
  matchMisses: number;
  /** How the current script was chosen: by the matcher, the customer's pick, or an agent. */
  scriptSource: 'matcher' | 'clarification' | 'agent' | 'tool' | null;
  analysis: Analysis | null;
  /** The business's onboarding and action prompts, loaded on the first message. */
  persona: Persona | null;
  /** The worker has a model: prompted lines are phrased by it. */
  llmPhrasing: boolean;
  /** The sentiment of the customer's last message, so a prompt fires when it turns, not on every message. */
  lastSentiment: Sentiment | null;
  /** The latest of what the bot did on its own, newest last (capped). */
  actions: ActionRecord[];
  escalation: Escalation | null;
  /** Escalations so far, so each gets its own number. */
  escalationCount: number;
  /** The agent holding the conversation, if any. */
  agent: AgentHold | null;
  /** Where escalations go: a Mindchat ticket when the worker has Mindchat, else the built-in inbox. */
  helpdesk: 'inbox' | 'mindchat';
  protocol: string | null;
  /** The next (or last) check-in after a resolution; `index` counts from 0 in `followUpPlan`. */
  followUp: { dueAt: string; sentAt: string | null; index?: number; onReply?: FollowUpReply } | null;
  /** The check-ins planned at the latest resolution (the script's, the FOLLOW_UP prompts', or the default one). */
  followUpPlan?: PlannedFollowUp[];
  /** The customer went quiet on a question: when the bot nudged, when it gave up, until when they can resume. */
  inactivity?: Inactivity | null;
  /** The satisfaction survey: asked at most once per conversation. */
  csat?: Csat | null;
  /** Replies to the latest client message ids, so a retry that crosses a continue-as-new is not applied twice. */
  recentUpdates?: RecentUpdate[];
  /** Runs of this conversation so far (1 until it continues as new). */
  run?: number;
  /** Messages written so far (customer and bot); the next message's sequence number is this + 1. */
  messageCount: number;
  customerTurns: number;
  /** Bumped on every projection write so Postgres never keeps an older state over a newer one. */
  revision: number;
  startedAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface Inactivity {
  nudgedAt: string | null;
  abandonedAt: string | null;
  /** Set while abandoned: the stage to go back to. */
  resumeStage: Stage | null;
  resumeUntil: string | null;
}

export interface Csat {
  askedAt: string;
  /** 1–5, or null while unanswered or when the customer did not give one. */
  score: number | null;
  answeredAt: string | null;
  /** The customer's words when they were read as a score or declined. */
  comment: string | null;
  /** Asked once more after an unclear reply. */
  askedAgain: boolean;
}

export interface RecentUpdate {
  id: string;
  replies: BotReply[];
}

export interface SendMessageInput {
  text: string;
  /** The client's id for this message, echoed into the transcript. */
  messageId?: string;
}

export interface BotReply {
  seq: number;
  text: string;
  at: string;
  /** The knowledge passages the line quotes or draws on. */
  sources?: Source[];
}

export interface SendMessageResult {
  replies: BotReply[];
  state: ConversationState;
}

export interface ChangeScriptInput {
  scriptId: string;
  /** Who asked, for the transcript ("agent:ana"). */
  by: string;
}

export interface CloseInput {
  reason: string;
}

export interface AnalyzeRequest {
  /** Who asked, for the record ("agent:ana"). */
  by: string;
}

export interface ClaimInput {
  agentId: string;
}

export interface AgentMessageInput {
  agentId: string;
  text: string;
  /** The client's id for this message: a retried request is the same update and writes nothing twice. */
  messageId?: string;
}

export interface HandbackInput {
  agentId: string;
}

/** One of the team hands the conversation to another: the holder (or an admin), to `to`. */
export interface AssignInput {
  by: string;
  /** An admin may reassign a conversation someone else holds. */
  byAdmin: boolean;
  to: string;
}

export interface ResolveInput {
  /** Who resolved it ("agent:ana"). */
  by: string;
  /** The agent holding the conversation, if the caller is one; another agent's hold is respected. */
  agentId?: string;
  /** A last line to the customer, sent as the agent's message. */
  note?: string;
}

export const MAX_MESSAGE_LENGTH = 4_000;

export const MAX_ACTIONS_KEPT = 50;

/** Business rejections, as ApplicationFailure types the API maps to status codes. */
export const failureTypes = {
  conversationClosed: 'ConversationClosed',
  invalidMessage: 'InvalidMessage',
  scriptNotFound: 'ScriptNotFound',
  alreadyClaimed: 'AlreadyClaimed',
  notHolding: 'NotHoldingConversation',
  notWaitingForAgent: 'NotWaitingForAgent',
  mindchatRejected: 'MindchatRejected',
  mindchatNotConfigured: 'MindchatNotConfigured',
  /** Data our own store refused (a constraint, a malformed value): no retry can fix it. */
  invalidData: 'InvalidData',
} as const;

/** A conversation's state before its first turn: as the workflow starts one, and as writers outside it (the demo, tests) build one. */
export function initialState(input: Pick<ConversationState, 'conversationId' | 'tenantId' | 'channel' | 'customer' | 'startedAt'>): ConversationState {
  return {
    conversationId: input.conversationId,
    tenantId: input.tenantId,
    channel: input.channel,
    customer: input.customer,
    stage: 'greeting',
    status: 'active',
    script: null,
    answers: {},
    pending: null,
    options: null,
    choosingCorrection: false,
    matchMisses: 0,
    scriptSource: null,
    analysis: null,
    persona: null,
    llmPhrasing: false,
    lastSentiment: null,
    actions: [],
    escalation: null,
    escalationCount: 0,
    agent: null,
    helpdesk: 'inbox',
    protocol: null,
    followUp: null,
    messageCount: 0,
    customerTurns: 0,
    revision: 0,
    startedAt: input.startedAt,
    updatedAt: input.startedAt,
    closedAt: null,
  };
}
