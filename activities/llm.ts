import OpenAI from 'openai';
import { z } from 'zod';
import type { MatchCandidate, MatchResult } from '../domain/matcher';
import type { Script } from '../domain/scripts';

/**
 * The LLM side of matching: the offline matcher proposes its top candidates and the model
 * picks one of them (or none) with a reason. Its reply must parse as JSON and pass zod, and
 * may only name an offered script; anything else is an error the caller falls back from.
 */
export interface LlmSettings {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Per request; a slow model must not keep the customer waiting. */
  timeoutMs: number;
}

export interface LlmClient {
  chooseScript(input: { text: string; candidates: readonly Script[] }): Promise<LlmChoice>;
}

export const llmChoiceSchema = z.object({
  scriptId: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  reason: z.string().max(500),
});
export type LlmChoice = z.infer<typeof llmChoiceSchema>;

export class LlmReplyError extends Error {}

export function createLlmClient(settings: LlmSettings): LlmClient {
  // Retries are the activity's business (and the fallback's): one quick attempt here.
  const openai = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseURL, timeout: settings.timeoutMs, maxRetries: 0 });
  return {
    async chooseScript({ text, candidates }) {
      const catalog = candidates.map((script) => ({
        id: script.id,
        title: script.title,
        description: script.description,
        examples: script.examples.slice(0, 5),
      }));
      const completion = await openai.chat.completions.create({
        model: settings.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          {
            role: 'system',
            content:
              'You route customer-service messages to service scripts. Choose the one script that serves the customer\'s demand, ' +
              'only from the list given, or null when none fits (small talk, other businesses, unclear). Reply with JSON only: ' +
              '{"scriptId": string | null, "confidence": number between 0 and 1, "reason": short string}.',
          },
          { role: 'user', content: JSON.stringify({ scripts: catalog, message: text }) },
        ],
      });
      const content = completion.choices[0]?.message?.content ?? '';
      let raw: unknown;
      try {
        raw = JSON.parse(content);
      } catch {
        throw new LlmReplyError(`the model replied with something that is not JSON: ${content.slice(0, 80)}`);
      }
      const choice = llmChoiceSchema.safeParse(raw);
      if (!choice.success) throw new LlmReplyError(`the model's reply does not fit the schema: ${choice.error.issues[0]?.message}`);
      if (choice.data.scriptId !== null && !candidates.some((script) => script.id === choice.data.scriptId)) {
        throw new LlmReplyError(`the model chose "${choice.data.scriptId}", which was not offered`);
      }
      return choice.data;
    },
  };
}

/** Folds the model's choice into a match result, keeping the offline ranking as candidates. */
export function llmMatch(choice: LlmChoice, offline: MatchResult, threshold: number): MatchResult {
  const candidates: MatchCandidate[] = offline.candidates;
  if (choice.scriptId === null || choice.confidence < threshold) {
    return { scriptId: null, confidence: choice.confidence, verdict: 'none', candidates, source: 'llm', reason: choice.reason };
  }
  const chosen = candidates.find((candidate) => candidate.scriptId === choice.scriptId)!;
  return {
    scriptId: choice.scriptId,
    confidence: choice.confidence,
    verdict: 'confident',
    candidates: [chosen, ...candidates.filter((candidate) => candidate !== chosen)],
    source: 'llm',
    reason: choice.reason,
  };
}

/** The LLM client the environment asks for, or undefined to stay offline. */
export function llmFromEnv(env: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string; OPENAI_MODEL: string; OPENAI_TIMEOUT: number }): LlmClient | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  return createLlmClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, timeoutMs: env.OPENAI_TIMEOUT });
}
