import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { moduleBeside } from '../module-worker.js';
import { openSqlite } from './sqlite.js';
import type { TestMethods } from './writer-thread.fixtures.js';
import { writerMethods } from './writer-thread.fixtures.js';
import { WriterThread } from './writer-thread.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-writer-thread-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const methods = moduleBeside(import.meta.url, 'writer-thread.fixtures');

function open(file: string, fallback = false) {
  const database = openSqlite(path.join(dir, file));
  const thread = new WriterThread<TestMethods>(database, {
    methods,
    name: 'test writer',
    ...(fallback ? { fallback: writerMethods(database) } : {}),
  });
  return { database, thread };
}

// The generic writer thread (platform/db/writer-thread.ts) with a table of its own: what cases and
// telemetry rely on, independent of either.
describe('WriterThread', () => {
  it('refuses SQLite in memory', async () => {
    const memory = openSqlite(':memory:');
    expect(() => new WriterThread<TestMethods>(memory, { methods, name: 'test writer' })).toThrow(/file/);
    await memory.close();
  });

  it('runs the table on its own connection and answers once the write is visible to others', async () => {
    const { database, thread } = open('a.sqlite');
    await thread.ready;
    const ids = await Promise.all(['a', 'b', 'c'].map((v) => thread.call('put', [v])));
    expect(ids).toEqual([1, 2, 3]); // in call order
    const other = new BetterSqlite3(path.join(dir, 'a.sqlite'), { readonly: true });
    expect(other.prepare('SELECT count(*) AS n FROM writer_test').get()).toEqual({ n: 3 });
    other.close();
    await thread.stop();
    await database.close();
  });

  it('carries an AppError across with its code, status and details; other errors keep their code', async () => {
    const { database, thread } = open('b.sqlite');
    await thread.call('put', ['x']);
    const conflict = await thread.call('conflict', []).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(AppError);
    expect(conflict).toMatchObject({ code: 'CASE_CONFLICT', status: 409, details: { caseId: 'c1' } });
    await expect(thread.call('duplicate', [1])).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    // A method the table lacks is refused, and the thread goes on.
    await expect(
      (thread as unknown as WriterThread<{ nothing: () => void }>).call('nothing', []),
    ).rejects.toThrow(/no writer method/);
    expect(await thread.call('put', ['y'])).toBe(2);
    await thread.stop();
    await database.close();
  });

  it('moves a transferred buffer instead of copying it', async () => {
    const { database, thread } = open('c.sqlite');
    const bytes = new Uint8Array(1024);
    expect(await thread.call('byteLength', [bytes], [bytes.buffer])).toBe(1024);
    expect(bytes.byteLength).toBe(0); // detached here: it went to the thread
    await thread.stop();
    await database.close();
  });

  it('drains the calls outstanding on stop, then refuses calls as closed', async () => {
    const { database, thread } = open('d.sqlite');
    await thread.ready;
    const slow = [thread.call('putLater', ['slow', 150]), thread.call('put', ['fast'])];
    expect(thread.inFlight).toBe(2);
    await thread.stop();
    expect(await Promise.all(slow)).toEqual([2, 1]); // the fast one ran while the slow one waited
    expect(thread.failed).toBe(true);
    await expect(thread.call('put', ['late'])).rejects.toThrow(/test writer is closed/);
    await database.close();
  });

  it('fails the calls in flight when the thread dies, then runs later calls on the fallback', async () => {
    const { database, thread } = open('e.sqlite', true);
    await thread.ready;
    const inFlight = thread.call('putLater', ['lost', 2_000]);
    // No public way to crash it: end the worker from outside, as a fatal error in it would.
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(inFlight).rejects.toThrow(/test writer thread exited/);
    expect(thread.failed).toBe(true);
    expect(await thread.call('put', ['here'])).toBe(1); // on this thread's connection
    const conflict = thread.call('conflict', []);
    await expect(conflict).rejects.toBeInstanceOf(AppError);
    await thread.stop(); // nothing left to stop
    await database.close();
  });
});
