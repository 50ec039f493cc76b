import { moduleBeside } from '../../platform/module-worker.js';
import type { SqliteDatabase } from '../../platform/db/database.js';
import { WriterThread } from '../../platform/db/writer-thread.js';
import type { EncodedPieces } from './memtable.js';
import type { ReadingWriterMethods } from './reading-writer.methods.js';
import { SqliteReadingRepository } from './reading.repository.sqlite.js';
import type {
  CompactionResult,
  DueHour,
  LogEntry,
  ReadingRepository,
  SensorSlice,
} from './reading.repository.js';
import type { ReadingColumns } from './reading.types.js';

/**
 * The SQLite ReadingRepository with its writes on a worker thread (its own connection to the same
 * file), reads on the caller's connection.
 *
 * Why: better-sqlite3 blocks its thread for the whole of a statement, and a durable commit includes
 * an fsync (a few milliseconds here, far more on a busy disk), a flush of a million readings takes
 * ~0.4 s and compaction as long per batch. On the HTTP thread that would stall request parsing
 * for all of it; on a worker the event loop stays free and the second core does the writing.
 * Measured with bench/ingest.bench.ts on this 2-core machine; see docs/telemetry.md.
 * The thread is platform/db/writer-thread.ts running reading-writer.methods.ts; SQLite in memory
 * (':memory:') cannot be shared between threads: use SqliteReadingRepository.
 */
export class ReadingWriter implements ReadingRepository {
  private readonly thread: WriterThread<ReadingWriterMethods>;
  private readonly reads: SqliteReadingRepository;
  /** Resolves once the worker has opened its connection; await it before taking commits. */
  readonly ready: Promise<void>;

  constructor(database: SqliteDatabase) {
    // No fallback: a writer that died fails every later write, and the store reports it.
    this.thread = new WriterThread(database, {
      methods: moduleBeside(import.meta.url, 'reading-writer.methods'),
      name: 'telemetry writer',
    });
    this.ready = this.thread.ready;
    this.reads = new SqliteReadingRepository(database);
  }

  appendLog(bytes: Uint8Array): Promise<number> {
    // A SharedArrayBuffer (see concatColumns) is shared with the worker, not copied.
    return this.thread.call('appendLog', [bytes]);
  }

  async writePieces(pieces: EncodedPieces): Promise<void> {
    // Transferred, not copied: the slice is not used again here.
    const buffers = [
      pieces.keys,
      pieces.hours,
      pieces.lastTs,
      pieces.last,
      pieces.offsets,
      pieces.lengths,
      pieces.data,
    ]
      .map((a) => a.buffer)
      .filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
    await this.thread.call('writePieces', [pieces], buffers);
  }

  dropLog(upToId: number): Promise<void> {
    return this.thread.call('dropLog', [upToId]);
  }

  compact(hour: number, fromKey: number, toKey: number, maxSeq: number): Promise<CompactionResult> {
    return this.thread.call('compact', [hour, fromKey, toKey, maxSeq]);
  }

  hasPieces(hour: number): Promise<boolean> {
    return this.thread.call('hasPieces', [hour]);
  }

  // On the worker, beside the compaction it prepares: nothing of compaction on the HTTP thread.
  dueForCompaction(beforeHour: number): Promise<DueHour | undefined> {
    return this.thread.call('dueForCompaction', [beforeHour]);
  }

  deleteBefore(rawBeforeHour: number, rollupBeforeHour: number, limit: number): Promise<number> {
    return this.thread.call('deleteBefore', [rawBeforeHour, rollupBeforeHour, limit]);
  }

  claimWriter(): Promise<{ release(): Promise<void> }> {
    return this.reads.claimWriter();
  }

  readLog(afterId: number, limit: number): Promise<LogEntry[]> {
    return this.reads.readLog(afterId, limit);
  }

  readSensor(
    key: number,
    fromHour: number,
    toHour: number,
    options: { rollups: boolean; rawHours?: readonly number[] },
  ): Promise<SensorSlice> {
    return this.reads.readSensor(key, fromHour, toHour, options);
  }

  latestStored(): Promise<ReadingColumns> {
    return this.reads.latestStored();
  }

  /** Waits for the writes outstanding, closes the worker's connection and ends the thread. */
  close(): Promise<void> {
    return this.thread.stop();
  }
}
