import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../platform/module-worker.js';
import type { SqliteDatabase } from '../../platform/db/database.js';
import type { EncodedPieces } from './memtable.js';
import { SqliteReadingRepository } from './reading.repository.sqlite.js';
import type {
  CompactionResult,
  DueHour,
  LogEntry,
  ReadingRepository,
  SensorSlice,
} from './reading.repository.js';
import type { ReadingColumns } from './reading.types.js';

type Writes = Pick<
  ReadingRepository,
  'appendLog' | 'writePieces' | 'dropLog' | 'hasPieces' | 'dueForCompaction' | 'compact' | 'deleteBefore'
>;

/** A call to the writer thread. */
export type WriterRequest =
  | {
      [M in keyof Writes]: { id: number; method: M; args: Parameters<Writes[M]> };
    }[keyof Writes]
  | { id: number; method: 'close'; args: [] };

/** The writer thread's answer to one request. */
export type WriterResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code: string | undefined } };

/**
 * The SQLite ReadingRepository with its writes on a worker thread (its own connection to the same
 * file), reads on the caller's connection.
 *
 * Why: better-sqlite3 blocks its thread for the whole of a statement, and a durable commit includes
 * an fsync (a few milliseconds here, far more on a busy disk), a flush of a million readings takes
 * ~0.4 s and compaction as long per batch. On the HTTP thread that would stall request parsing
 * for all of it; on a worker the event loop stays free and the second core does the writing.
 * Measured with bench/ingest.bench.ts on this 2-core machine; see docs/telemetry.md.
 * SQLite in memory (':memory:') cannot be shared between threads: use SqliteReadingRepository.
 */
export class ReadingWriter implements ReadingRepository {
  private readonly worker: Worker;
  private readonly reads: SqliteReadingRepository;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  private nextId = 1;
  private failure: Error | undefined;
  /** Resolves once the worker has opened its connection; await it before taking commits. */
  readonly ready: Promise<void>;

  constructor(database: SqliteDatabase) {
    if (database.location === ':memory:') throw new Error('ReadingWriter needs a SQLite file, not :memory:');
    this.reads = new SqliteReadingRepository(database);
    this.worker = startModuleWorker(import.meta.url, 'reading-writer.worker', {
      location: database.location,
      cacheMiB: database.cacheMiB,
    });
    // Referenced only while a call is outstanding: an idle writer does not keep the process alive,
    // a busy one does (so `await store.append(…)` at the end of a script still completes).
    this.worker.unref();
    this.worker.on('message', (response: WriterResponse) => this.settle(response));
    // Message id 0 is the worker's "ready": held open (referenced) until it arrives.
    this.ready = new Promise((resolve, reject) => this.waiting.set(0, { resolve: () => resolve(), reject }));
    this.ready.catch(() => undefined); // a start-up failure also fails every call; not unhandled
    this.worker.ref();
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`telemetry writer thread exited (code ${code})`)));
  }

  appendLog(bytes: Uint8Array): Promise<number> {
    // A SharedArrayBuffer (see concatColumns) is shared with the worker, not copied.
    return this.call({ id: 0, method: 'appendLog', args: [bytes] }) as Promise<number>;
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
    await this.call({ id: 0, method: 'writePieces', args: [pieces] }, buffers);
  }

  async dropLog(upToId: number): Promise<void> {
    await this.call({ id: 0, method: 'dropLog', args: [upToId] });
  }

  compact(hour: number, fromKey: number, toKey: number, maxSeq: number): Promise<CompactionResult> {
    return this.call({
      id: 0,
      method: 'compact',
      args: [hour, fromKey, toKey, maxSeq],
    }) as Promise<CompactionResult>;
  }

  hasPieces(hour: number): Promise<boolean> {
    return this.call({ id: 0, method: 'hasPieces', args: [hour] }) as Promise<boolean>;
  }

  // On the worker, beside the compaction it prepares: nothing of compaction on the HTTP thread.
  dueForCompaction(beforeHour: number): Promise<DueHour | undefined> {
    return this.call({ id: 0, method: 'dueForCompaction', args: [beforeHour] }) as Promise<
      DueHour | undefined
    >;
  }

  deleteBefore(rawBeforeHour: number, rollupBeforeHour: number, limit: number): Promise<number> {
    return this.call({
      id: 0,
      method: 'deleteBefore',
      args: [rawBeforeHour, rollupBeforeHour, limit],
    }) as Promise<number>;
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

  /** Waits for queued writes, closes the worker's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    await this.call({ id: 0, method: 'close', args: [] });
    this.failure = new Error('the telemetry writer is closed');
    await this.worker.terminate();
  }

  private call(request: WriterRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(response: WriterResponse): void {
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (response.ok) return waiter.resolve(response.value);
    const error = Object.assign(new Error(response.error.message), {
      name: response.error.name,
      code: response.error.code,
    });
    waiter.reject(error);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}
