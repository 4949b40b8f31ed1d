import path from 'node:path';
import { Worker } from 'node:worker_threads';
import mammoth from 'mammoth';
import type { Block } from '../domain/knowledge';

/**
 * Files an admin uploads to the knowledge base, read into blocks (paragraphs under headings):
 * PDF through pdf-parse, DOCX through mammoth (to HTML, then as HTML), Markdown, HTML, plain text,
 * and CSV as question/answer pairs. The type is the file's extension, checked against its bytes.
 */
export const documentKinds = ['pdf', 'docx', 'md', 'html', 'txt', 'csv'] as const;
export type DocumentKind = (typeof documentKinds)[number];

export const mediaTypes: Record<DocumentKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  md: 'text/markdown',
  html: 'text/html',
  txt: 'text/plain',
  csv: 'text/csv',
};

const extensions: Record<string, DocumentKind> = { pdf: 'pdf', docx: 'docx', md: 'md', markdown: 'md', html: 'html', htm: 'html', txt: 'txt', text: 'txt', csv: 'csv' };

/** A file the knowledge base refuses, with the reason in words an admin understands. */
export class DocumentError extends Error {
  override name = 'DocumentError';
}

/** The file's kind from its name, when its bytes agree; a DocumentError otherwise. */
export function documentKind(filename: string, bytes: Uint8Array): DocumentKind {
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const kind = extensions[extension];
  if (!kind) throw new DocumentError(`.${extension || '?'} files are not supported: send ${documentKinds.map((kind) => `.${kind}`).join(', ')}`);
  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (kind === 'pdf' && head !== '%PDF-') throw new DocumentError('the file is named .pdf but is not a PDF');
  if (kind === 'docx' && !head.startsWith('PK\u0003\u0004')) throw new DocumentError('the file is named .docx but is not a Word document');
  if (kind !== 'pdf' && kind !== 'docx') textOf(bytes);
  return kind;
}

function textOf(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.includes('\u0000')) throw new Error('binary');
    return text.replace(/^\uFEFF/, '');
  } catch {
    throw new DocumentError('the file is not UTF-8 text');
  }
}

export interface ParsedDocument {
  title: string;
  blocks: Block[];
}

export async function parseDocument(kind: DocumentKind, filename: string, bytes: Uint8Array): Promise<ParsedDocument> {
  const fallbackTitle = filename.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim() || filename;
  const blocks = await blocksOf(kind, bytes);
  if (!blocks.some((block) => block.text.trim())) throw new DocumentError('the file has no text to index (a scanned PDF needs OCR first)');
  const title = blocks.find((block) => block.heading)?.heading ?? fallbackTitle;
  return { title: title.slice(0, 200), blocks };
}

async function blocksOf(kind: DocumentKind, bytes: Uint8Array): Promise<Block[]> {
  switch (kind) {
    case 'pdf':
      return plainBlocks(await pdfText(bytes));
    case 'docx':
      return htmlBlocks((await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value);
    case 'html':
      return htmlBlocks(textOf(bytes));
    case 'md':
      return markdownBlocks(textOf(bytes));
    case 'csv':
      return csvBlocks(textOf(bytes));
    case 'txt':
      return plainBlocks(textOf(bytes));
  }
}

/** How long a PDF may take to read before it is given up on. */
const PDF_TIMEOUT_MS = 120_000;

/** The PDF's text, read by pdf-parse in a worker thread (adapters/pdf-worker.mjs). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const worker = new Worker(path.join(__dirname, 'pdf-worker.mjs'), { workerData: bytes, execArgv: [] });
  try {
    const outcome = await new Promise<{ text?: string; error?: string }>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ error: `no text after ${PDF_TIMEOUT_MS / 1000} s` }), PDF_TIMEOUT_MS);
      worker.once('message', (message: { text?: string; error?: string }) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    if (outcome.error !== undefined) throw new DocumentError(`the PDF could not be read: ${outcome.error}`);
    // pdf-parse marks page breaks as "-- n of m --"
    return (outcome.text ?? '').replace(/^\s*-- \d+ of \d+ --\s*$/gm, '\n');
  } finally {
    await worker.terminate();
  }
}

/** A short line with no closing punctuation that opens a section: "Reembolso do guincho". */
function looksLikeHeading(line: string): boolean {
  return line.length >= 3 && line.length <= 80 && !/[.,;:!?]$/.test(line) && /^[\p{Lu}\d]/u.test(line) && line.split(/\s+/).length <= 12;
}

/**
 * Plain text (and a PDF's): blank lines part paragraphs; a paragraph of one heading-like line
 * names the section after it; lines broken mid-sentence are joined.
 */
export function plainBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let heading: string | null = null;
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  for (const paragraph of paragraphs) {
    const lines = paragraph.split('\n').map((line) => line.trim()).filter(Boolean);
    let body: string[] = [];
    const flush = () => {
      if (body.length) blocks.push({ heading, text: body.join(' ') });
      body = [];
    };
    for (const [index, line] of lines.entries()) {
      // a heading-like line that opens a paragraph and is not continued in lower case on the next line
      const next = lines[index + 1];
      if (looksLikeHeading(line) && (body.length === 0 || /[.!?:]$/.test(body.at(-1)!)) && !(next && /^\p{Ll}/u.test(next))) {
        flush();
        heading = line;
        // an empty block marks the heading, so a title line with no text under it still names the document
        blocks.push({ heading, text: '' });
        continue;
      }
      body.push(line);
      if (/[.!?:]$/.test(line)) flush();
    }
    flush();
  }
  return blocks;
}

