import { z } from 'zod';

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

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'lowercase letters, digits, "_" or "-"');

export const stepSchema = z
  .object({
    id: slug,
    question: z.string().trim().min(1),
    type: z.enum(fieldTypes),
    options: z.array(z.string().trim().min(1)).min(2).optional(),
    required: z.boolean().default(true),
  })
  .refine((step) => step.type !== 'choice' || step.options !== undefined, {
    message: 'a choice step needs at least two options',
    path: ['options'],
  });
export type Step = z.infer<typeof stepSchema>;

export const completionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('resolve'), message: z.string().min(1).optional() }),
  z.object({ action: z.literal('escalate'), message: z.string().min(1).optional() }),
]);
export type Completion = z.infer<typeof completionSchema>;

/** What a reply to a follow-up does: starts over with a new demand, reopens this request, or calls a person. */
export const followUpReplies = ['match', 'reopen', 'escalate'] as const;
export type FollowUpReply = (typeof followUpReplies)[number];

export const scriptFollowUpSchema = z
  .object({
    /** Working time after the resolution (the first) or after the previous follow-up: "30m", "2h", "3d". */
    after: z.string().regex(/^\s*\d+\s*(m|h|d)\s*$/, 'a duration such as "30m", "2h" or "3d"'),
    message: z.string().trim().min(1).max(1_000),
    onReply: z.enum(followUpReplies).default('match'),
  })
  .strict();
export type ScriptFollowUp = z.infer<typeof scriptFollowUpSchema>;

export const scriptInputSchema = z
  .object({
    id: slug,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2_000).default(''),
    examples: z.array(z.string().trim().min(1)).default([]),
    steps: z.array(stepSchema).min(1),
    onComplete: completionSchema.default({ action: 'resolve' }),
    /** Check-ins after a resolution by this script, in order; the business's default check-in when empty. */
    followUps: z.array(scriptFollowUpSchema).max(5).default([]),
    active: z.boolean().default(true),
  })
  .refine((script) => new Set(script.steps.map((step) => step.id)).size === script.steps.length, {
    message: 'step ids must be unique',
    path: ['steps'],
  });
export type ScriptInput = z.input<typeof scriptInputSchema>;
export type ScriptDefinition = z.infer<typeof scriptInputSchema>;

/** A stored script: the definition plus the version it was saved as. */
export interface Script extends ScriptDefinition {
  version: number;
}

export const catalogSchema = z.object({
  format: z.literal('script-catalog/v1'),
  business: z
    .object({
      name: z.string().min(1),
      type: z.string().optional(),
      tone: z.string().optional(),
      timezone: z.string().optional(),
      workingHours: z
        .object({
          start: z.string(),
          end: z.string(),
          workDays: z.array(z.number().int().min(0).max(7)),
          intervals: z.array(z.object({ start: z.string(), end: z.string() })).optional(),
          holidays: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .passthrough()
    .optional(),
  fieldTypes: z.record(z.string(), z.string()).optional(),
  scripts: z.array(scriptInputSchema),
});
export type Catalog = z.infer<typeof catalogSchema>;
