import { decodeChunk, encodeChunk, type SortedReadings } from './reading-codec.js';
import { mergeSorted } from './reading-merge.js';
import type { StoredChunk } from './reading.repository.js';
import { aggregateHour, combineRollups, type HourRollup } from './rollup.js';

/**
 * The readings of one sensor-hour: its compacted chunk, then its pieces by seq, then (newest)
 * readings still in memory, merged so that the newest source wins on a repeated ts.
 */
export function mergeHour(
  chunk: StoredChunk | undefined,
  pieces: readonly StoredChunk[],
  memory?: SortedReadings,
): SortedReadings {
  const sources = (chunk ? [chunk, ...pieces] : [...pieces])
    .sort((a, b) => a.seq - b.seq)
    .map((c) => decodeChunk(c.hour, c.bytes));
  if (memory) sources.push(memory);
  return mergeSorted(sources);
}

/**
 * The rollup of one sensor-hour from everything known about it. Normally it is recomputed from the
 * raw readings; once retention has removed the hour's chunk, only its rollup is left, and newer
 * readings are added to it (see combineRollups).
 */
export function rollupHour(
  hour: number,
  chunk: StoredChunk | undefined,
  pieces: readonly StoredChunk[],
  stored: HourRollup | undefined,
  memory?: SortedReadings,
): HourRollup | undefined {
  const fresh = aggregateHour(hour, mergeHour(chunk, pieces, memory));
  if (chunk !== undefined || stored === undefined) return fresh;
  return fresh ? combineRollups(stored, fresh) : stored;
}

/** What compacting one sensor-hour writes: the new chunk (unless its raw data has aged out) and rollup. */
export interface CompactedHour {
  key: number;
  hour: number;
  /** The highest seq merged: pieces with seq ≤ this are replaced. */
  seq: number;
  chunk: Uint8Array | undefined;
  /** The chunk's newest reading. */
  last: Candidate;
  rollup: HourRollup;
  readings: number;
}

/**
 * Compacts one sensor-hour. Without a chunk but with a rollup, the hour is past raw retention, so
 * no chunk is written back (it would hold only the late readings and hide the rollup's history).
 */
export function compactHour(
  key: number,
  hour: number,
  chunk: StoredChunk | undefined,
  pieces: readonly StoredChunk[],
  stored: HourRollup | undefined,
): CompactedHour | undefined {
  if (pieces.length === 0) return undefined;
  const merged = mergeHour(chunk, pieces);
  const fresh = aggregateHour(hour, merged);
  const seq = Math.max(...pieces.map((p) => p.seq), chunk?.seq ?? 0);
  if (!fresh) return undefined;
  const expired = chunk === undefined && stored !== undefined;
  return {
    key,
    hour,
    seq,
    chunk: expired ? undefined : encodeChunk(hour, merged.ts, merged.values),
    last: { ts: merged.ts[merged.ts.length - 1]!, value: merged.values[merged.values.length - 1]! },
    rollup: expired ? combineRollups(stored, fresh) : fresh,
    readings: merged.ts.length,
  };
}

/** A stored reading; `latestOf` picks the newest of several. */
export interface Candidate {
  ts: number;
  value: number;
}

/** The candidate with the greatest ts; on a tie the later one in the list (pass oldest source first). */
export function latestOf(candidates: readonly (Candidate | undefined)[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (c && (best === undefined || c.ts >= best.ts)) best = c;
  return best;
}
