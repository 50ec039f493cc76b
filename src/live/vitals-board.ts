import { finestCode, type UnitChain } from '../jurisdictions/geo.types.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { Reading, ReadingBatch } from '../telemetry/store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import { isNormal, SENSOR_DOMAINS, SENSOR_TYPES } from '../devices/sensor-types.js';
import { ONLINE_INTERVALS } from '../telemetry/vitals.js';

/** The domains in dashboard order, and the headline type of each: the first of its catalog types. */
export const DOMAINS = SENSOR_DOMAINS.map((d) => {
  const headline = SENSOR_TYPES.find((t) => t.domain === d.code)!;
  return { ...d, headline };
});
const DOMAIN_INDEX = new Map<string, number>(DOMAINS.map((d, i) => [d.code, i]));
const D = DOMAINS.length;

/** One domain of one unit, summed over every sensor below the unit. */
export interface DomainTally {
  sensors: number;
  online: number;
  normal: number;
  /** Headline type: online sensors reporting, and the sum, min and max of their latest values. */
  reporting: number;
  sum: number;
  min: number;
  max: number;
  activeAlarms: number;
  criticalAlarms: number;
}

/** A unit's tallies, one per domain in DOMAINS order, plus its readings rate. */
export interface UnitTally {
  domains: DomainTally[];
  abnormal: number;
  readingsPerMinute: number;
}

/** An open alarm as the board counts it. */
export interface AlarmLike extends UnitChain {
  domain: string;
  severity: string;
}

/** Where the board reads from; all in memory. */
export interface VitalsBoardSources {
  sensors: () => Iterable<RegisteredSensor>;
  latest: (key: number) => Reading | undefined;
  resolveKey: (key: number) => RegisteredSensor | undefined;
  openAlarms: () => Iterable<AlarmLike>;
  tree: () => JurisdictionTree;
}

/** Sparkline history of one unit: per domain, normal share and headline average per sample. */
export interface UnitHistory {
  stepMs: number;
  times: number[];
  normalShare: (number | null)[][];
  value: (number | null)[][];
}

/**
 * The live vital-sign board: every few seconds one pass over the registry and the latest values
 * tallies every unit at once (a sensor adds to its township and each unit above it), so a summary
 * for any scope is a map lookup. Readings are counted per unit as batches pass on the bus (one
 * array lookup per reading) for a readings-per-minute figure. Every `sampleMs` the board keeps a
 * snapshot for the sparklines, `historySize` of them (bounded memory: units × domains × samples).
 */
export class VitalsBoard {
  private tallies = new Map<string, UnitTally>();
  private readonly samples: { at: number; values: Map<string, Float32Array> }[] = [];
  private lastRefresh: number | null = null;
  private lastSample = -Infinity;
  // Readings counted since the last refresh, per leaf unit; the key → leaf cache is rebuilt at
  // each refresh so that moved or re-chained sensors are counted where they are now.
  private leafOfKey = new Int32Array(0);
  private leaves: string[] = [];
  private leafIndex = new Map<string, number>();
  private counts = new Float64Array(0);
  // The last minute of per-leaf counts, one entry per refresh, so the rate does not flicker to
  // zero between two batches of a device that reports every few seconds.
  private window: { from: number; to: number; counts: Float64Array }[] = [];

  constructor(
    private readonly sources: VitalsBoardSources,
    private readonly options: { sampleMs?: number; historySize?: number } = {},
  ) {}

