import { MindchatClient, MindchatError } from '../../adapters/mindchat';
import { startFakeMindchat, type FakeMindchat } from '../support/fake-mindchat';

let mindchat: FakeMindchat;
let client: MindchatClient;

beforeAll(async () => {
  mindchat = await startFakeMindchat('secret-token-123');
  client = new MindchatClient({ baseUrl: mindchat.baseUrl, token: mindchat.token, timeoutMs: 500 });
});

afterAll(async () => {
  await mindchat?.close();
});

beforeEach(() => mindchat.plan(() => 'ok'));

async function failure(promise: Promise<unknown>): Promise<MindchatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MindchatError);
    return error as MindchatError;
  }
  throw new Error('the call succeeded');
}

describe('Mindchat client', () => {
  test('customers, tickets and messages round-trip with the Bearer token, and lookups filter by reference', async () => {
    const customer = await client.createCustomer({ name: 'Ana', email: 'ana@exemplo.com', external_reference: 'atende:customer:x' });
    expect(await client.findCustomers({ email: 'ana@exemplo.com' })).toEqual([expect.objectContaining({ id: customer.id, name: 'Ana' })]);
    expect(await client.findCustomers({ email: 'outra@exemplo.com' })).toEqual([]);
    const ticket = await client.createTicket({ customer_id: customer.id, subject: 'Sinistro', message: 'corpo', priority: 'high', external_reference: 'atende:c:1' });
    expect(ticket).toMatchObject({ status: 'open', priority: 'high', external_reference: 'atende:c:1' });
    expect((await client.findTickets({ external_reference: 'atende:c:1' })).map((found) => found.id)).toEqual([ticket.id]);
    expect(await client.findTickets({ external_reference: 'atende:c:2' })).toEqual([]);
    const message = await client.postMessage({ ticket_id: ticket.id, message: 'olá', sender: 'customer', external_reference: 'atende:c:1:message:3' });
    expect(await client.getMessage(message.id)).toMatchObject({ message: 'olá', sender: 'customer' });
    expect(await client.listMessages({ ticket_id: ticket.id })).toHaveLength(1);
    expect(await client.updateTicket(ticket.id, { status: 'resolved' })).toMatchObject({ status: 'resolved' });
    expect(await client.getTicket(ticket.id)).toMatchObject({ status: 'resolved' });
    expect(await client.updateCustomer(customer.id, { phone: '11999990000' })).toMatchObject({ phone: '11999990000' });
    expect(await client.analytics()).toMatchObject({ tickets: 1, messages: 1, customers: 1 });
    expect(await client.analytics('tickets')).toMatchObject({ total: 1, open: 0 });
    expect(mindchat.requests.every((request) => request.authorized)).toBe(true);
  });

  test('a refusal is not retryable; a 5xx, a 429 and a timeout are, and no error message carries the token', async () => {
    const refused = await failure(client.createTicket({ customer_id: 'nope', subject: 's', message: 'm', priority: 'medium', external_reference: 'r' }));
    expect(refused.status).toBe(422);
    expect(refused.retryable).toBe(false);
    expect(refused.message).toMatch(/POST \/api\/tickets: 422 .*unknown customer_id/);

    mindchat.plan(() => ({ status: 503 }));
    expect((await failure(client.findTickets({}))).retryable).toBe(true);
    mindchat.plan(() => ({ status: 429 }));
    expect((await failure(client.findTickets({}))).retryable).toBe(true);
    mindchat.plan(() => ({ delayMs: 1_500 }));
    const slow = await failure(client.findTickets({}));
    expect(slow.status).toBe(0);
    expect(slow.retryable).toBe(true);
    expect(slow.message).toMatch(/no answer within 500 ms/);

    mindchat.plan(() => 'ok');
    const wrongToken = new MindchatClient({ baseUrl: mindchat.baseUrl, token: 'wrong-token-456', timeoutMs: 500 });
    const unauthorized = await failure(wrongToken.findTickets({}));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.retryable).toBe(false);
    for (const error of [refused, slow, unauthorized]) {
      expect(error.message).not.toContain('secret-token-123');
      expect(error.message).not.toContain('wrong-token-456');
    }
  });
});
