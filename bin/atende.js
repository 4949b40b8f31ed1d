#!/usr/bin/env node
// Runs the compiled commands in dist/ when they are newer than every source file (npm ci builds
// them), and the TypeScript sources through tsx otherwise (development, or edits since the build).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCES = ['env.ts', 'workflows', 'activities', 'workers', 'api', 'temporal', 'domain', 'db', 'lib', 'adapters', 'cli', 'web'];

function newest(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) latest = Math.max(latest, newest(path.join(file, entry)));
  return latest;
}

function compiledIsFresh() {
  const stamp = fs.statSync(path.join(root, 'dist', '.built'), { throwIfNoEntry: false });
  if (!stamp || process.env.ATENDE_FROM_SOURCE === '1') return false;
  return SOURCES.every((source) => newest(path.join(root, source)) <= stamp.mtimeMs);
}

if (compiledIsFresh()) {
  require('../dist/cli/main.js');
} else {
  require('tsx/cjs');
  require('../cli/main.ts');
}
