import type { CompactionResult, ReadingRepository } from './reading.repository.js';
import type { ReadingStore } from './reading-store.js';
import { HOUR_MS } from './reading.types.js';
import { DEFAULT_RETENTION, enforceRetention, type RetentionPolicy } from './retention.js';

/** The background work of the reading store and how often it runs. */
export interface TelemetryJobsOptions {
  store: ReadingStore;
  repository: ReadingRepository;
  /** Epoch milliseconds now; injected by tests and the benchmark. */
  clock?: () => number;
  retention?: RetentionPolicy;
  /** An hour is compacted once it ended this long ago (late readings after that still count). Default 10 min. */
  compactionGraceMs?: number;
  /** Unflushed readings are flushed once the oldest is this old. Default 5 min. */
  flushAfterMs?: number;
  /** Ingest is refused (OVERLOADED) while an hour stays uncompacted this long after it is due. Default 15 min. */
  maxCompactionLagMs?: number;
  /** How often the jobs run. Default 10 s; retention runs at most hourly. */
  intervalMs?: number;
  /** Sensor keys per compaction transaction (a few ms each, so commits wait little). Default 100. */
  compactionBatch?: number;
  onError?: (error: unknown, during: string) => void;
}

/** What one round of the jobs did. */
export interface JobsRound {
  compacted: CompactionResult;
  deleted: number;
}

/**
 * Runs the store's background jobs: the age-based flush (keeps the ingest log, and so start-up
 * replay, short), compaction of ended hours into chunks and rollups, and retention. One round at a
 * time; every step is one or more short transactions, so ingest commits interleave.
 */
export class TelemetryJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<JobsRound> | undefined;
  /** Set by stop(): a round in progress ends at its next batch boundary. */
  private stopping = false;
  private lastRetention = -Infinity;
  private readonly clock: () => number;
  /** Totals since start, for metrics: readings compacted, rows deleted by retention. */
  readonly totals = { compactedReadings: 0, deletedRows: 0 };

  constructor(private readonly options: TelemetryJobsOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Starts running rounds every intervalMs (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => this.report(error, 'telemetry jobs'));
    }, this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // A round can be long after downtime (many hours due, much to delete): end it at the next
    // batch boundary rather than keep SIGTERM waiting. Unfinished work is simply due next start.
    this.stopping = true;
    await this.running?.catch(() => undefined);
    this.stopping = false;
  }

  /** Runs one round now (or joins the one running): flush if stale, compact what is due, retention. */
  runOnce(): Promise<JobsRound> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<JobsRound> {
    const { store, repository } = this.options;
    await store.flushIfOlderThan(this.options.flushAfterMs ?? 5 * 60_000);
    const compacted = await this.compactDue();
    let deleted = 0;
    const now = this.clock();
    if (now - this.lastRetention >= HOUR_MS) {
      deleted = await enforceRetention(
        repository,
        now,
        this.options.retention ?? DEFAULT_RETENTION,
        undefined,
        () => this.stopping,
      );
      this.lastRetention = now;
    }
    this.totals.deletedRows += deleted;
    return { compacted, deleted };
  }

  /**
   * Compacts every hour that ended more than the grace period ago, oldest first, in transactions
   * of `compactionBatch` sensor keys. An hour that gets late readings while (or after) it is
   * compacted is simply due again.
   */
  async compactDue(): Promise<CompactionResult> {
    const grace = this.options.compactionGraceMs ?? 10 * 60_000;
    const batch = this.options.compactionBatch ?? 100;
    const { repository } = this.options;
    const total: CompactionResult = { pairs: 0, readings: 0 };
    // Bounded, so a stream of late readings into one hour cannot keep a round going for ever.
    for (let round = 0; round < 100 && !this.stopping; round++) {
      const beforeHour = Math.floor((this.clock() - grace) / HOUR_MS);
      await this.checkBacklog(beforeHour, grace);
      const due = await repository.dueForCompaction(beforeHour);
      if (!due) break;
      for (let from = 0; from <= due.maxKey && !this.stopping; from += batch) {
        const step = await repository.compact(due.hour, from, from + batch - 1, due.maxSeq);
        total.pairs += step.pairs;
        total.readings += step.readings;
        this.totals.compactedReadings += step.readings;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return total;
  }

  /**
   * Tells the store whether compaction keeps up: behind when the latest hour that is due still has
   * pieces longer than maxCompactionLagMs after it became due. Only the latest hour counts, so a
   * backfill of old hours (which compacts quickly, few sensors) does not throttle live ingest.
   */
  private async checkBacklog(beforeHour: number, grace: number): Promise<void> {
    const latest = beforeHour - 1;
    const overdue = this.clock() - ((latest + 1) * HOUR_MS + grace);
    const behind =
      overdue > (this.options.maxCompactionLagMs ?? 15 * 60_000) &&
      (await this.options.repository.hasPieces(latest));
    this.options.store.setCompactionBehind(behind);
  }

  private report(error: unknown, during: string): void {
    if (this.options.onError) this.options.onError(error, during);
    else console.error(`telemetry: ${during} failed`, error);
  }
}
