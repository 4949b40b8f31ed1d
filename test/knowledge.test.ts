import { randomUUID } from 'node:crypto';
import { mintToken } from '../api/auth';
import { caller } from './support/api';
import { appStackFor } from './support/app-stack';
import { docxOf, pdfOf } from './support/documents';
import { eventReader } from './support/sse';
import { until } from './support/until';

/**
 * The knowledge base through the real stack: documents uploaded as files, indexed by a workflow
 * each with visible progress, searched with typo tolerance, and quoted by the bot (with the
 * source) when a customer asks what no script covers — at the start or in the middle of a script.
 */
const secret = randomUUID();
const app = appStackFor(secret);

const manual = pdfOf([
  'Manual do Segurado Auto',
  '',
  'Reembolso de guincho',
  'Quando o cliente contrata um guincho por conta própria, o reembolso é feito em até 10 dias úteis',
  'depois do envio da nota fiscal pelo aplicativo.',
  '',
  'Carro reserva',
  'O carro reserva fica disponível por até 7 diárias nos planos Completo e Premium.',
]);

const call = caller(() => app.stack.app);

function form(name: string, bytes: Buffer, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  data.set('file', new File([new Uint8Array(bytes)], name));
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

async function uploaded(name: string, bytes: Buffer, admin: string, fields: Record<string, string> = {}) {
  const response = await call('POST', '/api/v2/knowledge/upload', form(name, bytes, fields), admin);
  expect(response.status).toBe(201);
  expect(response.body.document).toMatchObject({ id: expect.any(String), status: 'indexing' });
  return until(async () => (await call('GET', `/api/v2/knowledge/documents/${response.body.document.id}`, undefined, admin)).body.document, (document) => document.status !== 'indexing', `${name} to be indexed`);
}

async function startConversation(text: string) {
  const started = await app.stack.app.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: text }) });
  return (await started.json()) as { conversationId: string; token: string; replies: { text: string }[] };
}

async function say(conversation: { conversationId: string; token: string }, text: string) {
  return (await call('POST', `/api/v1/conversations/${conversation.conversationId}/messages`, { text }, conversation.token)).body as { replies: { text: string; sources?: any[] }[] };
}

let admin: string;
beforeAll(async () => {
  admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const pdf = await uploaded('manual-segurado.pdf', manual, admin);
  expect(pdf).toMatchObject({ status: 'ready', title: 'Manual do Segurado Auto', mediaType: 'application/pdf' });
  expect(pdf.progress.chunksTotal).toBeGreaterThanOrEqual(2);
  expect(pdf.progress.chunksDone).toBe(pdf.progress.chunksTotal);
  const docx = await uploaded(
    'atendimento.docx',
    await docxOf(['# Canais de atendimento', 'A ouvidoria atende pelo telefone 0800 777 1234, de segunda a sexta, das 9h às 18h.', '# Assistência residencial', 'O chaveiro emergencial chega em até 2 horas nas capitais.']),
    admin,
    { collection: 'atendimento' },
  );
  expect(docx).toMatchObject({ status: 'ready', title: 'Canais de atendimento', collection: 'atendimento' });
});

test('search finds the passage that answers, with its document and score, even with a misspelled word', async () => {
  const found = await call('POST', '/api/v2/knowledge/search', { query: 'prazo do reembolço do guincho', limit: 3 }, admin);
  expect(found.status).toBe(200);
  expect(found.body.results[0]).toMatchObject({ document: { title: 'Manual do Segurado Auto' }, heading: 'Reembolso de guincho', excerpt: expect.stringMatching(/10 dias úteis/) });
  expect(found.body.results[0].score).toBeGreaterThan(0);
  const scoped = await call('POST', '/api/v2/knowledge/search', { query: 'telefone da ouvidoria', collection: 'atendimento' }, admin);
  expect(scoped.body.results[0].text).toMatch(/0800 777 1234/);
  const elsewhere = await call('POST', '/api/v2/knowledge/search', { query: 'telefone da ouvidoria', collection: 'outra' }, admin);
  expect(elsewhere.body.results).toEqual([]);
  expect((await call('POST', '/api/v2/knowledge/search', { limit: 3 }, admin)).body.issues[0].path).toBe('query');
});

test('a question mid-script that only a document answers is answered with its source, and the step is asked again', async () => {
  const conversation = await startConversation('preciso da segunda via do boleto');
  const turn = await say(conversation, 'Em quantos dias sai o reembolso do guincho?');
  const reply = turn.replies.map((line) => line.text).join('\n');
  expect(reply).toMatch(/Segundo o documento “Manual do Segurado Auto”/);
  expect(reply).toMatch(/10 dias úteis/);
  expect(reply).toMatch(/CPF/);
  expect(turn.replies.flatMap((line) => line.sources ?? [])[0]).toMatchObject({ title: 'Manual do Segurado Auto', heading: 'Reembolso de guincho' });
  // the transcript keeps the sources, and the staff's state the action
  const messages = (await call('GET', `/api/v1/conversations/${conversation.conversationId}/messages`, undefined, conversation.token)).body.messages as { role: string; sources?: { title: string }[] }[];
  expect(messages.filter((message) => message.sources?.length).map((message) => message.sources![0]!.title)).toEqual(['Manual do Segurado Auto']);
  const staff = (await call('GET', `/api/v1/conversations/${conversation.conversationId}`, undefined, admin)).body;
  expect(staff.state.actions.find((action: { action: string }) => action.action === 'KNOWLEDGE_USED')).toMatchObject({ name: 'Manual do Segurado Auto' });
});

