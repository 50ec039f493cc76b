import type { StoredChunk } from './reading.repository.js';
import { minutesFromBytes, type HourRollup } from './rollup.js';

/** A row of telemetry_pieces or telemetry_chunks as both engines return it. */
export interface ChunkRow {
  key: number;
  hour: number;
  seq: number;
  data: Uint8Array;
}

/** A row of telemetry_rollups as both engines return it. */
export interface RollupRow {
  key: number;
  hour: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  last_ts: number;
  minutes: Uint8Array;
}

/** Maps a rollup row to the domain record. */
export const toRollup = (row: RollupRow): HourRollup => ({
  hour: row.hour,
  count: row.count,
  min: row.min,
  max: row.max,
  sum: row.sum,
  last: row.last,
  lastTs: row.last_ts,
  minutes: minutesFromBytes(row.hour, row.minutes),
});

/** Maps a piece or chunk row to the domain record. */
export const toChunk = (row: ChunkRow): StoredChunk => ({ hour: row.hour, seq: row.seq, bytes: row.data });

/** A Buffer over the same memory, no copy: both drivers bind Buffers (not plain Uint8Arrays) as blobs. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
