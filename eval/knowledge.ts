/**
 * Retrieval quality of the knowledge base: documents written for this evaluation
 * (eval/data/knowledge/) are indexed by the product's indexing activity (the real parser, chunker
 * and embeddings), then each question goes to the real Postgres search. A question is found at k
 * when a passage of its document under its heading is among the first k results; the bot answers offline when the best passage holds at least half
 * the question's words (domain/knowledge.ts). Questions no document answers should get no answer.
 *
 *   npm run eval:knowledge            dev and holdout sets, full text (hybrid with an embedding model configured)
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { documentKind, mediaTypes } from '../adapters/documents';
import { createKnowledgeActivities, type IndexDocumentResult } from '../activities/knowledge';
import { createDocument, findDocument, searchKnowledge } from '../db/knowledge';
import { answersOffline } from '../domain/knowledge';
import { startEvalStack } from './stack';
import { embedderFromEnv } from '../adapters/llm';
import { loadEnv } from '../env';

interface Question {
  question: string;
  document: string | null;
  heading?: string;
}

const dataDir = path.join(__dirname, 'data');

async function main(): Promise<void> {
  // hybrid when an embedding model is configured (OPENAI_API_KEY, OPENAI_EMBEDDING_MODEL, OPENAI_BASE_URL)
  const embedder = embedderFromEnv(loadEnv());
  console.log(`search: ${embedder ? `hybrid (${embedder.model})` : 'full text (set OPENAI_API_KEY and OPENAI_EMBEDDING_MODEL for hybrid)'}`);
  const stack = await startEvalStack('knowledge');
  try {
    const tenantId = 'eval-knowledge';
    const titles = new Map<string, string>();
    let passages = 0;
    // indexed as an upload is: the product's own indexing activity (parser, chunker, embeddings, batches)
    const indexing = createKnowledgeActivities({ db: stack.db, embedderFor: async () => embedder });
    const activity = new MockActivityEnvironment();
    for (const filename of fs.readdirSync(path.join(dataDir, 'knowledge')).sort()) {
      const content = fs.readFileSync(path.join(dataDir, 'knowledge', filename));
      const kind = documentKind(filename, content);
      const id = randomUUID();
      await createDocument(stack.db, { id, tenantId, collection: 'default', title: filename, filename, mediaType: mediaTypes[kind], sha256: createHash('sha256').update(content).digest('hex'), content });
      const indexed: IndexDocumentResult = await activity.run(indexing.indexKnowledgeDocument, { documentId: id });
      titles.set((await findDocument(stack.db, tenantId, id))!.title, filename);
      passages += indexed.passages;
    }
    console.log(`indexed ${titles.size} documents, ${passages} passages`);
    for (const set of ['dev', 'holdout']) {
      const questions = fs
        .readFileSync(path.join(dataDir, `knowledge-${set}.jsonl`), 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Question);
      const inScope = questions.filter((question) => question.document);
      const outOfScope = questions.filter((question) => !question.document);
      let at1 = 0;
      let at3 = 0;
      let answered = 0;
      let answeredRight = 0;
      let refused = 0;
      const misses: string[] = [];
      for (const question of questions) {
        const { hits } = await searchKnowledge({ db: stack.db, embedder }, tenantId, question.question, 3);
        const right = (hit: (typeof hits)[number]) => titles.get(hit.title) === question.document && hit.heading === question.heading;
        const answers = hits[0] !== undefined && answersOffline(hits[0]);
        if (!question.document) {
          if (!answers) refused += 1;
          else misses.push(`answered out of scope: "${question.question}" with ${hits[0]!.heading}`);
          continue;
        }
        if (hits[0] && right(hits[0])) at1 += 1;
        else if (process.env.VERBOSE) misses.push(`first: "${question.question}" → ${hits.map((hit) => `${hit.heading} ${hit.score} ${hit.matched}/${hit.inHeading}`).join(' | ')}`);
        if (hits.some(right)) at3 += 1;
        else misses.push(`not in top 3: "${question.question}" → ${hits.map((hit) => hit.heading).join(' | ') || 'nothing'}`);
        if (answers) {
          answered += 1;
          if (right(hits[0]!)) answeredRight += 1;
        }
      }
      const pct = (n: number, d: number) => `${d ? ((100 * n) / d).toFixed(1) : '–'} %`;
      console.log(`\n${set}: ${inScope.length} questions, ${outOfScope.length} out of scope`);
      console.log(`  recall@1 ${pct(at1, inScope.length)}  recall@3 ${pct(at3, inScope.length)}`);
      console.log(`  offline answers: given ${pct(answered, inScope.length)}, right when given ${pct(answeredRight, answered)}; out of scope refused ${pct(refused, outOfScope.length)}`);
      for (const miss of misses) console.log(`  · ${miss}`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
