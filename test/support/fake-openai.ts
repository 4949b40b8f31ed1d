import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers the next chat completion. */
export type FakeReply = { content: string } | { delayMs: number; content: string } | { status: number };

export interface FakeOpenAi {
  baseURL: string;
  /** Requests received, with their parsed bodies. */
  requests: { path: string; authorization?: string; body: any }[];
  reply(next: FakeReply): void;
  close(): Promise<void>;
}

/** An OpenAI-compatible server on 127.0.0.1, so the real `openai` client code runs in tests. */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  let next: FakeReply = { status: 500 };
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', authorization: request.headers.authorization, body: raw ? JSON.parse(raw) : null });
      const reply = next;
      const send = () => {
        if ('status' in reply) {
          response.writeHead(reply.status, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'fake failure', type: 'server_error' } }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: 'chatcmpl-fake',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: request.url,
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content } }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
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
