import { csvBlocks, csvRows, documentKind, DocumentError, htmlBlocks, markdownBlocks, parseDocument, plainBlocks } from '../../adapters/documents';
import { bestExcerpt, chunk, offlineAnswer, queryTerms, type Block } from '../../domain/knowledge';
import { docxOf, pdfOf } from '../support/documents';

describe('reading documents into blocks', () => {
  test('a PDF and a DOCX are read with their headings, accents intact', async () => {
    const pdf = await parseDocument('pdf', 'manual.pdf', pdfOf(['Guia do Cliente', '', 'Cancelamento', 'O cancelamento é gratuito em até 7 dias.']));
    expect(pdf.title).toBe('Guia do Cliente');
    expect(pdf.blocks.filter((block) => block.text)).toEqual([{ heading: 'Cancelamento', text: 'O cancelamento é gratuito em até 7 dias.' }]);
    const docx = await parseDocument('docx', 'guia.docx', await docxOf(['# Pagamento', 'Aceitamos Pix & boleto.']));
    expect(docx.blocks.filter((block) => block.text)).toEqual([{ heading: 'Pagamento', text: 'Aceitamos Pix & boleto.' }]);
  });

  test('Markdown keeps the words of links and lists and drops code fences; headings name what follows', () => {
    const blocks = markdownBlocks('# Vistoria\n\nA **vistoria** é feita pelo [aplicativo](https://x.y).\n\n- Fotos dos 4 lados\n- Foto do chassi\n\n```\ncódigo\n```\n## Prazo\nEm até 2 dias.');
    expect(blocks.filter((block) => block.text)).toEqual([
      { heading: 'Vistoria', text: 'A vistoria é feita pelo aplicativo.' },
      { heading: 'Vistoria', text: 'Fotos dos 4 lados' },
      { heading: 'Vistoria', text: 'Foto do chassi' },
      { heading: 'Prazo', text: 'Em até 2 dias.' },
    ]);
  });

  test('HTML drops scripts and styles, decodes entities and reads headings', () => {
    const blocks = htmlBlocks('<style>p{}</style><h2>Assist&ecirc;ncia &amp; guincho</h2><p>Ligue&nbsp;0800 &#8212; 24h.</p><script>alert(1)</script><ul><li>Um</li><li>Dois</li></ul>');
    expect(blocks.filter((block) => block.text)).toEqual([
      { heading: 'Assistência & guincho', text: 'Ligue 0800 — 24h.' },
      { heading: 'Assistência & guincho', text: 'Um' },
      { heading: 'Assistência & guincho', text: 'Dois' },
    ]);
  });

  test('plain text joins lines broken mid-sentence and takes a short unpunctuated line as a heading', () => {
    expect(plainBlocks('Franquia\nA franquia é o valor que\no segurado paga no conserto.\n\nOutro parágrafo aqui.').filter((block) => block.text)).toEqual([
      { heading: 'Franquia', text: 'A franquia é o valor que o segurado paga no conserto.' },
      { heading: 'Franquia', text: 'Outro parágrafo aqui.' },
    ]);
  });

  test('a CSV of FAQ pairs, quoted or with semicolons, becomes one standalone block per pair', () => {
    expect(csvRows('a,"b, ""c""\nd",e\n')).toEqual([['a', 'b, "c"\nd', 'e']]);
    expect(csvBlocks('pergunta;resposta\nTem app?;Sim, para Android e iOS.\n;sem pergunta\n')).toEqual([{ heading: 'Tem app?', text: 'Sim, para Android e iOS.', standalone: true }]);
    expect(() => csvBlocks('pergunta,outra\nx,y')).toThrow(DocumentError);
  });

  test('the kind comes from the name and must agree with the bytes', () => {
    expect(documentKind('a.PDF', Buffer.from('%PDF-1.4'))).toBe('pdf');
    expect(() => documentKind('a.pdf', Buffer.from('hello'))).toThrow(/not a PDF/);
    expect(() => documentKind('a.docx', Buffer.from('hello'))).toThrow(/not a Word/);
    expect(() => documentKind('a.txt', Buffer.from([0xff, 0xfe, 0x00]))).toThrow(/not UTF-8/);
    expect(() => documentKind('a.exe', Buffer.from('MZ'))).toThrow(/not supported/);
  });
});

describe('cutting blocks into passages', () => {
  const sentence = (n: number) => `Frase número ${n} do regulamento, com detalhes suficientes para ocupar espaço.`;

  test('paragraphs under one heading are joined up to the target; a new heading starts a new passage', () => {
    const blocks: Block[] = [
      { heading: 'A', text: sentence(1) },
      { heading: 'A', text: sentence(2) },
      { heading: 'B', text: sentence(3) },
    ];
    expect(chunk(blocks)).toEqual([
      { position: 0, heading: 'A', text: `${sentence(1)}\n\n${sentence(2)}` },
      { position: 1, heading: 'B', text: sentence(3) },
    ]);
  });

  test('a long section is cut near the target, each passage opening with the sentence before it', () => {
    const blocks: Block[] = Array.from({ length: 12 }, (_, index) => ({ heading: 'Regras', text: sentence(index + 1) }));
    const passages = chunk(blocks, { target: 300, max: 600, overlap: 220 });
    expect(passages.length).toBeGreaterThan(2);
    for (const passage of passages) expect(passage.text.length).toBeLessThanOrEqual(300 + 100);
    for (const [index, passage] of passages.entries()) {
      if (index === 0) continue;
      const previousLast = passages[index - 1]!.text.split('\n\n').at(-1)!;
      expect(passage.text.startsWith(previousLast)).toBe(true);
    }
    // every sentence is in some passage
    for (let n = 1; n <= 12; n++) expect(passages.some((passage) => passage.text.includes(sentence(n)))).toBe(true);
  });

  test('one endless paragraph is cut at sentence ends under the maximum; FAQ pairs are never merged', () => {
    const long = Array.from({ length: 40 }, (_, index) => sentence(index)).join(' ');
    for (const passage of chunk([{ heading: null, text: long }], { target: 700, max: 1_200, overlap: 0 })) expect(passage.text.length).toBeLessThanOrEqual(1_200);
    const faq = chunk([
      { heading: 'Tem app?', text: 'Sim.', standalone: true },
      { heading: 'Tem app?', text: 'Também no iPad.', standalone: true },
    ]);
    expect(faq.map((passage) => passage.text)).toEqual(['Sim.', 'Também no iPad.']);
  });
});

describe('answering from a passage', () => {
  test('question words are dropped and accents folded', () => {
    expect(queryTerms('Qual é o prazo do reembolso?')).toEqual(['prazo', 'do', 'reembolso']);
  });

  test('the excerpt is the sentence that shares most of the question, and the answer quotes the document', () => {
    const text = 'O seguro cobre colisão. O reembolso do guincho sai em até 10 dias úteis. Ligue para a central.';
    expect(bestExcerpt(text, 'prazo de reembolso do guincho')).toMatch(/^O reembolso do guincho sai em até 10 dias úteis\./);
    const { answer, source } = offlineAnswer({ documentId: 'd', title: 'Manual', position: 3, heading: 'Guincho', text, score: 0.4, coverage: 1, matched: 2, inHeading: 1 }, 'reembolso do guincho');
    expect(answer).toMatch(/^Segundo o documento “Manual”: O reembolso do guincho/);
    expect(source).toMatchObject({ documentId: 'd', position: 3, heading: 'Guincho' });
  });
});
