import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../platform/bus/in-process-bus.js';
import { migrate } from '../../platform/db/migrate.js';
import { openSqlite } from '../../platform/db/sqlite.js';
import { createRepositories, MIGRATIONS } from '../../storage.js';
import { CRASH_BASE, CRASH_SENSORS, crashBatch } from './ingest-crash.fixtures.js';
import { ReadingStore } from './reading-store.js';

const fixture = fileURLToPath(new URL('./ingest-crash-child.fixtures.ts', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the fixture until it has acknowledged `acks` batches (plus a random moment), then SIGKILLs it. */
async function ingestAndKill(first: number, acks: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, String(first)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked: number[] = [];
  let buffered = '';
  let killing = false;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    // 'close' comes after stdout has been read to its end, so no ack line is lost.
    child.on('close', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`fixture exited by itself (${code ?? signal})`)),
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      // Every ack counts, up to the last line written before the kill: those are the risky ones.
      for (const line of lines) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      if (acked.length >= acks && !killing) {
        killing = true;
        // Kill mid-stream, at a moment the fixture does not choose.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 50));
      }
    });
  });
  return acked;
}

/** Every stored reading of the crash sensors, as key:ts → value. */
async function storedReadings(): Promise<Map<string, number>> {
  const database = openSqlite(path.join(dir, 'cityops.sqlite'));
  await migrate(database, MIGRATIONS);
  const bus = new InProcessBus();
  const store = await ReadingStore.open({ repository: createRepositories(database).readings, bus });
  const found = new Map<string, number>();
  for (let key = 1; key <= CRASH_SENSORS; key++) {
    const series = await store.series(key, {
      from: CRASH_BASE,
      to: CRASH_BASE + 24 * 3_600_000,
      bucket: 'raw',
    });
    for (const p of series.points) if ('value' in p) found.set(`${key}:${p.ts}`, p.value);
  }
  await store.close();
  await bus.close();
  await database.close();
  return found;
}

describe('ingest after SIGKILL', () => {
  it('keeps every acknowledged reading, across two crashes', async () => {
    const acked = await ingestAndKill(0, 400);
    // The second run starts where the first was killed: it replays the first run's log on open.
    acked.push(...(await ingestAndKill(100_000, 400)));
    expect(acked.length).toBeGreaterThanOrEqual(800);
    const stored = await storedReadings();
    const missing: string[] = [];
    for (const id of acked) {
      for (const r of crashBatch(id)) {
        if (stored.get(`${r.key}:${r.ts}`) !== r.value) missing.push(`batch ${id} key ${r.key} ts ${r.ts}`);
      }
    }
    expect(missing.slice(0, 5)).toEqual([]);
  }, 120_000);
});
