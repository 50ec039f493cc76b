import { AppError } from '../../errors.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { IngestQueue } from './ingest-queue.js';
import { LatestValues } from './latest-values.js';
import { MemTable } from './memtable.js';
import { columnsFromBytes, concatColumns, toColumns, type RejectedReading } from './reading-codec.js';
import { mergeSorted } from './reading-merge.js';
import type { ReadingRepository } from './reading.repository.js';
import { autoBucket, rawPoints, rollupSeries } from './reading-series.js';
import {
  HOUR_MS,
  TELEMETRY_READINGS,
  type Bucket,
  type Reading,
  type ReadingBatch,
  type ReadingColumns,
  type Series,
} from './reading.types.js';

/** What the reading store needs and how it is tuned; everything but repository and bus has a default. */
export interface ReadingStoreOptions {
  repository: ReadingRepository;
  bus: EventBus;
  /** Epoch milliseconds now; injected by tests. */
  clock?: () => number;
  /** Readings accepted but not yet committed before append answers OVERLOADED. Default 500,000. */
  maxPending?: number;
  /** Unflushed readings that trigger a flush to per-sensor pieces. Default 1,000,000 (≈ 20 MiB). */
  flushReadings?: number;
  /** Readings per commit at most. Default 100,000 (a 2 MiB log entry). */
  maxGroupReadings?: number;
  /** How long raw readings are kept (so `auto` does not pick raw past it). Default 30 days. */
  rawRetentionMs?: number;
  /** Most points a raw series returns. Default 100,000. */
  maxRawPoints?: number;
  /** Background failures (a flush, publishing); the store retries or carries on. */
  onError?: (error: unknown, during: string) => void;
}

/** The outcome of one append: how many readings were committed and which were refused (by index). */
export interface AppendResult {
  accepted: number;
  rejected: RejectedReading[];
}

/** A series request; `bucket` defaults to auto. */
export interface SeriesQuery {
  from: number;
  to: number;
  bucket?: Bucket | 'auto';
}

// Pieces per flush transaction: ~5 ms of writing each, so commits queued behind one wait little.
const FLUSH_SLICE = 2048;

interface Committed {
  seq: number;
  columns: ReadingColumns;
}

/**
 * The telemetry storage engine. `append` group-commits readings to the durable ingest log and
 * resolves once they are fsynced; committed readings go to an in-memory table (queried directly)
 * and the latest-value arrays, and are published on the bus. A flush turns the memory table into
 * per-(sensor, hour) pieces and drops the log entries it covers; compaction (TelemetryJobs) later
 * merges each hour's pieces into one chunk and rolls it up. A repeated (sensor, ts) keeps the
 * value that arrived last, at every level.
 */
export class ReadingStore {
  private active = new MemTable();
  private frozen: MemTable | undefined;
  private flushing: Promise<void> | undefined;
  private activeSince = 0;
  private closed = false;
  private compactionBehind = false;
  private readonly latestValues = new LatestValues();
  private readonly queue: IngestQueue<Committed>;
  private readonly clock: () => number;
  private readonly flushReadings: number;
  private readonly onError: (error: unknown, during: string) => void;

  private constructor(
    private readonly options: ReadingStoreOptions,
    private readonly writer: { release(): Promise<void> },
  ) {
    this.clock = options.clock ?? Date.now;
    this.flushReadings = options.flushReadings ?? 1_000_000;
    this.onError =
      options.onError ?? ((error, during) => console.error(`telemetry: ${during} failed`, error));
    this.queue = new IngestQueue<Committed>({
      maxPending: options.maxPending ?? 500_000,
      maxGroup: options.maxGroupReadings ?? 100_000,
      commit: (batches) => this.commit(batches),
      afterCommit: (committed) => this.afterCommit(committed),
      // Flushing has fallen a whole flush behind (memory), or compaction has fallen behind (disk,
      // and queries reading raw pieces): refuse work rather than let either grow without bound.
      behind: () => {
        if (this.active.size >= 2 * this.flushReadings) return 2;
        return this.compactionBehind ? 2 : undefined;
      },
      onError: (error) => this.onError(error, 'publishing readings'),
    });
  }

  /**
   * Opens the store: loads the latest stored reading per sensor, then replays the ingest log
   * (committed, not yet flushed) into memory and republishes it, so acknowledged readings are
   * never lost and subscribers see them at least once. Subscribe to the bus before opening.
   */
  static async open(options: ReadingStoreOptions): Promise<ReadingStore> {
    const { repository, bus } = options;
    const writer = await repository.claimWriter();
    try {
      const store = new ReadingStore(options, writer);
      store.latestValues.update(await repository.latestStored());
      for (let after = 0; ;) {
        const entries = await repository.readLog(after, 64);
        if (entries.length === 0) return store;
        for (const entry of entries) {
          const columns = columnsFromBytes(entry.bytes);
          store.apply({ seq: entry.id, columns });
          await bus.publish(TELEMETRY_READINGS, [{ seq: entry.id, ...columns }]);
          after = entry.id;
        }
      }
    } catch (error) {
      await writer.release();
      throw error;
    }
  }

  /**
   * Stores readings; resolves once they are durably committed. Invalid readings are refused one by
   * one (listed in `rejected`) and the rest kept. Rejects with OVERLOADED (details.retryAfterSeconds)
   * when the ingest queue is full, or with the storage error if the commit failed.
   */
  /** The OVERLOADED error `readings` more would get now (see IngestQueue.admit), or undefined. */
  admit(readings: number): AppError | undefined {
    return this.queue.admit(readings);
  }

