// Reads a PDF's text in a worker thread (adapters/documents.ts starts it): pdf.js is CPU-heavy and
// would otherwise hold the activity worker's event loop (heartbeats, other activities) while it parses.
import { parentPort, workerData } from 'node:worker_threads';
import { PDFParse } from 'pdf-parse';

const parser = new PDFParse({ data: new Uint8Array(workerData) });
try {
  const result = await parser.getText();
  parentPort.postMessage({ text: result.text, pages: result.total });
} catch (error) {
  parentPort.postMessage({ error: String(error?.message ?? error) });
} finally {
  await parser.destroy().catch(() => undefined);
}
