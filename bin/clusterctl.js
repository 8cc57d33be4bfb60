#!/usr/bin/env node
// The package's command: runs the compiled CLI (npm ci builds it through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('clusterctl: dist/ is missing; run `npm run build` (npm ci does it) in the clusterd folder\n');
  process.exit(2);
}
await import(entry.href);