test('a first message no script fits is answered from the knowledge base; one it does not cover is not', async () => {
  const known = await startConversation('qual o telefone da ouvidoria?');
  expect(known.replies.map((line) => line.text).join('\n')).toMatch(/“Canais de atendimento”.*0800 777 1234/s);
  const unknown = await startConversation('vocês vendem passagens aéreas para Lisboa?');
  expect(unknown.replies.map((line) => line.text).join('\n')).not.toMatch(/Segundo o documento/);
});

test('the v2 chat stream says it is searching the knowledge base and sends a source event for the passage used', async () => {
  const service = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'site' });
  const chat = async (body: unknown, token: string) => {
    const response = await app.stack.app.request('/api/v2/agents/default/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const reader = eventReader(response.body!);
    const events: { event: string; data: any }[] = [];
    for (;;) {
      const next = JSON.parse((await reader.next(20_000)).data);
      events.push(next);
      if (next.event === 'done' || next.event === 'error') return events;
    }
  };
  const first = await chat({ messages: [{ role: 'user', content: 'preciso da segunda via do boleto' }] }, service);
  const { token, conversation_id: conversationId } = first.find((event) => event.event === 'metadata')!.data;
  const events = await chat({ conversation_id: conversationId, messages: [{ role: 'user', content: 'por quantas diárias posso usar o carro reserva?' }] }, token);
  const names = events.map((event) => event.event);
  expect(events.find((event) => event.event === 'progress' && event.data.stage === 'searching_knowledge')).toBeDefined();
  const source = events.find((event) => event.event === 'source')!;
  expect(source.data).toMatchObject({ title: 'Manual do Segurado Auto', heading: 'Carro reserva', excerpt: expect.stringMatching(/7 diárias/) });
  expect(names.indexOf('source')).toBeGreaterThan(names.lastIndexOf('answer'));
  expect(names.indexOf('source')).toBeLessThan(names.indexOf('metadata'));
  expect(names.at(-1)).toBe('done');
});

test('uploads are checked: a file, of a known type whose bytes agree, from an admin; an empty PDF fails with its reason', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'agent' });
  expect((await call('POST', '/api/v2/knowledge/upload', form('a.txt', Buffer.from('texto')), agent)).status).toBe(403);
  const none = await call('POST', '/api/v2/knowledge/upload', new FormData(), admin);
  expect(none.status).toBe(422);
  expect(none.body.issues[0].path).toBe('file');
  const exe = await call('POST', '/api/v2/knowledge/upload', form('setup.exe', Buffer.from('MZ')), admin);
  expect(exe.body.issues[0]).toMatchObject({ path: 'file', message: expect.stringMatching(/not supported/) });
  const fake = await call('POST', '/api/v2/knowledge/upload', form('falso.pdf', Buffer.from('não sou pdf')), admin);
  expect(fake.body.issues[0].message).toMatch(/not a PDF/);
  const collection = await call('POST', '/api/v2/knowledge/upload', form('a.txt', Buffer.from('texto'), { collection: 'com espaço' }), admin);
  expect(collection.body.issues[0].path).toBe('collection');
  expect((await call('POST', '/api/v2/knowledge/upload', { file: 'x' }, admin)).status).toBe(415);

  const empty = await uploaded('vazio.pdf', pdfOf([]), admin);
  expect(empty).toMatchObject({ status: 'failed', error: expect.stringMatching(/no text/) });
});

test('a deleted document is no longer searched; a re-index keeps the document searchable and ready again', async () => {
  const note = await uploaded('franquia.md', Buffer.from('# Franquia\n\nA franquia reduzida custa metade da franquia normal.\n'), admin);
  const search = async () => (await call('POST', '/api/v2/knowledge/search', { query: 'franquia reduzida' }, admin)).body.results as { document: { id: string } }[];
  expect((await search())[0]!.document.id).toBe(note.id);
  const again = await call('POST', `/api/v2/knowledge/documents/${note.id}/reindex`, undefined, admin);
  expect(again.status).toBe(202);
  expect((await search())[0]!.document.id).toBe(note.id);
  await until(async () => (await call('GET', `/api/v2/knowledge/documents/${note.id}`, undefined, admin)).body.document, (document) => document.status === 'ready', 'the re-index');
  expect((await call('DELETE', `/api/v2/knowledge/documents/${note.id}`, undefined, admin)).body).toEqual({ deleted: true });
  expect(await search()).toEqual([]);
  expect((await call('GET', `/api/v2/knowledge/documents/${note.id}`, undefined, admin)).status).toBe(404);
});
