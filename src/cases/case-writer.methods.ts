// The case writer thread's method table: the group commit on the thread's own connection
// (platform/db/writer-thread.ts runs it; SqliteCaseRepository sends the groups).
import type { SqliteDatabase } from '../platform/db/database.js';
import { receiveError, sendError, type SentError } from '../platform/db/writer-thread.js';
import { CaseBatchWriter, type CommitBatch, type CommitOutcome } from './case-batch-writer.js';
import type { CaseEventRecord } from './case.types.js';

/** One caller's outcome as it crosses the thread: its error keeps its code (CASE_CONFLICT). */
export type SentOutcome = { ok: true; events: CaseEventRecord[] } | { ok: false; error: SentError };

/** A group's outcomes made ready for postMessage. */
export function sendOutcomes(outcomes: readonly CommitOutcome[]): SentOutcome[] {
  return outcomes.map((o) => (o.ok ? o : { ok: false, error: sendError(o.error) }));
}

/** The outcomes again on the caller's side. */
export function receiveOutcomes(outcomes: readonly SentOutcome[]): CommitOutcome[] {
  return outcomes.map((o) => (o.ok ? o : { ok: false, error: receiveError(o.error) }));
}

/** The group commit, run on a connection: the writer thread's, or the caller's as its fallback. */
export function writerMethods(database: SqliteDatabase, writer = new CaseBatchWriter(database.db)) {
  return {
    write: (batch: CommitBatch): SentOutcome[] => sendOutcomes(writer.write(batch)),
  };
}

/** The table as the caller's side types it. */
export type CaseWriterMethods = ReturnType<typeof writerMethods>;
