import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers the next chat completion. A request with `stream: true` gets its content
 * as server-sent chunks of a word or so, `chunkDelayMs` apart.
 */
export type FakeReply =
  | { content: string; chunkDelayMs?: number }
  | { delayMs: number; content: string; chunkDelayMs?: number }
  | { status: number }
  /** The model asks to call functions (OpenAI function calling). */
  | { toolCalls: { name: string; arguments: Record<string, unknown> }[] };

export interface FakeOpenAi {
  baseURL: string;
  /** Requests received, with their parsed bodies. */
  requests: { path: string; authorization?: string; body: any }[];
  reply(next: FakeReply | ((body: any) => FakeReply)): void;
  close(): Promise<void>;
}

/** An OpenAI-compatible server on 127.0.0.1, so the real `openai` client code runs in tests. */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  let next: FakeReply | ((body: any) => FakeReply) = { status: 500 };
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : null;
      requests.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      if (request.url?.endsWith('/embeddings')) return embeddings(response, body);
      const reply = typeof next === 'function' ? next(body) : next;
      const send = () => {
        if ('status' in reply) {
          response.writeHead(reply.status, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'fake failure', type: 'server_error' } }));
          return;
        }
        if ('toolCalls' in reply) {
          const calls = reply.toolCalls.map((call, index) => ({ id: `call_${index}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
          return completion(response, request.url, 'tool_calls', { role: 'assistant', content: null, tool_calls: calls });
        }
        if (body?.stream) return streamChunks(response, reply.content, reply.chunkDelayMs ?? 0);
        completion(response, request.url, 'stop', { role: 'assistant', content: reply.content });
      };
      if ('delayMs' in reply) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(reply) {
      next = reply;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The content as OpenAI's streaming format: `data: {chat.completion.chunk}` lines, then `data: [DONE]`. */
function streamChunks(response: http.ServerResponse, content: string, delayMs: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const pieces = content.match(/\S+\s*|\s+/g) ?? [];
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  response.write(chunk({ role: 'assistant', content: '' }, null));
  const next = (index: number) => {
    if (response.destroyed) return;
    if (index === pieces.length) {
      response.write(chunk({}, 'stop'));
      response.end('data: [DONE]\n\n');
      return;
    }
    response.write(chunk({ content: pieces[index] }, null));
    setTimeout(() => next(index + 1), delayMs);
  };
  next(0);
}

/**
 * Words that mean the same to the fake embedding model, so it behaves like a semantic one: texts
 * that say "reboque" and "guincho" land close together, which full text cannot see.
 */
const CONCEPTS: readonly (readonly string[])[] = [
  ['guincho', 'reboque', 'rebocar', 'guinchar'],
  ['reembolso', 'ressarcido', 'ressarcimento', 'reembolsado', 'devolvido'],
  ['chave', 'chaveiro', 'tranquei', 'trancado', 'fechadura'],
  ['gasolina', 'combustivel', 'pane', 'seca'],
  ['carro', 'veiculo', 'automovel'],
  ['pagar', 'paguei', 'pago', 'custo', 'valor'],
];

/** A deterministic unit vector: one dimension per concept, and the other words hashed into the rest. */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(64).fill(0);
  const words = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length > 2);
  for (const word of words) {
    const concept = CONCEPTS.findIndex((group) => group.includes(word));
    if (concept >= 0) vector[concept] += 3;
    else vector[CONCEPTS.length + ([...word].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) % (64 - CONCEPTS.length))] += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function embeddings(response: http.ServerResponse, body: { model: string; input: string | string[] }): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      object: 'list',
      model: body.model,
      data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(input) })),
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    }),
  );
}

/** A chat completion answer: one choice with this message. */
function completion(response: http.ServerResponse, model: string | undefined, finish: string, message: object): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, finish_reason: finish, message }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }),
  );
}
