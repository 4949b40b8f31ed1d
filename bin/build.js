#!/usr/bin/env node
// Compiles the production code into dist/ (tsc, no source maps) and copies what it reads at run
// time (migrations, the demo catalog, the pages). `npm ci` runs it (prepare); bin/atende.js runs
// dist/ when it is newer than every source, and the TypeScript through tsx otherwise.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const started = Date.now();
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
for (const asset of ['db/migrations', 'db/demo-catalog.json', 'web', 'adapters/pdf-worker.mjs']) {
  fs.cpSync(path.join(root, asset), path.join(dist, asset), { recursive: true });
}
fs.writeFileSync(path.join(dist, '.built'), new Date().toISOString());
console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
