import { AppError } from '../../errors.js';
import type { ReadingColumns } from './reading.types.js';

/** How the group commit behaves. */
export interface IngestQueueOptions<T> {
  /** Readings accepted but not yet committed, beyond which append answers OVERLOADED. */
  maxPending: number;
  /** Readings per commit at most (a single larger batch still goes alone). */
  maxGroup: number;
  /** Durably commits a group of batches; called for one group at a time. */
  commit: (batches: readonly ReadingColumns[]) => Promise<T>;
  /** Runs after a group's callers have been answered, before the next group starts (publishing). */
  afterCommit?: (committed: T) => Promise<void>;
  /** Another reason to refuse work, e.g. flushing has fallen behind: seconds to wait, or undefined. */
  behind?: () => number | undefined;
  /** Where a failing afterCommit is reported (the commit itself stands). */
  onError: (error: unknown) => void;
}

interface Waiting {
  columns: ReadingColumns;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit with a bound. Callers' batches queue up while one commit is in flight and the next
 * commit takes them all, so concurrent requests share one fsync: the more load, the bigger (and
 * cheaper per reading) each commit. Once `maxPending` readings wait, new batches are refused at
 * once with OVERLOADED (HTTP 503 + Retry-After, MQTT: no PUBACK) instead of queuing without bound.
 */
export class IngestQueue<T> {
  private readonly waiting: Waiting[] = [];
  private pending = 0;
  private running: Promise<void> | undefined;
  private closed = false;
  // Commit throughput (readings/s), smoothed; sizes the Retry-After hint.
  private rate = 100_000;

  constructor(private readonly options: IngestQueueOptions<T>) {}

  /** Resolves once `columns` are durably committed; rejects with OVERLOADED when the queue is full. */
  enqueue(columns: ReadingColumns): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'Ingest is shutting down.'));
    const n = columns.keys.length;
    const refused = this.admit(n);
    if (refused) return Promise.reject(refused);
    this.pending += n;
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ columns, resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  /**
   * The OVERLOADED error a batch of `readings` would get now, or undefined if it would be queued.
   * Asks without enqueuing, so HTTP can refuse a request before reading its body.
   */
  admit(readings: number): AppError | undefined {
    const behind = this.options.behind?.();
    if (behind === undefined && this.pending + readings <= this.options.maxPending) return undefined;
    const retryAfterSeconds = behind ?? Math.min(30, Math.max(1, Math.ceil(this.pending / this.rate)));
    return new AppError('OVERLOADED', 'Ingest is at capacity; retry later.', { retryAfterSeconds });
  }

  /** Readings accepted and not yet committed. */
  get pendingReadings(): number {
    return this.pending;
  }

  /** Refuses new batches and waits until the accepted ones are committed (or failed). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      await this.commitAll();
    } finally {
      this.running = undefined;
      // commitAll saw an empty queue a few microtasks ago; a batch enqueued since then found
      // `running` still set and started nothing. Start again rather than strand it unanswered.
      if (this.waiting.length > 0) this.running = this.drain();
    }
  }

  private async commitAll(): Promise<void> {
    while (this.waiting.length > 0) {
      let size = 0;
      let take = 0;
      for (const w of this.waiting) {
        if (take > 0 && size + w.columns.keys.length > this.options.maxGroup) break;
        size += w.columns.keys.length;
        take++;
      }
      const group = this.waiting.splice(0, take);
      const started = performance.now();
      let committed: { value: T } | undefined;
      try {
        committed = { value: await this.options.commit(group.map((w) => w.columns)) };
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
      this.pending -= size;
      const seconds = Math.max((performance.now() - started) / 1000, 1e-4);
      this.rate = 0.8 * this.rate + 0.2 * (size / seconds);
      if (committed && this.options.afterCommit) {
        await this.options.afterCommit(committed.value).catch(this.options.onError);
      }
    }
  }
}
