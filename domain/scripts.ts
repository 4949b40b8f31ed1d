import type { z } from 'zod';
import type { catalogSchema, completionSchema, scriptFollowUpSchema, scriptInputSchema, stepSchema } from './schemas';

export const fieldTypes = [
  'text',
  'cpf',
  'email',
  'phone',
  'cep',
  'plate',
  'date',
  'money',
  'year',
  'yes_no',
  'choice',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export type Step = z.infer<typeof stepSchema>;

export type Completion = z.infer<typeof completionSchema>;

/** What a reply to a follow-up does: starts over with a new demand, reopens this request, or calls a person. */
export const followUpReplies = ['match', 'reopen', 'escalate'] as const;
export type FollowUpReply = (typeof followUpReplies)[number];

export type ScriptFollowUp = z.infer<typeof scriptFollowUpSchema>;

export type ScriptInput = z.input<typeof scriptInputSchema>;
export type ScriptDefinition = z.infer<typeof scriptInputSchema>;

/** A stored script: the definition plus the version it was saved as. */
export interface Script extends ScriptDefinition {
  version: number;
}

export type Catalog = z.infer<typeof catalogSchema>;
