// Child process of ingest-crash.test.ts: ingests batches as fast as it can through the production
// path (SQLite file, writer thread, flushes and compaction running) and prints "ack <id>" for each
// batch only after append() resolved. The test kills it with SIGKILL at a random moment.
// Usage: node --import tsx ingest-crash-child.fixtures.ts <data dir> <first batch id>
import path from 'node:path';
import { openEngineOnFile } from '../../test-support/telemetry-engine.js';
import { crashBatch } from './ingest-crash.fixtures.js';

const [dir = '.', first = '0'] = process.argv.slice(2);
const { engine } = await openEngineOnFile(path.join(dir, 'cityops.sqlite'), {
  // The data lies in early 2026: keep it from ageing out while the test looks at it.
  config: { rawRetentionDays: 36_500, rollupRetentionDays: 36_500, ingestMaxPending: 50_000 },
  // Small flushes, jobs every 20 ms and no grace: the kill lands amid flushes and compactions too.
  tuning: { flushReadings: 20_000, intervalMs: 20, compactionGraceMs: 0, compactionBatch: 100 },
});
let next = Number(first);
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (;;) {
      const id = next++;
      await engine.store.append(crashBatch(id));
      // Pipes are written synchronously on Linux: once this returns, the parent can see the line.
      process.stdout.write(`ack ${id}\n`);
    }
  }),
);
