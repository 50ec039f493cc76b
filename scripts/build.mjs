#!/usr/bin/env node
// Builds the server (tsc → dist/) and the dashboard (vite → web/dist/).
// With --if-needed (npm start, npm install's prepare) it skips each part whose output is newer
// than all of its inputs, so a second `npm start` starts at once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ifNeeded = process.argv.includes('--if-needed');

/** Newest modification time of any file under the given paths (0 when none exist). */
function newest(paths) {
  let max = 0;
  const visit = (p) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p)) {
        if (entry !== 'node_modules' && entry !== 'dist') visit(path.join(p, entry));
      }
    } else max = Math.max(max, stat.mtimeMs);
  };
  for (const p of paths) visit(path.join(root, p));
  return max;
}

function stale(output, inputs) {
  const out = path.join(root, output);
  return !ifNeeded || !fs.existsSync(out) || fs.statSync(out).mtimeMs < newest(inputs);
}

function run(label, command, args) {
  process.stdout.write(`cityops build: ${label}…\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`cityops build: ${label} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`cityops build: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
if (!fs.existsSync(bin('tsc'))) {
  if (fs.existsSync(path.join(root, 'dist/main.js'))) process.exit(0);
  process.stderr.write('cityops build: TypeScript is not installed; run `npm install` first.\n');
  process.exit(1);
}

if (stale('dist/.built', ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])) {
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  run('server (tsc)', bin('tsc'), ['-p', 'tsconfig.build.json']);
  fs.writeFileSync(path.join(root, 'dist/.built'), new Date().toISOString());
}
if (
  stale('web/dist/index.html', ['web', 'src/jurisdictions/jurisdiction.schema.ts', 'src/live/live.types.ts'])
) {
  run('dashboard (vite)', bin('vite'), ['build', 'web', '--logLevel', 'warn']);
  reportInitialJs();
}

/** Prints the gzipped size of the JavaScript index.html loads, against the 1 MB budget (issue 7). */
function reportInitialJs() {
  const dist = path.join(root, 'web/dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
    (m) => m[1],
  );
  const bytes = files.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(dist, f))).length, 0);
  const verdict = bytes < 1024 * 1024 ? 'within' : 'OVER';
  process.stdout.write(
    `cityops build: dashboard initial JS ${(bytes / 1024).toFixed(0)} KiB gzipped (${verdict} the 1 MB budget)\n`,
  );
}
