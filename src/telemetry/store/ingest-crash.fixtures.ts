import type { Reading } from './reading.types.js';

/** Sensors the crash test writes to. */
export const CRASH_SENSORS = 200;
/** Readings per batch in the crash test. */
export const CRASH_BATCH = 500;
/** The first reading's ts; one millisecond per reading after it, so an hour is 7,200 batches. */
export const CRASH_BASE = Date.UTC(2026, 0, 1);

/**
 * Batch `id` of the crash test: every (key, ts) is unique across batches and the value is the
 * batch id, so the test can check each acknowledged reading exactly.
 */
export function crashBatch(id: number): Reading[] {
  return Array.from({ length: CRASH_BATCH }, (_, i) => ({
    key: 1 + ((id * 7 + i) % CRASH_SENSORS),
    ts: CRASH_BASE + id * CRASH_BATCH + i,
    value: id,
  }));
}
