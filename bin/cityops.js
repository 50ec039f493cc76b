#!/usr/bin/env node
// The `cityops` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare)
// and by `npm start`; run `npm run build` if dist/ is missing.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cityops: not built yet — run `npm run build` in the cityops folder first.\n');
  process.exit(1);
}
await import(entry.href);
