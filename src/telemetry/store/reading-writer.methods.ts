// The telemetry writer thread's method table: the SQLite ReadingRepository's writing methods, on
// the thread's own connection (platform/db/writer-thread.ts runs it).
import type { SqliteDatabase } from '../../platform/db/database.js';
import { SqliteReadingRepository } from './reading.repository.sqlite.js';

/** The writes of the reading store, run on the writer thread's connection. */
export function writerMethods(database: SqliteDatabase) {
  const repository = new SqliteReadingRepository(database);
  return {
    appendLog: repository.appendLog.bind(repository),
    writePieces: repository.writePieces.bind(repository),
    dropLog: repository.dropLog.bind(repository),
    hasPieces: repository.hasPieces.bind(repository),
    dueForCompaction: repository.dueForCompaction.bind(repository),
    compact: repository.compact.bind(repository),
    deleteBefore: repository.deleteBefore.bind(repository),
  };
}

/** The table as the caller's side types it. */
export type ReadingWriterMethods = ReturnType<typeof writerMethods>;
