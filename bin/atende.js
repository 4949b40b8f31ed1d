#!/usr/bin/env node
// Operator commands run from the TypeScript sources through tsx, so there is no build step.
require('tsx/cjs');
require('../cli/main.ts');
