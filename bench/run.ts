// `npm run bench`: runs every bench/*.bench.ts in its own process (so one benchmark's heap and JIT
// state do not colour the next), one after another, and prints each one's closing verdict line.
// `npm run bench -- lookup` runs only the benchmarks whose file name contains "lookup".
// `npm run bench -- --full` runs the city-scale figures: the cases benchmark on 20 million cases
// (about an hour to seed the first time, 41 GiB) instead of the default 1 million, which keeps the
// whole default run under 15 minutes and 5 GiB of disk on a laptop.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const full = args.includes('--full');
const filters = args.filter((a) => a !== '--full');
/** Cases seeded by cases.bench.ts: 1 M by default, 20 M with --full; CITYOPS_BENCH_CASES wins. */
const benchEnv = {
  ...process.env,
  CITYOPS_BENCH_CASES: process.env.CITYOPS_BENCH_CASES ?? (full ? '20000000' : '1000000'),
};
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}\n`);
  process.exit(1);
}

const started = performance.now();
const verdicts: string[] = [];
let failed = false;
for (const file of files) {
  process.stdout.write(`\n━━ ${file} ━━\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: benchEnv,
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
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
process.stdout.write(
  `\n━━ summary (${new Date().toISOString()}, node ${process.version}, ${minutes} min${full ? ', --full' : ''}) ━━\n${verdicts.join('\n')}\n`,
);
process.exit(failed ? 1 : 0);
