import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvRows } from '../adapters/documents';
import type { MatchableScript } from '../domain/matcher';
import { catalogSchema } from '../domain/schemas';

/**
 * Loaders for the labelled sets in ../shared: the project's own Portuguese dev fixtures and
 * the public intent datasets, each mapped onto "scripts with examples" + "first messages".
 */
export interface LabelledMessage {
  text: string;
  /** null = no script fits. */
  expected: string | null;
}

export interface IntentBenchmark {
  name: string;
  language: 'pt' | 'en';
  scripts: MatchableScript[];
  test: LabelledMessage[];
}

export function sharedDir(): string {
  return path.resolve(process.env.ATENDE_SHARED_DIR ?? path.join(__dirname, '..', '..', 'shared'));
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

export function seguroCatalog() {
  return catalogSchema.parse(JSON.parse(readFileSync(path.join(sharedDir(), 'fixtures', 'scripts.seguro.json'), 'utf8')));
}

export function matchDev(): IntentBenchmark {
  return {
    name: 'match-dev (pt, insurance catalog)',
    language: 'pt',
    scripts: seguroCatalog().scripts,
    test: readJsonLines<LabelledMessage>(path.join(sharedDir(), 'fixtures', 'match-dev.jsonl')),
  };
}

export interface ExtractCase {
  type: string;
  text: string;
  now: string;
  options?: string[];
  expected: string | null;
}

export function extractDev(): ExtractCase[] {
  return readJsonLines<ExtractCase>(path.join(sharedDir(), 'fixtures', 'extract-dev.jsonl'));
}

/** Our own first messages for the insurance catalog: "fresh" was measured once and then tuned on; "holdout" never is. */
export function ownFirstMessages(name: 'match-fresh' | 'match-holdout'): IntentBenchmark {
  return {
    name: `${name} (pt, insurance catalog)`,
    language: 'pt',
    scripts: seguroCatalog().scripts,
    test: readJsonLines<LabelledMessage>(path.join(__dirname, 'data', `${name}.jsonl`)),
  };
}

/** Our own extraction answers, written before the readers were tuned on them. */
export function extractFresh(): ExtractCase[] {
  return readJsonLines<ExtractCase>(path.join(__dirname, 'data', 'extract-fresh.jsonl'));
}

export interface AnalysisCase {
  messages: string[];
  sentiment: string;
  urgency: string;
}

/** One of our own analysis sets in eval/data (see eval/run.ts for how they were written). */
export function analysisSet(name: 'analysis-round1' | 'analysis-round2' | 'analysis-round3' | 'analysis-round4'): AnalysisCase[] {
  return readJsonLines<AnalysisCase>(path.join(__dirname, 'data', `${name}.jsonl`));
}

export function analysisDev(): AnalysisCase[] {
  return readJsonLines<AnalysisCase>(path.join(sharedDir(), 'fixtures', 'analysis-dev.jsonl'));
}

function intentScripts(examples: Map<string, string[]>, titles = new Map<string, string>()): MatchableScript[] {
  return [...examples].map(([id, list]) => ({ id, title: titles.get(id) ?? id.replace(/_/g, ' '), description: '', examples: list }));
}

/** Banking77 with the first `shots` training phrases of each intent as its examples. */
export function banking77(shots: number): IntentBenchmark {
  const dir = path.join(sharedDir(), 'datasets', 'banking77');
  const rows = (file: string) => csvRows(readFileSync(path.join(dir, file), 'utf8'), ',').slice(1);
  const examples = new Map<string, string[]>();
  for (const [text, category] of rows('train.csv')) {
    const list = examples.get(category!) ?? [];
    if (list.length < shots) list.push(text!);
    examples.set(category!, list);
  }
  return {
    name: `Banking77 ${shots}-shot (en)`,
    language: 'en',
    scripts: intentScripts(examples),
    test: rows('test.csv').map(([text, category]) => ({ text: text!, expected: category! })),
  };
}

/** CLINC150: `shots` training phrases per intent (Infinity = all); the test split plus its out-of-scope queries. */
export function clinc150(shots: number): IntentBenchmark {
  const data = JSON.parse(readFileSync(path.join(sharedDir(), 'datasets', 'clinc150', 'data_full.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const examples = new Map<string, string[]>();
  for (const [text, intent] of data.train!) {
    const list = examples.get(intent) ?? [];
    if (list.length < shots) list.push(text);
    examples.set(intent, list);
  }
  return {
    name: `CLINC150 ${Number.isFinite(shots) ? `${shots}-shot` : 'full'} (en)`,
    language: 'en',
    scripts: intentScripts(examples),
    test: [
      ...data.test!.map(([text, intent]) => ({ text, expected: intent })),
      ...data.oos_test!.map(([text]) => ({ text, expected: null })),
    ],
  };
}

/** The pt-BR call-centre routing set: pre-loaded phrases as examples, the extra set as messages. */
export function credsystem(): IntentBenchmark {
  const dir = path.join(sharedDir(), 'datasets', 'credsystem-ura-ptbr');
  const rows = (file: string) => csvRows(readFileSync(path.join(dir, file), 'utf8'), ';').slice(1);
  const examples = new Map<string, string[]>();
  const titles = new Map<string, string>();
  for (const [id, name, intent] of rows('intents_pre_loaded.csv')) {
    examples.set(id!, [...(examples.get(id!) ?? []), intent!]);
    titles.set(id!, name!);
  }
  return {
    name: 'credsystem-ura-ptbr extra (pt, smoke test)',
    language: 'pt',
    scripts: intentScripts(examples, titles),
    test: rows('extra_intents.csv').map(([id, , intent]) => ({ text: intent!, expected: id! })),
  };
}
