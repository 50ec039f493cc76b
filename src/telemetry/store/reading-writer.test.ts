import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { migrate } from '../../platform/db/migrate.js';
import { openSqlite } from '../../platform/db/sqlite.js';
import { MIGRATIONS } from '../../storage.js';
import { ReadingWriter } from './reading-writer.js';
import { HOUR_MS } from './reading.types.js';
import { openEngineOnFile } from '../../test-support/telemetry-engine.js';

const T0 = Date.UTC(2026, 0, 5, 8);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const engineOn = (file: string, clock: () => number) =>
  openEngineOnFile(path.join(dir, file), { config: loadConfig({}), clock });

describe('the writer thread (SQLite file)', () => {
  it('stores, flushes, compacts and reopens with writes on the worker and reads on the caller', async () => {
    let now = T0 + HOUR_MS;
    const first = await engineOn('a.sqlite', () => now);
    const { store, jobs } = first.engine;
    await store.append(Array.from({ length: 120 }, (_, i) => ({ key: 1, ts: T0 + i * 30_000, value: i })));
    await store.flush();
    await store.append([{ key: 2, ts: T0, value: 5 }]); // left in the log only
    now = T0 + 3 * HOUR_MS;
    expect((await jobs.compactDue()).readings).toBe(120);
    await first.close();

    const second = await engineOn('a.sqlite', () => now);
    const reopened = second.engine.store;
    expect(reopened.latestOf(1)).toEqual({ key: 1, ts: T0 + 119 * 30_000, value: 119 });
    expect(reopened.latestOf(2)).toEqual({ key: 2, ts: T0, value: 5 });
    const hourly = await reopened.series(1, { from: T0, to: T0 + HOUR_MS, bucket: '1h' });
    expect(hourly.points).toEqual([
      { ts: T0, min: 0, max: 119, avg: 59.5, count: 120, last: 119 },
      // The next hour starts at reading 120: none.
    ]);
    await second.close();
  });

  it('refuses an in-memory database, and rejects calls once closed', async () => {
    const memory = openSqlite(':memory:');
    expect(() => new ReadingWriter(memory)).toThrow(/file/);
    await memory.close();
    const database = openSqlite(path.join(dir, 'b.sqlite'));
    await migrate(database, MIGRATIONS);
    const writer = new ReadingWriter(database);
    expect(await writer.appendLog(new Uint8Array(20))).toBe(1);
    await writer.close();
    await expect(writer.appendLog(new Uint8Array(20))).rejects.toThrow(/closed/);
    await database.close();
  });
});
