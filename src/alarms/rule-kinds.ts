import type { AnomalyParams, RateParams, ThresholdParams } from './alarm.types.js';

/**
 * The per-reading logic of each rule kind, as pure steps over a small mutable state: the live
 * engine and the dry run both call them, so "would have fired" means exactly what firing means.
 *
 * A step returns what the reading did to the (rule, subject) pair:
 * - RAISE: the condition now holds (long enough) and no alarm is open: open one;
 * - AGAIN: the condition came back while the alarm is still open: count an occurrence;
 * - HOLD: the condition still holds on an open alarm: refresh its last-seen time and value;
 * - CLEAR: the condition is gone (past any hysteresis): clear the open alarm;
 * - NONE: nothing to tell.
 */
export const NONE = 0;
export const RAISE = 1;
export const AGAIN = 2;
export const HOLD = 3;
export const CLEAR = 4;
export type Step = typeof NONE | typeof RAISE | typeof AGAIN | typeof HOLD | typeof CLEAR;

/**
 * The state of one rule on one subject. One shape for every kind (fields a kind does not use stay
 * at their defaults) so that the hot loop sees a single hidden class.
 */
export interface InstanceState {
  /** An alarm is open for this pair. Set on RAISE and at start from the open alarms; reset on CLEAR. */
  firing: boolean;
  /** Reading time the condition started holding (NaN: it does not hold). */
  since: number;
  /** Threshold: the value went back inside the hysteresis band since the last fire. */
  inBand: boolean;
  /** Latest reading time seen: older readings are ignored by the stateful kinds. */
  lastTs: number;
  /** Rate: the window's reading times and values (oldest first); `ref` the level left when it fired. */
  windowTs: number[];
  windowValues: number[];
  ref: number;
  /** Anomaly: EWMA mean and variance, and readings folded in. */
  mean: number;
  variance: number;
  count: number;
}

/** A fresh state. */
export function newState(firing = false): InstanceState {
  return {
    firing,
    since: Number.NaN,
    inBand: false,
    lastTs: -Infinity,
    windowTs: [],
    windowValues: [],
    ref: Number.NaN,
    mean: 0,
    variance: 0,
    count: 0,
  };
}

/** Whether `value` meets `op value`; strict, so a reading exactly at the limit is still normal. */
export function beyond(op: 'above' | 'below', value: number, limit: number): boolean {
  return op === 'above' ? value > limit : value < limit;
}

/**
 * Threshold with hysteresis and a minimum duration. `allowed` is false outside the rule's schedule
 * or in a maintenance window: the condition may not raise then (it may still clear).
 */
export function stepThreshold(
  s: InstanceState,
  p: ThresholdParams,
  ts: number,
  value: number,
  allowed: boolean,
): Step {
  const met = p.op === 'above' ? value > p.value : value < p.value;
  if (ts < s.lastTs) {
    // A late reading cannot end or extend a duration, but an instant breach (a gas leak) that
    // arrived after a newer normal reading still raises; the next normal reading clears it.
    if (met && !s.firing && allowed && p.forSeconds === 0) {
      s.firing = true;
      s.inBand = false;
      return RAISE;
    }
    return NONE;
  }
  s.lastTs = ts;
  if (s.firing) {
    const cleared = p.op === 'above' ? value <= p.value - p.hysteresis : value >= p.value + p.hysteresis;
    if (cleared) {
      s.firing = false;
      s.since = Number.NaN;
      s.inBand = false;
      return CLEAR;
    }
    if (!met) {
      s.inBand = true;
      return NONE;
    }
    if (s.inBand) {
      s.inBand = false;
      return AGAIN;
    }
    return HOLD;
  }
  if (!met || !allowed) {
    s.since = Number.NaN;
    return NONE;
  }
  if (Number.isNaN(s.since)) s.since = ts;
  if (ts - s.since < p.forSeconds * 1000) return NONE;
  s.firing = true;
  s.inBand = false;
  return RAISE;
}

