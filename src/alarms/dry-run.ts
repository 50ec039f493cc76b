import { finestCode } from '../jurisdictions/geo.types.js';
import type { RawPoint } from '../telemetry/store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { AlarmRule } from './alarm.types.js';
import {
  RAISE,
  beyond,
  newState,
  stepAnomaly,
  stepComposite,
  stepRate,
  stepThreshold,
  type Step,
} from './rule-kinds.js';
import { compileSchedule, scheduleActive } from './schedule.js';

/** Where a rule would have fired, per subject. */
export interface DryRunHit {
  subject: string;
  /** The subject's finest jurisdiction code (a sensor's township, a composite's area). */
  jurisdiction: string | null;
  countyCode: string | null;
  fired: number;
  firstAt: number;
  lastAt: number;
}

/** What a dry run found. */
export interface DryRunResult {
  fired: number;
  sensorsEvaluated: number;
  readingsEvaluated: number;
  hits: DryRunHit[];
}

/** Reads one sensor's raw readings over [from, to], oldest first. */
export type RawSource = (sensor: RegisteredSensor, from: number, to: number) => Promise<RawPoint[]>;

/**
 * Replays stored readings through the same steps the live engine uses ("on the last 24 hours of
 * data this rule would have fired N times, here"). Every subject starts from a fresh state, as a
 * newly created rule would; maintenance windows are ignored (the question is what the rule sees).
 * Offline rules count gaps between consecutive readings longer than their limit.
 */
export async function dryRun(
  rule: AlarmRule,
  sensors: readonly RegisteredSensor[],
  read: RawSource,
  from: number,
  to: number,
): Promise<DryRunResult> {
  const schedule = rule.schedule ? compileSchedule(rule.schedule) : null;
  const allowed = (t: number) => schedule === null || scheduleActive(schedule, t);
  const hits: DryRunHit[] = [];
  let readings = 0;
  const hit = (subject: string, jurisdiction: string | null, county: string | null, t: number) => {
    const last = hits[hits.length - 1];
    if (last?.subject === subject) {
      last.fired++;
      last.lastAt = t;
    } else hits.push({ subject, jurisdiction, countyCode: county, fired: 1, firstAt: t, lastAt: t });
  };

  if (rule.kind === 'composite') {
    const p = rule.params;
    const areas = new Map<string, { sensor: RegisteredSensor; points: RawPoint[] }[]>();
    for (const sensor of sensors) {
      const area =
        p.per === 'township'
          ? sensor.townshipCode
          : p.per === 'county'
            ? sensor.countyCode
            : (rule.jurisdiction ?? sensor.provinceCode);
      if (area === null) continue;
      const list = areas.get(area) ?? [];
      list.push({ sensor, points: await read(sensor, from, to) });
      areas.set(area, list);
    }
    for (const [area, members] of areas) {
      const events = members
        .flatMap((m, i) => m.points.map((pt) => ({ i, ...pt })))
        .sort((a, b) => a.ts - b.ts);
      readings += events.length;
      const lastTs = members.map(() => Number.NaN);
      const lastValue = members.map(() => 0);
      const state = newState();
      for (const e of events) {
        lastTs[e.i] = e.ts;
        lastValue[e.i] = e.value;
        const oldest = e.ts - p.maxAgeSeconds * 1000;
        const holds = p.conditions.map((c) =>
          members.some(
            (m, i) =>
              m.sensor.type.code === c.sensorType &&
              lastTs[i]! >= oldest &&
              beyond(c.op, lastValue[i]!, c.value),
          ),
        );
        const met = p.match === 'all' ? holds.every(Boolean) : holds.some(Boolean);
        if (stepComposite(state, p.forSeconds, e.ts, met, allowed(e.ts)) === RAISE) {
          hit(`area:${area}`, area, members[0]!.sensor.countyCode, e.ts);
        }
      }
    }
    return { fired: sum(hits), sensorsEvaluated: sensors.length, readingsEvaluated: readings, hits };
  }

  for (const sensor of sensors) {
    const points = await read(sensor, from, to);
    readings += points.length;
    const state = newState();
    const where = finestCode(sensor);
    if (rule.kind === 'stale') {
      const limit = rule.params.missedIntervals * sensor.type.intervalSeconds * 1000;
      let previous = from;
      for (const pt of [...points, { ts: to, value: Number.NaN }]) {
        if (pt.ts - previous > limit && allowed(previous + limit)) {
          hit(sensor.id, where, sensor.countyCode, previous + limit);
        }
        previous = pt.ts;
      }
      continue;
    }
    for (const pt of points) {
      let step: Step;
      switch (rule.kind) {
        case 'threshold':
          step = stepThreshold(state, rule.params, pt.ts, pt.value, allowed(pt.ts));
          break;
        case 'rate':
          step = stepRate(state, rule.params, pt.ts, pt.value, allowed(pt.ts));
          break;
        case 'anomaly':
          step = stepAnomaly(state, rule.params, pt.ts, pt.value, allowed(pt.ts));
          break;
      }
      if (step === RAISE) hit(sensor.id, where, sensor.countyCode, pt.ts);
    }
  }
  return { fired: sum(hits), sensorsEvaluated: sensors.length, readingsEvaluated: readings, hits };
}

const sum = (hits: readonly DryRunHit[]) => hits.reduce((n, h) => n + h.fired, 0);