  async append(readings: readonly Reading[]): Promise<AppendResult> {
    const { columns, rejected } = toColumns(readings);
    if (columns.keys.length > 0) await this.queue.enqueue(columns);
    return { accepted: columns.keys.length, rejected };
  }

  /** The latest reading of one sensor. */
  latestOf(key: number): Reading | undefined {
    return this.latestValues.get(key);
  }

  /** The latest reading of each given sensor (every sensor when omitted); sensors without data are left out. */
  latest(keys?: Iterable<number>): Reading[] {
    return this.latestValues.many(keys);
  }

  /** The same as `latest`, as columns: the cheap form for thousands of sensors (see LatestValues.columns). */
  latestColumns(keys?: ArrayLike<number>): ReadingColumns {
    return this.latestValues.columns(keys);
  }

  /** One sensor's series over [from, to] at a bucket (auto: chosen by the range). */
  async series(key: number, query: SeriesQuery): Promise<Series> {
    const { from, to } = query;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
      throw new AppError('VALIDATION_FAILED', 'A series needs from ≤ to, both epoch milliseconds.');
    }
    const rawKeptSince = this.clock() - (this.options.rawRetentionMs ?? 30 * 24 * HOUR_MS);
    const bucket =
      !query.bucket || query.bucket === 'auto' ? autoBucket(from, to, rawKeptSince) : query.bucket;
    // Capture memory before reading storage: a flush finishing in between then shows up twice
    // (harmless, the merge de-duplicates) rather than not at all.
    const [fromHour, toHour] = [Math.floor(from / HOUR_MS), Math.floor(to / HOUR_MS)];
    // Rollups need the whole hours around the range from memory, raw only the range itself.
    const [memFrom, memTo] = bucket === 'raw' ? [from, to] : [fromHour * HOUR_MS, (toHour + 1) * HOUR_MS - 1];
    const memory = mergeSorted(
      [this.frozen, this.active].flatMap((m) => (m ? [m.readingsOf(key, memFrom, memTo)] : [])),
    );
    const rawHours = [...new Set(Array.from(memory.ts, (t) => Math.floor(t / HOUR_MS)))];
    const slice = await this.options.repository.readSensor(key, fromHour, toHour, {
      rollups: bucket !== 'raw',
      rawHours,
    });
    if (bucket === 'raw') {
      return { key, bucket, ...rawPoints(slice, memory, from, to, this.options.maxRawPoints ?? 100_000) };
    }
    return { key, bucket, points: rollupSeries(slice, memory, bucket, from, to), truncated: false };
  }

  /** Writes unflushed readings to per-sensor pieces now (tests, shutdown); waits for a running flush. */
  async flush(): Promise<void> {
    // A running flush that fails has been reported; this call retries it.
    await this.flushing?.catch(() => undefined);
    if (this.active.size > 0 || this.frozen) await this.startFlush();
  }

  /** Flushes if the oldest unflushed reading was committed more than `ms` ago (keeps start-up replay short). */
  async flushIfOlderThan(ms: number): Promise<void> {
    // A flush that failed earlier is retried here too, whatever its age.
    if (this.frozen || (this.active.size > 0 && this.clock() - this.activeSince >= ms)) {
      await this.startFlush();
    }
  }

  /**
   * Set by the compaction job: while true, append answers OVERLOADED, so ingest runs at the rate
   * compaction sustains instead of piling up uncompacted hours.
   */
  setCompactionBehind(behind: boolean): void {
    this.compactionBehind = behind;
  }

  /** Counters for metrics and tests. */
  stats(): { pendingReadings: number; unflushedReadings: number; sensorsWithData: number } {
    return {
      pendingReadings: this.queue.pendingReadings,
      unflushedReadings: this.active.size + (this.frozen?.size ?? 0),
      sensorsWithData: this.latestValues.size,
    };
  }

  /** Stops accepting readings and waits for accepted ones to commit and for a running flush. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close();
    await this.flushing?.catch(() => undefined);
    await this.writer.release();
  }

  private async commit(batches: readonly ReadingColumns[]): Promise<Committed> {
    const { bytes, columns } = concatColumns(batches);
    const seq = await this.options.repository.appendLog(bytes);
    const committed = { seq, columns };
    this.apply(committed);
    return committed;
  }

  private apply({ seq, columns }: Committed): void {
    if (this.active.size === 0) this.activeSince = this.clock();
    this.active.append(columns, seq);
    this.latestValues.update(columns);
  }

  // Publish first, flush after: a log entry is only dropped once the bus has accepted its readings.
  private async afterCommit({ seq, columns }: Committed): Promise<void> {
    const batch: ReadingBatch = { seq, ...columns };
    await this.options.bus.publish(TELEMETRY_READINGS, [batch]);
    if (this.active.size >= this.flushReadings && !this.flushing) {
      this.startFlush().catch((error: unknown) => this.onError(error, 'flushing readings'));
    }
  }

  private startFlush(): Promise<void> {
    this.flushing ??= this.runFlush().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async runFlush(): Promise<void> {
    const { repository } = this.options;
    // Until memory is below one flush again: appends may have refused work meanwhile (OVERLOADED),
    // so no new commit would come to trigger the next flush.
    do {
      // A failed flush leaves `frozen` in place; the next attempt retries it before taking more.
      if (!this.frozen) {
        if (this.active.size === 0) return;
        this.frozen = this.active;
        this.active = new MemTable();
      }
      // Slice by slice: one slice in memory at a time, and commits get the writer between slices.
      for (const slice of this.frozen.pieces(FLUSH_SLICE)) await repository.writePieces(slice);
      await repository.dropLog(this.frozen.lastLogId);
      this.frozen = undefined;
    } while (this.active.size >= this.flushReadings);
  }
}