  /** Counts a committed batch (bus handler: synchronous, no allocation per reading). */
  countReadings(batch: Pick<ReadingBatch, 'keys'>): void {
    const keys = batch.keys;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key >= this.leafOfKey.length) this.growKeys(key);
      let leaf = this.leafOfKey[key]!;
      if (leaf === 0) {
        const sensor = this.sources.resolveKey(key);
        if (!sensor) continue;
        leaf = this.leafFor(finestCode(sensor)) + 1;
        this.leafOfKey[key] = leaf;
      }
      this.counts[leaf - 1]! += 1;
    }
  }

  /** Recomputes every unit's tallies as of `now`; returns whether a history sample was taken. */
  refresh(now: number): boolean {
    const tree = this.sources.tree();
    const leafTallies = new Map<string, UnitTally>();
    const tallyOf = (code: string): UnitTally => {
      let t = leafTallies.get(code);
      if (!t) leafTallies.set(code, (t = emptyUnit()));
      return t;
    };
    for (const sensor of this.sources.sensors()) {
      const d = DOMAIN_INDEX.get(sensor.type.domain);
      if (d === undefined) continue;
      const unit = tallyOf(finestCode(sensor));
      const tally = unit.domains[d]!;
      tally.sensors += 1;
      const reading = this.sources.latest(sensor.key);
      if (!reading || now - reading.ts > ONLINE_INTERVALS * sensor.type.intervalSeconds * 1000) continue;
      tally.online += 1;
      if (isNormal(sensor.type, reading.value)) tally.normal += 1;
      else unit.abnormal += 1;
      if (sensor.type.code === DOMAINS[d]!.headline.code) {
        tally.reporting += 1;
        tally.sum += reading.value;
        tally.min = Math.min(tally.min, reading.value);
        tally.max = Math.max(tally.max, reading.value);
      }
    }
    for (const alarm of this.sources.openAlarms()) {
      const d = DOMAIN_INDEX.get(alarm.domain);
      if (d === undefined) continue;
      const tally = tallyOf(finestCode(alarm)).domains[d]!;
      tally.activeAlarms += 1;
      if (alarm.severity === 'critical') tally.criticalAlarms += 1;
    }
    if (this.lastRefresh !== null) {
      this.window.push({ from: this.lastRefresh, to: now, counts: this.counts });
      while (this.window.length > 1 && now - this.window[0]!.to >= 60_000) this.window.shift();
    }
    const span = this.window.length > 0 ? (now - this.window[0]!.from) / 60_000 : 0;
    if (span > 0) {
      const sums = new Float64Array(this.leaves.length);
      for (const w of this.window) w.counts.forEach((n, i) => (sums[i]! += n));
      this.leaves.forEach((leaf, i) => {
        if (sums[i]! > 0) tallyOf(leaf).readingsPerMinute = sums[i]! / span;
      });
    }

    // Roll each leaf up through the operational tree (zones included), memoising ancestors.
    const all = new Map<string, UnitTally>();
    const ancestors = new Map<string, string[]>();
    for (const [leaf, tally] of leafTallies) {
      let up = ancestors.get(leaf);
      if (!up) ancestors.set(leaf, (up = [leaf, ...tree.ancestors(leaf).map((u) => u.code)]));
      for (const code of up) {
        let target = all.get(code);
        if (!target) all.set(code, (target = emptyUnit()));
        addInto(target, tally);
      }
    }
    this.tallies = all;
    this.lastRefresh = now;
    this.counts = new Float64Array(this.leaves.length);
    this.leafOfKey.fill(0);

    if (now - this.lastSample < (this.options.sampleMs ?? 20_000)) return false;
    this.lastSample = now;
    const values = new Map<string, Float32Array>();
    for (const [code, tally] of all) {
      const row = new Float32Array(2 * D).fill(Number.NaN);
      tally.domains.forEach((t, d) => {
        if (t.online > 0) row[d] = t.normal / t.online;
        if (t.reporting > 0) row[D + d] = t.sum / t.reporting;
      });
      values.set(code, row);
    }
    this.samples.push({ at: now, values });
    if (this.samples.length > (this.options.historySize ?? 90)) this.samples.shift();
    return true;
  }

  /** A unit's tallies as of the last refresh (an empty tally for a unit with nothing below it). */
  of(code: string): UnitTally {
    return this.tallies.get(code) ?? emptyUnit();
  }

  /** Whether the board has been refreshed at least once. */
  get ready(): boolean {
    return this.lastRefresh !== null;
  }

  /** The sparkline history of a unit, oldest first. */
  history(code: string): UnitHistory {
    const nullable = (v: number | undefined): number | null =>
      v === undefined || Number.isNaN(v) ? null : v;
    return {
      stepMs: this.options.sampleMs ?? 20_000,
      times: this.samples.map((s) => s.at),
      normalShare: DOMAINS.map((_, d) => this.samples.map((s) => nullable(s.values.get(code)?.[d]))),
      value: DOMAINS.map((_, d) => this.samples.map((s) => nullable(s.values.get(code)?.[D + d]))),
    };
  }

  private leafFor(code: string): number {
    let i = this.leafIndex.get(code);
    if (i === undefined) {
      i = this.leaves.length;
      this.leaves.push(code);
      this.leafIndex.set(code, i);
      if (this.counts.length < this.leaves.length) {
        const grown = new Float64Array(Math.max(16, this.leaves.length * 2));
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return i;
  }

  private growKeys(key: number): void {
    const grown = new Int32Array(Math.max(1024, (key + 1) * 2));
    grown.set(this.leafOfKey);
    this.leafOfKey = grown;
  }
}

function emptyDomain(): DomainTally {
  return {
    sensors: 0,
    online: 0,
    normal: 0,
    reporting: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    activeAlarms: 0,
    criticalAlarms: 0,
  };
}

function emptyUnit(): UnitTally {
  return { domains: DOMAINS.map(emptyDomain), abnormal: 0, readingsPerMinute: 0 };
}

function addInto(target: UnitTally, from: UnitTally): void {
  target.abnormal += from.abnormal;
  target.readingsPerMinute += from.readingsPerMinute;
  from.domains.forEach((f, d) => {
    const t = target.domains[d]!;
    t.sensors += f.sensors;
    t.online += f.online;
    t.normal += f.normal;
    t.reporting += f.reporting;
    t.sum += f.sum;
    t.min = Math.min(t.min, f.min);
    t.max = Math.max(t.max, f.max);
    t.activeAlarms += f.activeAlarms;
    t.criticalAlarms += f.criticalAlarms;
  });
}
