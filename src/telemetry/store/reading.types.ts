import { subject } from '../../platform/bus/event-bus.js';

/** One measurement: `key` is the sensor's dense integer key from the registry, `ts` epoch milliseconds. */
export interface Reading {
  key: number;
  ts: number;
  value: number;
}

/**
 * Readings as columns (index i across the three arrays is one reading), the form the engine
 * stores, commits and publishes. Treat the arrays as read-only: they may be shared.
 */
export interface ReadingColumns {
  keys: Int32Array;
  ts: Float64Array;
  values: Float64Array;
}

/** What the bus carries on `telemetry.readings`: the readings of one durable commit, in arrival order. */
export interface ReadingBatch extends ReadingColumns {
  /** The commit's log id: increasing, so usable as a message id to drop JetStream redeliveries. */
  seq: number;
}

/** Every committed batch of readings is published here, after it is durable. */
export const TELEMETRY_READINGS = subject<ReadingBatch>('telemetry.readings');

/** Time-series resolution: raw readings, or 1-minute / 1-hour rollups. */
export type Bucket = 'raw' | '1m' | '1h';

/** One raw reading of a series. */
export interface RawPoint {
  ts: number;
  value: number;
}

/** One rollup bucket of a series; `ts` is the bucket's start, `last` the value at its latest ts. */
export interface RollupPoint {
  ts: number;
  min: number;
  max: number;
  avg: number;
  count: number;
  last: number;
}

/** A series answer; `truncated` when the raw series hit the point limit (ask for a bucket instead). */
export type Series =
  | { key: number; bucket: 'raw'; points: RawPoint[]; truncated: boolean }
  | { key: number; bucket: '1m' | '1h'; points: RollupPoint[]; truncated: boolean };

/** Milliseconds per minute and per hour, the two rollup widths; raw data is stored per hour. */
export const MINUTE_MS = 60_000;
/** See MINUTE_MS. */
export const HOUR_MS = 3_600_000;

/** The largest sensor key the engine accepts: per-key state lives in arrays indexed by key. */
export const MAX_SENSOR_KEY = 2 ** 24 - 1;
