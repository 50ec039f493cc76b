import type { ReadingRepository } from './reading.repository.js';
import { HOUR_MS } from './reading.types.js';

/** How long readings are kept: raw readings, and their 1-minute and 1-hour rollups. */
export interface RetentionPolicy {
  rawDays: number;
  rollupDays: number;
}

/** The defaults: raw for 30 days, rollups for a year. */
export const DEFAULT_RETENTION: RetentionPolicy = { rawDays: 30, rollupDays: 365 };

const DAY_MS = 24 * HOUR_MS;

/** The first hour still kept, for raw data and for rollups, at `now`. Whole hours go at once. */
export function retentionCutoffs(
  now: number,
  policy: RetentionPolicy,
): { rawBeforeHour: number; rollupBeforeHour: number } {
  return {
    rawBeforeHour: Math.floor((now - policy.rawDays * DAY_MS) / HOUR_MS),
    rollupBeforeHour: Math.floor((now - policy.rollupDays * DAY_MS) / HOUR_MS),
  };
}

/**
 * Deletes what has aged out, in batches of `batch` rows so no transaction runs long; yields to the
 * event loop between batches, and ends early when `stop()` says so (shutdown). Resolves with the
 * number of rows deleted.
 */
export async function enforceRetention(
  repository: ReadingRepository,
  now: number,
  policy: RetentionPolicy,
  batch = 5_000,
  stop: () => boolean = () => false,
): Promise<number> {
  const { rawBeforeHour, rollupBeforeHour } = retentionCutoffs(now, policy);
  let total = 0;
  for (;;) {
    const deleted = await repository.deleteBefore(rawBeforeHour, rollupBeforeHour, batch);
    total += deleted;
    if (deleted === 0 || stop()) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