/** Markdown: `#` headings name sections; paragraphs and list items are blocks; links keep their words. */
export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let heading: string | null = null;
  let body: string[] = [];
  const clean = (line: string) =>
    line
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/[*_`~]+/g, '')
      .replace(/^\s*(?:[-+*]|\d+[.)])\s+/, '')
      .replace(/^>\s?/, '')
      .trim();
  const flush = () => {
    const joined = body.join(' ').trim();
    if (joined) blocks.push({ heading, text: joined });
    body = [];
  };
  let fenced = false;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    // code says nothing a customer asks about
    if (fenced) continue;
    const title = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (title) {
      flush();
      heading = clean(title[1]!);
      blocks.push({ heading, text: '' });
      continue;
    }
    if (!line.trim() || /^\s*(?:[-+*]|\d+[.)])\s+/.test(line) || /^\s*\|?\s*:?-{3,}/.test(line)) flush();
    const cleaned = clean(line.replace(/\|/g, ' '));
    if (cleaned && !/^:?-{3,}:?$/.test(cleaned)) body.push(cleaned);
  }
  flush();
  return blocks;
}

/** Named entities: the markup ones, punctuation, and every accented letter Portuguese uses (&ecirc;, &ccedil;…). */
const entities: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', laquo: '«', raquo: '»',
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', ordm: 'º', ordf: 'ª', deg: '°', ccedil: 'ç', Ccedil: 'Ç', ntilde: 'ñ', Ntilde: 'Ñ',
  ...Object.fromEntries(
    [...'aeiouAEIOU'].flatMap((letter) =>
      Object.entries({ acute: '\u0301', grave: '\u0300', circ: '\u0302', tilde: '\u0303', uml: '\u0308' }).map(([name, mark]) => [`${letter}${name}`, `${letter}${mark}`.normalize('NFC')]),
    ),
  ),
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return entities[name] ?? entities[name.toLowerCase()] ?? whole;
  });
}

/** HTML (and DOCX through it): h1–h6 name sections; p, li, td, br and divs part blocks; scripts and styles are dropped. */
export function htmlBlocks(html: string): Block[] {
  const marked = html
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<h[1-6]\b[^>]*>([\s\S]*?)<\/h[1-6]>/gi, (_, inner: string) => `\n\u0001${inner.replace(/<[^>]+>/g, ' ')}\n`)
    .replace(/<(?:br|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/?(?:p|div|li|ul|ol|tr|td|th|table|section|article|blockquote|header|footer|dd|dt)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ');
  const blocks: Block[] = [];
  let heading: string | null = null;
  for (const raw of decodeEntities(marked).split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line || line === '\u0001') continue;
    if (line.startsWith('\u0001')) {
      heading = line.slice(1).trim() || heading;
      blocks.push({ heading, text: '' });
    } else blocks.push({ heading, text: line });
  }
  return blocks;
}

/**
 * RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks. The separator is
 * the one given, else `;` when the first line has more of them than commas.
 */
export function csvRows(text: string, separator = detectSeparator(text)): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && !field) quoted = true;
    else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows.filter((cells) => cells.some((cell) => cell.trim()));
}

function detectSeparator(text: string): ';' | ',' {
  const firstLine = text.split('\n', 1)[0] ?? '';
  return (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** A CSV of FAQ pairs: question, answer (a header row naming them is skipped); each pair is its own passage. */
export function csvBlocks(text: string): Block[] {
  const rows = csvRows(text);
  const header = rows[0]?.map((cell) => cell.trim().toLowerCase()) ?? [];
  const named = header.some((cell) => /pergunta|question/.test(cell));
  const question = named ? Math.max(0, header.findIndex((cell) => /pergunta|question/.test(cell))) : 0;
  const answer = named ? header.findIndex((cell) => /resposta|answer/.test(cell)) : 1;
  if (answer < 0) throw new DocumentError('the CSV needs a question column and an answer column');
  return rows.slice(named ? 1 : 0).flatMap((cells) => {
    const q = cells[question]?.trim();
    const a = cells[answer]?.trim();
    return q && a ? [{ heading: q, text: a, standalone: true }] : [];
  });
}
