import type { EncodedPieces } from './memtable.js';
import type { HourRollup } from './rollup.js';
import type { ReadingColumns } from './reading.types.js';

/** One committed entry of the ingest log: a batch in the log layout (see reading-codec). */
export interface LogEntry {
  id: number;
  bytes: Uint8Array;
}

/** Stored raw readings of one sensor and hour: a flush piece, or the hour's compacted chunk. */
export interface StoredChunk {
  hour: number;
  /** Newer wins on a repeated ts: the last ingest log id the data covers. */
  seq: number;
  bytes: Uint8Array;
}

/** What one sensor has stored in a range of hours, read from one consistent snapshot. */
export interface SensorSlice {
  /** Compacted chunks (at most one per hour). */
  chunks: StoredChunk[];
  /** Flush pieces not yet compacted (several per hour possible). */
  pieces: StoredChunk[];
  rollups: HourRollup[];
}

/** What one compaction call did. */
export interface CompactionResult {
  /** (sensor, hour) pairs compacted. */
  pairs: number;
  readings: number;
}

/** An hour with pieces to compact: its highest seq and the highest sensor key with pieces anywhere. */
export interface DueHour {
  hour: number;
  maxSeq: number;
  maxKey: number;
}

/**
 * Storage for readings: a durable ingest log of committed batches, flush pieces per (sensor, hour),
 * compacted per-(sensor, hour) chunks and per-(sensor, hour) rollup rows. The engine-independent
 * logic (group commit, memtable, merging, queries) lives in ReadingStore; implementations only
 * move bytes, except `compact`, which merges with the shared functions in compaction.ts.
 */
export interface ReadingRepository {
  /**
   * Makes the caller the database's one ingest writer until released: a flush drops log entries by
   * id, which is only safe with a single ReadingStore per database. Rejects if another holds it.
   */
  claimWriter(): Promise<{ release(): Promise<void> }>;
  /** Durably appends one encoded batch; resolves with its log id, greater than every earlier one. */
  appendLog(bytes: Uint8Array): Promise<number>;
  /** Log entries with id > afterId, oldest first, at most `limit` (start-up replay). */
  readLog(afterId: number, limit: number): Promise<LogEntry[]>;
  /**
   * Stores one slice of a flush's pieces, in one transaction. A flush writes its slices, then
   * drops the log entries it covers: a crash in between leaves the log in place, and the restart
   * flushes the same readings again under a newer seq, which is harmless.
   */
  writePieces(pieces: EncodedPieces): Promise<void>;
  /** Deletes the ingest log entries with id ≤ upToId (their readings are in pieces now). */
  dropLog(upToId: number): Promise<void>;
  /** Whether `hour` has pieces not yet compacted. */
  hasPieces(hour: number): Promise<boolean>;
  /** The oldest hour before `beforeHour` that has pieces, if any. */
  dueForCompaction(beforeHour: number): Promise<DueHour | undefined>;
  /**
   * Compacts sensors fromKey..toKey of one hour in one transaction: their pieces with seq ≤ maxSeq
   * are merged into the hour's chunk, the rollup is rewritten, and those pieces are deleted.
   */
  compact(hour: number, fromKey: number, toKey: number, maxSeq: number): Promise<CompactionResult>;
  /**
   * One sensor's data for hours [fromHour, toHour]. With `rollups`, it returns the rollup rows, the
   * pieces, and the chunks only of hours that have pieces or are listed in `rawHours`; without,
   * every chunk and piece and no rollups.
   */
  readSensor(
    key: number,
    fromHour: number,
    toHour: number,
    options: { rollups: boolean; rawHours?: readonly number[] },
  ): Promise<SensorSlice>;
  /** The stored reading with the greatest ts of every sensor (ties: the newest), for start-up. */
  latestStored(): Promise<ReadingColumns>;
  /**
   * Deletes up to `limit` rows that have aged out: chunks of hours before rawBeforeHour and rollups
   * of hours before rollupBeforeHour. Resolves with the number deleted; call again until 0.
   */
  deleteBefore(rawBeforeHour: number, rollupBeforeHour: number, limit: number): Promise<number>;
}
