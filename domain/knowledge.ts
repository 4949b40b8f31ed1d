import { fold } from './text';

/**
 * The knowledge base's pure half: a parsed document is a list of blocks (paragraphs under their
 * heading), cut here into passages small enough to quote and large enough to answer; a search's
 * passages become the bot's offline answer here too. Parsing files is adapters/documents.ts;
 * storing and searching, db/knowledge.ts.
 */
export interface Block {
  heading: string | null;
  text: string;
  /** A unit of its own (an FAQ pair from a CSV): never merged with its neighbours. */
  standalone?: boolean;
}

export interface Passage {
  position: number;
  heading: string | null;
  text: string;
}

/** A passage an answer used, as the transcript, the events and the v2 stream's `source` carry it. */
export interface Source {
  documentId: string;
  title: string;
  position: number;
  heading: string | null;
  score: number;
  excerpt: string;
}

export interface ChunkOptions {
  /** A passage grows paragraph by paragraph up to about this many characters… */
  target: number;
  /** …and a paragraph longer than this is cut at sentences. */
  max: number;
  /** A passage after the first in a section opens with its predecessor's last sentence, when it is this short. */
  overlap: number;
}

export const defaultChunking: ChunkOptions = { target: 700, max: 1_200, overlap: 220 };

export function sentencesOf(text: string): string[] {
  return (text.match(/[^.!?]+(?:[.!?]+["”)]?|$)\s*/g) ?? [text]).map((sentence) => sentence.trim()).filter(Boolean);
}

/** Paragraphs longer than `max`, cut at sentence ends (or, for one endless sentence, at `max`). */
function pieces(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let current = '';
  for (const sentence of sentencesOf(text)) {
    for (let rest = sentence; rest; rest = rest.slice(max)) {
      const part = rest.slice(0, max);
      if (current && current.length + part.length + 1 > max) {
        out.push(current);
        current = '';
      }
      current = current ? `${current} ${part}` : part;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * Passages: consecutive blocks under one heading are joined paragraph by paragraph up to
 * `target`; a new passage in the same section repeats the last sentence before it, so an answer
 * that straddles the cut is whole in one of them. Headings travel with their passages (search
 * weighs them above body text).
 */
export function chunk(blocks: readonly Block[], options: ChunkOptions = defaultChunking): Passage[] {
  const passages: Passage[] = [];
  let heading: string | null = null;
  let current = '';
  let carried = '';
  const close = () => {
    if (current.trim() && current.trim() !== carried.trim()) passages.push({ position: passages.length, heading, text: current.trim() });
    const last = sentencesOf(current).at(-1) ?? '';
    carried = last.length <= options.overlap ? last : '';
    current = carried;
  };
  for (const block of blocks) {
    const text = block.text.replace(/[ \t]+/g, ' ').trim();
    if (!text) continue;
    if (block.standalone || block.heading !== heading) {
      close();
      heading = block.heading;
      current = '';
      carried = '';
    }
    for (const piece of pieces(text, options.max)) {
      if (current.length > carried.length && current.length + piece.length + 2 > options.target) close();
      current = current ? `${current}\n\n${piece}` : piece;
    }
    if (block.standalone) {
      close();
      current = '';
      carried = '';
    }
  }
  close();
  return passages;
}

/** Words that say nothing about what is asked (folded), beside Postgres's own Portuguese stop words. */
const QUESTION_WORDS = new Set(['qual', 'quais', 'quanto', 'quantos', 'quantas', 'como', 'onde', 'quando', 'porque', 'voces', 'vcs', 'voce', 'gostaria', 'saber', 'queria', 'preciso', 'favor', 'pode', 'posso', 'tem', 'ter', 'sobre', 'ola', 'oi', 'bom', 'dia', 'boa', 'tarde', 'noite', 'obrigado', 'obrigada']);

/** The query's words, folded, as the search looks for them (digits kept, question words dropped). */
export function queryTerms(query: string): string[] {
  const terms = fold(query)
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 2 && !QUESTION_WORDS.has(word));
  return [...new Set(terms)].slice(0, 32);
}

/** A word's rough stem for matching sentences: its first five letters (reembolso ~ reembolsar). */
function stemOf(word: string): string {
  return word.length > 5 ? word.slice(0, 5) : word;
}

/**
 * The sentences of a passage that answer the query best: the one sharing most of its words, and
 * the next when it continues the thought, within `limit` characters.
 */
export function bestExcerpt(passage: string, query: string, limit = 420): string {
  const stems = new Set(queryTerms(query).filter((term) => term.length >= 3).map(stemOf));
  const sentences = sentencesOf(passage.replace(/\n+/g, ' '));
  if (!sentences.length) return passage.slice(0, limit);
  const scores = sentences.map((sentence) => fold(sentence).split(/[^a-z0-9]+/).filter((word) => stems.has(stemOf(word))).length);
  const best = scores.indexOf(Math.max(...scores));
  let excerpt = sentences[best]!;
  const next = sentences[best + 1];
  if (next && excerpt.length + next.length + 1 <= limit && (excerpt.length < 160 || scores[best + 1]! > 0)) excerpt = `${excerpt} ${next}`;
  return excerpt.length > limit ? `${excerpt.slice(0, limit - 1).trimEnd()}…` : excerpt;
}

/** How sure a passage answers: the share of the query's words it holds (the search counts them). */
export interface KnowledgeHit {
  documentId: string;
  title: string;
  position: number;
  heading: string | null;
  text: string;
  score: number;
  /** Query words found in the passage / query words that count. */
  coverage: number;
  /** Query words found in the passage. */
  matched: number;
  /** Query words found in the passage's heading (what it is about). */
  inHeading: number;
}

/** The share of a question's words a passage must hold before the bot quotes it on its own. */
export const OFFLINE_ANSWER_COVERAGE = 0.5;

/**
 * Whether a passage answers well enough to be quoted without a model: half the question's words,
 * and either two of them or one that names what the passage is about (its heading). One shared
 * body word of two is a coincidence: the "capital" of a country is not the "capitais" where the
 * locksmith is quick.
 */
export function answersOffline(hit: KnowledgeHit): boolean {
  const counted = hit.coverage > 0 ? Math.round(hit.matched / hit.coverage) : 0;
  return hit.coverage >= OFFLINE_ANSWER_COVERAGE && (hit.matched >= Math.min(2, counted) || hit.inHeading > 0);
}

/** The bot's offline answer: the best passage's best sentences, quoted with the document's title. */
export function offlineAnswer(hit: KnowledgeHit, query: string): { answer: string; source: Source } {
  const excerpt = bestExcerpt(hit.text, query);
  return {
    answer: `Segundo o documento “${hit.title}”: ${excerpt}`,
    source: { documentId: hit.documentId, title: hit.title, position: hit.position, heading: hit.heading, score: hit.score, excerpt },
  };
}

export function sourceOf(hit: KnowledgeHit, query: string): Source {
  return { documentId: hit.documentId, title: hit.title, position: hit.position, heading: hit.heading, score: hit.score, excerpt: bestExcerpt(hit.text, query) };
}
