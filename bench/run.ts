// `npm run bench`: runs every bench/*.bench.ts in its own process (so one benchmark's heap and JIT
// state do not colour the next), one after another, and prints each one's closing verdict line.
// `npm run bench -- lookup` runs only the benchmarks whose file name contains "lookup".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}\n`);
  process.exit(1);
}

const verdicts: string[] = [];
let failed = false;
for (const file of files) {
  process.stdout.write(`\n━━ ${file} ━━\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0) {
    failed = true;
    verdicts.push(`${file}: FAILED (exit ${result.status ?? result.signal})`);
    continue;
  }
  const last = result.stdout.trim().split('\n').pop();
  if (last) verdicts.push(last);
}
process.stdout.write(
  `\n━━ summary (${new Date().toISOString()}, node ${process.version}) ━━\n${verdicts.join('\n')}\n`,
);
process.exit(failed ? 1 : 0);
