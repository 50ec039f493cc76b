import { defaultRules } from '../alarms/default-rules.js';
import {
  newState,
  RAISE,
  stepAnomaly,
  stepRate,
  stepThreshold,
  type InstanceState,
} from '../alarms/rule-kinds.js';
import { CityGeo } from './city-geo.js';
import { buildFleet, type Fleet } from './fleet.js';
import { FleetIndex } from './fleet-index.js';
import { IncidentBook } from './incident-book.js';
import type { Background, PlannedIncident, RainSpell } from './scenario.types.js';
import { ReportSchedule } from './schedule.js';
import { SignalModel } from './signal-model.js';
import { Weather } from './weather.js';

/** 00:00 China Standard Time on Wednesday 8 July 2026: a summer weekday. */
export const WEDNESDAY = Date.parse('2026-07-08T00:00:00+08:00');

/** A simulated city without the HTTP parts: fleet, incidents, weather, signal model, schedule. */
export function world(
  options: {
    seed?: number;
    sensors?: number;
    origin?: number;
    incidents?: PlannedIncident[];
    rain?: RainSpell[];
    perDay?: Background['incidentsPerDay'];
    dropouts?: number;
    lost?: number;
    cameraScale?: number;
  } = {},
) {
  const seed = options.seed ?? 11;
  const origin = options.origin ?? WEDNESDAY;
  const fleet = buildFleet(CityGeo.load(), {
    seed,
    sensors: options.sensors ?? 2000,
    cameraScale: options.cameraScale ?? 0,
    prefix: 'T',
  });
  const index = new FleetIndex(fleet);
  const incidents = new IncidentBook({
    index,
    seed,
    originMs: origin,
    planned: options.incidents ?? [],
    perDay: options.perDay ?? {},
  });
  const weather = new Weather(options.rain ?? [], origin);
  const model = new SignalModel(fleet, seed, weather, incidents, {
    dropoutsPerSensorPerDay: options.dropouts ?? 0,
    lostReadingShare: options.lost ?? 0,
  });
  return { seed, origin, fleet, index, incidents, weather, model, schedule: new ReportSchedule(fleet, seed) };
}

/**
 * Runs the readings of [from, to) through the default alarm rules' per-reading steps (the live
 * engine's own functions) and returns, per rule id, the sensors it raised an alarm for.
 */
export function raisedByDefaultRules(
  w: ReturnType<typeof world>,
  from: number,
  to: number,
  only?: ReadonlySet<number>,
): Map<string, Set<number>> {
  const rules = defaultRules().filter(
    (r) => r.kind === 'threshold' || r.kind === 'rate' || r.kind === 'anomaly',
  );
  const byType = new Map<string, typeof rules>();
  for (const r of rules) byType.set(r.sensorType!, [...(byType.get(r.sensorType!) ?? []), r]);
  const states = new Map<string, InstanceState>();
  const raised = new Map<string, Set<number>>();
  for (let a = from; a < to; a += 600_000) {
    const b = Math.min(to, a + 600_000);
    w.incidents.advance(a, b);
    w.schedule.forEach(a, b, (i, t) => {
      if (only && !only.has(i)) return;
      const v = w.model.value(i, t);
      if (v === null) return;
      for (const rule of byType.get(w.fleet.sensors[i]!.type.code) ?? []) {
        const key = `${rule.id}|${i}`;
        const state = states.get(key) ?? newState();
        states.set(key, state);
        const step =
          rule.kind === 'threshold'
            ? stepThreshold(state, rule.params, t, v, true)
            : rule.kind === 'rate'
              ? stepRate(state, rule.params, t, v, true)
              : stepAnomaly(state, rule.params, t, v, true);
        if (step === RAISE) raised.set(rule.id, (raised.get(rule.id) ?? new Set()).add(i));
      }
    });
  }
  return raised;
}

/** The readings of sensor `i` over [from, to), as [t, value | null] pairs. */
export function readingsOf(
  w: { schedule: ReportSchedule; model: SignalModel },
  i: number,
  from: number,
  to: number,
) {
  const out: [number, number | null][] = [];
  w.schedule.forEach(from, to, (sensor, t) => {
    if (sensor === i) out.push([t, w.model.value(i, t)]);
  });
  return out;
}

/** Sensors of a type. */
export function ofType(fleet: Fleet, type: string): number[] {
  return fleet.sensors.filter((s) => s.type.code === type).map((s) => s.index);
}
