import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake does with one request:
 * - `ok`: answers normally;
 * - `{ status }`: fails with that status and stores nothing;
 * - `{ delayMs }`: answers normally, late;
 * - `{ commitThenHangMs }`: stores the change, then answers only after this long (past the client's timeout).
 */
export type Fault = 'ok' | { status: number } | { delayMs: number } | { commitThenHangMs: number };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  authorized: boolean;
  fault: Fault;
}

interface Row extends Record<string, unknown> {
  id: number;
}

export interface FakeMindchat {
  baseUrl: string;
  token: string;
  requests: RecordedRequest[];
  customers: Row[];
  tickets: Row[];
  messages: Row[];
  /** Decides the fault of every request; `ok` by default. */
  plan(decide: (request: { method: string; path: string; n: number }) => Fault): void;
  /** A Mindchat agent writes on a ticket. */
  agentWrites(ticketId: number, text: string, author?: string): void;
  setTicketStatus(ticketId: number, status: string): void;
  close(): Promise<void>;
}

const PRIORITIES = ['low', 'medium', 'high', 'urgent'];

/** The Mindchat API of ../shared/seeds/mindchat-integration.md on 127.0.0.1, with fault injection. */
export async function startFakeMindchat(token = 'fake-mindchat-token'): Promise<FakeMindchat> {
  const requests: RecordedRequest[] = [];
  const customers: Row[] = [];
  const tickets: Row[] = [];
  const messages: Row[] = [];
  let nextId = 100;
  let decide: (request: { method: string; path: string; n: number }) => Fault = () => 'ok';
  const hanging = new Set<NodeJS.Timeout>();

  const stamp = () => new Date().toISOString();
  const matches = (row: Row, query: Record<string, string>, keys: string[]) =>
    keys.every((key) => query[key] === undefined || String(row[key] ?? '') === query[key]);

  /** The answer to a request, and whether it changed anything (so a fault can drop or keep it). */
  function handle(method: string, path: string, query: Record<string, string>, body: any): { status: number; payload: unknown } {
    const parts = path.replace(/^\/api\//, '').split('/');
    const [resource, id] = parts;
    const collections: Record<string, Row[]> = { customers, tickets, messages };
    if (resource === 'analytics') {
      if (id === 'tickets') return { status: 200, payload: { total: tickets.length, open: tickets.filter((ticket) => ticket.status === 'open').length } };
      if (id === 'messages') return { status: 200, payload: { total: messages.length } };
      return { status: 200, payload: { tickets: tickets.length, messages: messages.length, customers: customers.length } };
    }
    const rows = collections[resource ?? ''];
    if (!rows) return { status: 404, payload: { error: 'not found' } };
    if (id !== undefined) {
      const row = rows.find((candidate) => String(candidate.id) === id);
      if (!row) return { status: 404, payload: { error: `${resource} ${id} not found` } };
      if (method === 'GET') return { status: 200, payload: { data: row } };
      if (method === 'PUT') {
        Object.assign(row, body, { id: row.id, updated_at: stamp() });
        return { status: 200, payload: { data: row } };
      }
      return { status: 405, payload: { error: 'method not allowed' } };
    }
    if (method === 'GET') {
      const keys = { customers: ['email', 'phone', 'external_reference'], tickets: ['external_reference', 'customer_id', 'status'], messages: ['ticket_id', 'external_reference'] }[resource!]!;
      return { status: 200, payload: { data: rows.filter((row) => matches(row, query, keys)) } };
    }
    if (method !== 'POST') return { status: 405, payload: { error: 'method not allowed' } };
    if (resource === 'tickets') {
      const missing = ['customer_id', 'subject', 'message', 'priority'].filter((key) => !body?.[key]);
      if (missing.length) return { status: 422, payload: { error: `missing ${missing.join(', ')}` } };
      if (!PRIORITIES.includes(body.priority)) return { status: 422, payload: { error: `priority must be one of ${PRIORITIES.join(', ')}` } };
      if (!customers.some((customer) => String(customer.id) === String(body.customer_id))) return { status: 422, payload: { error: 'unknown customer_id' } };
    }
    if (resource === 'messages') {
      if (!body?.ticket_id || !body?.message) return { status: 422, payload: { error: 'ticket_id and message are required' } };
      if (!tickets.some((ticket) => String(ticket.id) === String(body.ticket_id))) return { status: 422, payload: { error: 'unknown ticket_id' } };
    }
    const row: Row = { ...body, id: nextId++, created_at: stamp(), ...(resource === 'tickets' ? { status: 'open' } : {}) };
    rows.push(row);
    return { status: 201, payload: { data: row } };
  }

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const method = request.method ?? 'GET';
      const query = Object.fromEntries(url.searchParams.entries());
      const body = raw ? JSON.parse(raw) : null;
      const authorized = request.headers.authorization === `Bearer ${token}`;
      const fault = decide({ method, path: url.pathname, n: requests.length + 1 });
      requests.push({ method, path: url.pathname, query, body, authorized, fault });
      const reply = (status: number, payload: unknown) => {
        if (response.destroyed) return;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (!authorized) return reply(401, { error: 'invalid token' });
      if (typeof fault === 'object' && 'status' in fault) return reply(fault.status, { error: 'injected failure' });
      const outcome = handle(method, url.pathname, query, body);
      if (fault === 'ok') return reply(outcome.status, outcome.payload);
      const wait = 'delayMs' in fault ? fault.delayMs : fault.commitThenHangMs;
      const timer = setTimeout(() => {
        hanging.delete(timer);
        reply(outcome.status, outcome.payload);
      }, wait);
      hanging.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    requests,
    customers,
    tickets,
    messages,
    plan(next) {
      decide = next;
    },
    agentWrites(ticketId, text, author = 'Carla') {
      messages.push({ id: nextId++, ticket_id: ticketId, message: text, sender: 'agent', author, created_at: stamp() });
    },
    setTicketStatus(ticketId, status) {
      const ticket = tickets.find((candidate) => candidate.id === ticketId);
      if (!ticket) throw new Error(`no ticket ${ticketId}`);
      ticket.status = status;
    },
    async close() {
      for (const timer of hanging) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
