/**
 * History size per customer turn, from the committed histories (test/histories/*.binpb):
 *   npm run bench:history
 * A conversation's history grows with every turn; continue-as-new keeps it bounded, and this
 * keeps each turn's share small enough that a long conversation continues rarely.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';

const directory = path.join(__dirname, '..', 'test', 'histories');
const rows: string[][] = [['history', 'events', 'customer turns', 'events per turn', 'bytes per turn']];
for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.binpb')).sort()) {
  const bytes = fs.readFileSync(path.join(directory, file));
  const history = temporal.api.history.v1.History.decode(bytes);
  const turns = history.events.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'sendMessage').length;
  rows.push([file, String(history.events.length), String(turns), turns ? (history.events.length / turns).toFixed(1) : '-', turns ? String(Math.round(bytes.length / turns)) : '-']);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
