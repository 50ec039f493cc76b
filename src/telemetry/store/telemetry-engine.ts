import type { Config } from '../../config.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { ReadingStore, type ReadingStoreOptions } from './reading-store.js';
import type { ReadingRepository } from './reading.repository.js';
import { TelemetryJobs, type TelemetryJobsOptions } from './telemetry-jobs.js';

const DAY_MS = 24 * 3_600_000;

/** What the telemetry engine is built from. */
export interface TelemetryEngineOptions {
  /**
   * The engine's ReadingRepository: storage.repositories.readings, which on a SQLite file writes
   * on its writer thread once Storage.start ran.
   */
  repository: ReadingRepository;
  bus: EventBus;
  config: Pick<Config, 'rawRetentionDays' | 'rollupRetentionDays' | 'ingestMaxPending'>;
  clock?: () => number;
  onError?: (error: unknown, during: string) => void;
  /** Tuning beyond the configuration (tests and the benchmark). */
  tuning?: Pick<ReadingStoreOptions, 'flushReadings' | 'maxGroupReadings' | 'maxRawPoints'> &
    Pick<
      TelemetryJobsOptions,
      'intervalMs' | 'compactionGraceMs' | 'flushAfterMs' | 'compactionBatch' | 'maxCompactionLagMs'
    >;
}

/** The running engine: the store for ingest and queries, and its background jobs. */
export interface TelemetryEngine {
  store: ReadingStore;
  jobs: TelemetryJobs;
  /** Stops the jobs and commits what was accepted (Storage.stop then stops the writer thread). */
  close(): Promise<void>;
}

/**
 * Opens the reading store (replaying the ingest log) and starts its jobs. Subscribe to the bus
 * first: readings replayed at start are published again.
 */
export async function openTelemetryEngine(options: TelemetryEngineOptions): Promise<TelemetryEngine> {
  const { repository, config, tuning = {} } = options;
  const store = await ReadingStore.open({
    repository,
    bus: options.bus,
    clock: options.clock,
    maxPending: config.ingestMaxPending,
    rawRetentionMs: config.rawRetentionDays * DAY_MS,
    onError: options.onError,
    ...tuning,
  });
  const jobs = new TelemetryJobs({
    store,
    repository,
    clock: options.clock,
    retention: { rawDays: config.rawRetentionDays, rollupDays: config.rollupRetentionDays },
    onError: options.onError,
    ...tuning,
  });
  jobs.start();
  return {
    store,
    jobs,
    close: async () => {
      await jobs.stop();
      await store.close();
    },
  };
}
