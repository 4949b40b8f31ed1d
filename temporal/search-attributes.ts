import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
