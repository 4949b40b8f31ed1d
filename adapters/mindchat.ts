/**
 * A typed client for the Mindchat helpdesk API (../shared/seeds/mindchat-integration.md):
 * tickets, messages, customers and analytics under /api, with a Bearer token.
 *
 * The seed names endpoints but not every field, so this client writes what the seed shows
 * (`customer_id`, `subject`, `message`, `priority`) plus an `external_reference` that makes
 * every create idempotent: it is looked up before anything is created. It reads lists either
 * bare or wrapped (`{ data: [...] }`), and ids as numbers or strings.
 */

export interface MindchatConfig {
  baseUrl: string;
  token: string;
  /** Per request; a request past it is abandoned and counts as a retryable failure. */
  timeoutMs: number;
}

export type TicketPriority = 'low' | 'medium' | 'high' | 'urgent';

export interface MindchatCustomer {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  external_reference?: string;
}

export interface MindchatTicket {
  id: string;
  status: string;
  subject?: string;
  priority?: string;
  customer_id?: string;
  external_reference?: string;
}

export interface MindchatMessage {
  id: string;
  ticket_id?: string;
  message: string;
  /** "customer", "agent", "bot", "system": who wrote it on the Mindchat side. */
  sender?: string;
  author?: string;
  external_reference?: string;
  created_at?: string;
}

export interface NewCustomer {
  name?: string;
  email?: string;
  phone?: string;
  external_reference: string;
}

export interface NewTicket {
  customer_id: string;
  subject: string;
  message: string;
  priority: TicketPriority;
  external_reference: string;
}

export interface NewMessage {
  ticket_id: string;
  message: string;
  sender: 'customer' | 'bot' | 'system';
  external_reference: string;
}

/** A Mindchat answer that is not a success; `status` is 0 for timeouts and network errors. */
export class MindchatError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MindchatError';
  }

  /** 4xx (except 408 and 429) will fail the same way again; everything else may pass on retry. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

type Query = Record<string, string | undefined>;

function asId(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && value)) return String(value);
  throw new MindchatError(502, 'Mindchat answered without an id');
}

function unwrap(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'data' in body) return (body as { data: unknown }).data;
  return body;
}

function listOf(body: unknown, key: string): Record<string, unknown>[] {
  const value = unwrap(body);
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  const nested = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (Array.isArray(nested)) return nested as Record<string, unknown>[];
  throw new MindchatError(502, `Mindchat answered ${key} in an unexpected shape`);
}

function objectOf(body: unknown): Record<string, unknown> {
  const value = unwrap(body);
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new MindchatError(502, 'Mindchat answered an unexpected shape');
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const toCustomer = (raw: Record<string, unknown>): MindchatCustomer => ({
  id: asId(raw.id),
  ...(text(raw.name) ? { name: text(raw.name) } : {}),
  ...(text(raw.email) ? { email: text(raw.email) } : {}),
  ...(text(raw.phone) ? { phone: text(raw.phone) } : {}),
  ...(text(raw.external_reference) ? { external_reference: text(raw.external_reference) } : {}),
});

const toTicket = (raw: Record<string, unknown>): MindchatTicket => ({
  id: asId(raw.id),
  status: text(raw.status) ?? 'open',
  ...(text(raw.subject) ? { subject: text(raw.subject) } : {}),
  ...(text(raw.priority) ? { priority: text(raw.priority) } : {}),
  ...(raw.customer_id !== undefined ? { customer_id: String(raw.customer_id) } : {}),
  ...(text(raw.external_reference) ? { external_reference: text(raw.external_reference) } : {}),
});

const toMessage = (raw: Record<string, unknown>): MindchatMessage => ({
  id: asId(raw.id),
  message: text(raw.message) ?? text(raw.content) ?? text(raw.text) ?? '',
  ...(raw.ticket_id !== undefined ? { ticket_id: String(raw.ticket_id) } : {}),
  ...(text(raw.sender) ?? text(raw.sender_type) ? { sender: text(raw.sender) ?? text(raw.sender_type) } : {}),
  ...(text(raw.author) ?? text(raw.agent_name) ? { author: text(raw.author) ?? text(raw.agent_name) } : {}),
  ...(text(raw.external_reference) ? { external_reference: text(raw.external_reference) } : {}),
  ...(text(raw.created_at) ? { created_at: text(raw.created_at) } : {}),
});

/** Ticket statuses after which nobody on the Mindchat side will answer any more. */
export const FINISHED_TICKET_STATUSES = ['resolved', 'closed', 'solved', 'done', 'finalizado', 'resolvido', 'fechado'];

