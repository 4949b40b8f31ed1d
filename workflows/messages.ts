import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Analysis } from '../domain/analysis';
import type { CustomerTurnResult } from '../domain/views';
import {
  conversationWorkflowId,
  type AgentMessageInput,
  type AssignInput,
  type AnalyzeRequest,
  type ChangeScriptInput,
  type ClaimInput,
  type CloseInput,
  type ConversationState,
  type HandbackInput,
  type ResolveInput,
  type SendMessageInput,
  type SendMessageResult,
} from '../domain/conversation';

/**
 * How the API and the workers talk about conversations through Temporal: workflow types and
 * ids, the task queue, updates, signals, queries and search-attribute keys. Wire names equal
 * the constants' stems. The API starts workflows by these names, never by importing them.
 */
export { conversationWorkflowId };
export const conversationWorkflowType = 'conversationWorkflow';
export const reanalysisWorkflowType = 'reanalysisWorkflow';
export const assistantAnswerWorkflowType = 'assistantAnswerWorkflow';

export function reanalysisWorkflowId(conversationId: string): string {
  return `reanalysis-${conversationId}`;
}

export const knowledgeIndexWorkflowType = 'knowledgeIndexWorkflow';
export const retentionWorkflowType = 'retentionWorkflow';

export function retentionWorkflowId(taskQueue: string): string {
  return `retention-${taskQueue}`;
}

export function knowledgeIndexWorkflowId(documentId: string): string {
  return `knowledge-index-${documentId}`;
}

export const webhookDispatcherWorkflowType = 'webhookDispatcherWorkflow';
export const webhookDeliveryWorkflowType = 'webhookDeliveryWorkflow';
/** One dispatcher per task queue (a deployment: its database holds the dispatcher's place in the outbox). */
export function webhookDispatcherWorkflowId(taskQueue: string): string {
  return `webhook-dispatcher-${taskQueue}`;
}

export function webhookDeliveryWorkflowId(deliveryId: string): string {
  return `webhook-delivery-${deliveryId}`;
}

/** Waits before each webhook attempt: at once, then about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The task queue when TEMPORAL_TASK_QUEUE names none. */
export const defaultTaskQueue = 'atende-conversations';

/** An update, not a signal, because the caller waits for the bot's reply (and the customer's view, not the whole state). */
export const sendMessageUpdate = defineUpdate<CustomerTurnResult, [SendMessageInput]>('sendMessage');
export const stateQuery = defineQuery<ConversationState>('state');
/** An agent overrides the matched script; the caller waits to see the new first question. */
export const changeScriptUpdate = defineUpdate<SendMessageResult, [ChangeScriptInput]>('changeScript');
/** Re-analyzes the conversation now; the caller (POST /api/ai/analyze) waits for the result. */
export const analyzeUpdate = defineUpdate<Analysis, [AnalyzeRequest]>('analyze');
/** Agent actions are updates: the inbox waits for the outcome, and a rejected one (already claimed) is a clear 409. */
export const claimUpdate = defineUpdate<SendMessageResult, [ClaimInput]>('claim');
export const agentMessageUpdate = defineUpdate<SendMessageResult, [AgentMessageInput]>('agentMessage');
export const handbackUpdate = defineUpdate<SendMessageResult, [HandbackInput]>('handback');
export const assignUpdate = defineUpdate<SendMessageResult, [AssignInput]>('assign');
export const resolveUpdate = defineUpdate<SendMessageResult, [ResolveInput]>('resolve');
/** Nobody waits on a close: an operator or a later process asks and moves on. */
export const closeSignal = defineSignal<[CloseInput]>('close');

/** Custom search attributes the conversation workflow upserts; ops filter runs by them in the Temporal UI. */
export const searchAttributes = {
  ConversationStatus: defineSearchAttributeKey('ConversationStatus', SearchAttributeType.KEYWORD),
  ConversationStage: defineSearchAttributeKey('ConversationStage', SearchAttributeType.KEYWORD),
  ScriptId: defineSearchAttributeKey('ScriptId', SearchAttributeType.KEYWORD),
  Channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  Urgency: defineSearchAttributeKey('Urgency', SearchAttributeType.KEYWORD),
  Sentiment: defineSearchAttributeKey('Sentiment', SearchAttributeType.KEYWORD),
  TenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  /** Where the latest escalation went: inbox, mindchat, pending, or inbox_fallback when Mindchat failed. */
  Handoff: defineSearchAttributeKey('Handoff', SearchAttributeType.KEYWORD),
} as const;

export const searchAttributeKeys = Object.values(searchAttributes);
