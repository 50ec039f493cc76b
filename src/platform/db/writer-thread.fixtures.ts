// A method table for writer-thread.test.ts: a few writes and failures on the thread's connection.
import { AppError } from '../../errors.js';
import type { SqliteDatabase } from './database.js';

/** Writes to a scratch table, and the failures the RPC must carry across the thread. */
export function writerMethods(database: SqliteDatabase) {
  const { db } = database;
  db.exec('CREATE TABLE IF NOT EXISTS writer_test (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO writer_test (value) VALUES (?)');
  return {
    put: (value: string): number => Number(insert.run(value).lastInsertRowid),
    /** Waits, then writes: calls that arrive meanwhile run (an asynchronous method). */
    putLater: async (value: string, ms: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return Number(insert.run(value).lastInsertRowid);
    },
    conflict: (): never => {
      throw new AppError('CASE_CONFLICT', 'changed meanwhile', { caseId: 'c1' });
    },
    duplicate: (id: number): void => {
      db.prepare('INSERT INTO writer_test (id, value) VALUES (?, ?)').run(id, 'again');
    },
    byteLength: (bytes: Uint8Array): number => bytes.byteLength,
  };
}

/** The table as the caller's side types it. */
export type TestMethods = ReturnType<typeof writerMethods>;