export class MindchatClient {
  constructor(private readonly config: MindchatConfig) {}

  private async request(method: 'GET' | 'POST' | 'PUT', path: string, options: { query?: Query; body?: unknown } = {}): Promise<unknown> {
    const url = new URL(path, this.config.baseUrl.endsWith('/') ? this.config.baseUrl : `${this.config.baseUrl}/`);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const where = `${method} ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.config.token}`,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      throw new MindchatError(0, `${where}: ${timedOut ? `no answer within ${this.config.timeoutMs} ms` : (error as Error).message}`);
    }
    const raw = await response.text();
    if (!response.ok) {
      // the body may explain the rejection; it never holds our token, which only travels in the header
      throw new MindchatError(response.status, `${where}: ${response.status} ${raw.slice(0, 300)}`.trim());
    }
    if (!raw.trim()) return {};
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new MindchatError(502, `${where}: the answer is not JSON`);
    }
  }

  async findCustomers(query: { email?: string; phone?: string; external_reference?: string }): Promise<MindchatCustomer[]> {
    return listOf(await this.request('GET', 'api/customers', { query }), 'customers').map(toCustomer);
  }

  async createCustomer(customer: NewCustomer): Promise<MindchatCustomer> {
    return toCustomer(objectOf(await this.request('POST', 'api/customers', { body: customer })));
  }

  async getCustomer(id: string): Promise<MindchatCustomer> {
    return toCustomer(objectOf(await this.request('GET', `api/customers/${encodeURIComponent(id)}`)));
  }

  async updateCustomer(id: string, changes: Partial<Omit<NewCustomer, 'external_reference'>>): Promise<MindchatCustomer> {
    return toCustomer(objectOf(await this.request('PUT', `api/customers/${encodeURIComponent(id)}`, { body: changes })));
  }

  async findTickets(query: { external_reference?: string; customer_id?: string; status?: string }): Promise<MindchatTicket[]> {
    return listOf(await this.request('GET', 'api/tickets', { query }), 'tickets').map(toTicket);
  }

  async createTicket(ticket: NewTicket): Promise<MindchatTicket> {
    return toTicket(objectOf(await this.request('POST', 'api/tickets', { body: ticket })));
  }

  async getTicket(id: string): Promise<MindchatTicket> {
    return toTicket(objectOf(await this.request('GET', `api/tickets/${encodeURIComponent(id)}`)));
  }

  async updateTicket(id: string, changes: { status?: string; priority?: TicketPriority; subject?: string }): Promise<MindchatTicket> {
    return toTicket(objectOf(await this.request('PUT', `api/tickets/${encodeURIComponent(id)}`, { body: changes })));
  }

  async listMessages(query: { ticket_id?: string; external_reference?: string }): Promise<MindchatMessage[]> {
    return listOf(await this.request('GET', 'api/messages', { query }), 'messages').map(toMessage);
  }

  async postMessage(message: NewMessage): Promise<MindchatMessage> {
    return toMessage(objectOf(await this.request('POST', 'api/messages', { body: message })));
  }

  async getMessage(id: string): Promise<MindchatMessage> {
    return toMessage(objectOf(await this.request('GET', `api/messages/${encodeURIComponent(id)}`)));
  }

  /** Service metrics as Mindchat reports them; `scope` picks the tickets or messages breakdown. */
  async analytics(scope?: 'tickets' | 'messages'): Promise<Record<string, unknown>> {
    return objectOf(await this.request('GET', scope ? `api/analytics/${scope}` : 'api/analytics'));
  }
}
