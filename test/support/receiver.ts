import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 (registered in beforeAll/afterAll): `answer` decides each
 * request's status after it is recorded.
 */
export function webhookReceiver(answer: (request: ReceivedRequest) => number): { readonly base: string; readonly requests: ReceivedRequest[] } {
  const requests: ReceivedRequest[] = [];
  let server: Server | undefined;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const received = { path: request.url ?? '', headers: request.headers, body };
        requests.push(received);
        const status = answer(received);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `status ${status}`);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return {
    get base() {
      return base;
    },
    requests,
  };
}