/** Most readings a rate window keeps, whatever its length: bounds memory per sensor. */
const MAX_WINDOW = 256;

/** Rate of change over a sliding window; see RateParams. */
export function stepRate(s: InstanceState, p: RateParams, ts: number, value: number, allowed: boolean): Step {
  if (ts < s.lastTs) return NONE;
  s.lastTs = ts;
  const times = s.windowTs;
  const values = s.windowValues;
  const start = ts - p.windowSeconds * 1000;
  let level = value;
  // The extreme of the window before this reading: highest for a fall, lowest for a rise.
  let evict = 0;
  while (evict < times.length && times[evict]! < start) evict++;
  if (evict > 0) {
    times.splice(0, evict);
    values.splice(0, evict);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (p.direction === 'fall' ? v > level : v < level) level = v;
  }
  const drop = p.direction === 'fall' ? level - value : value - level;
  times.push(ts);
  values.push(value);
  if (times.length > MAX_WINDOW) {
    times.shift();
    values.shift();
  }
  if (s.firing) {
    const recovered = p.direction === 'fall' ? value >= s.ref - p.delta / 2 : value <= s.ref + p.delta / 2;
    if (recovered) {
      s.firing = false;
      s.ref = Number.NaN;
      return CLEAR;
    }
    return drop >= p.delta ? HOLD : NONE;
  }
  if (drop >= p.delta && allowed) {
    s.firing = true;
    s.ref = level;
    return RAISE;
  }
  return NONE;
}

/** Statistical anomaly against the sensor's own EWMA baseline; see AnomalyParams. */
export function stepAnomaly(
  s: InstanceState,
  p: AnomalyParams,
  ts: number,
  value: number,
  allowed: boolean,
): Step {
  if (ts < s.lastTs) return NONE;
  s.lastTs = ts;
  let step: Step = NONE;
  if (s.count >= p.warmup) {
    const z = Math.abs(value - s.mean) / Math.max(Math.sqrt(s.variance), p.minStd);
    if (s.firing) {
      if (z < p.zScore / 2) {
        s.firing = false;
        step = CLEAR;
      } else step = HOLD;
    } else if (z > p.zScore && allowed) {
      s.firing = true;
      step = RAISE;
    }
  }
  // West's incremental EWMA: the baseline follows the sensor, so a lasting level shift stops being
  // an anomaly after a while, as it should.
  if (s.count === 0) {
    s.mean = value;
    s.variance = 0;
  } else {
    const diff = value - s.mean;
    const increment = p.alpha * diff;
    s.mean += increment;
    s.variance = (1 - p.alpha) * (s.variance + diff * increment);
  }
  s.count++;
  return step;
}

/**
 * Stale/offline, evaluated by the engine's clock rather than per reading: `silentMs` is how long
 * the sensor has sent nothing, `limitMs` the rule's missed intervals × the type's interval.
 */
export function stepStale(s: InstanceState, silentMs: number, limitMs: number, allowed: boolean): Step {
  if (silentMs > limitMs) {
    if (s.firing || !allowed) return NONE;
    s.firing = true;
    return RAISE;
  }
  if (!s.firing) return NONE;
  s.firing = false;
  return CLEAR;
}

/** Composite: `met` is whether the rule's conditions hold in the area at reading time `ts`. */
export function stepComposite(
  s: InstanceState,
  forSeconds: number,
  ts: number,
  met: boolean,
  allowed: boolean,
): Step {
  if (ts < s.lastTs) return NONE;
  s.lastTs = ts;
  if (s.firing) {
    if (met) return HOLD;
    s.firing = false;
    s.since = Number.NaN;
    return CLEAR;
  }
  if (!met || !allowed) {
    s.since = Number.NaN;
    return NONE;
  }
  if (Number.isNaN(s.since)) s.since = ts;
  if (ts - s.since < forSeconds * 1000) return NONE;
  s.firing = true;
  return RAISE;
}
