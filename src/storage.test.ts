import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqliteCaseRepository } from './cases/case.repository.sqlite.js';
import { openStorage } from './storage.js';
import { memoryStorage } from './test-support/app.js';
import { ReadingWriter } from './telemetry/store/reading-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-storage-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Storage owns what its repositories run beside the database, so the app never asks which engine.
describe('Storage.start and stop', () => {
  it('starts the cases’ and telemetry’s writer threads on a SQLite file, and stops them', async () => {
    const storage = await openStorage({ dataDir: dir, databaseUrl: undefined });
    const local = storage.repositories.readings;
    const cases = storage.repositories.cases as SqliteCaseRepository;
    await storage.start();
    await storage.start(); // once only
    expect(cases.writesOnThread).toBe(true);
    expect(storage.repositories.readings).toBeInstanceOf(ReadingWriter);
    expect(await storage.repositories.readings.appendLog(new Uint8Array(20))).toBe(1);
    await storage.stop();
    expect(cases.writesOnThread).toBe(false);
    expect(storage.repositories.readings).toBe(local);
    expect((await local.readLog(0, 10)).map((e) => e.id)).toEqual([1]);
    await storage.stop(); // nothing left to stop
    await storage.start({ caseWriterThread: false }); // and again, cases staying on this thread
    expect(cases.writesOnThread).toBe(false);
    expect(storage.repositories.readings).toBeInstanceOf(ReadingWriter);
    await storage.stop();
    await storage.database.close();
  });

  it('starts nothing for SQLite in memory', async () => {
    const storage = await memoryStorage();
    const readings = storage.repositories.readings;
    await storage.start();
    expect(storage.repositories.readings).toBe(readings);
    expect((storage.repositories.cases as SqliteCaseRepository).writesOnThread).toBe(false);
    await storage.stop();
    await storage.database.close();
  });
});
