import type { FleetIndex, Place } from './fleet-index.js';
import type { IncidentKind } from './scenario.types.js';

/**
 * What each incident does to the city, as effects on sensor readings (and, for some, what citizens
 * and cameras notice). Magnitudes are chosen against the default alarm rules so that the incident
 * crosses exactly the rule it is named after: a burst drops pressure by 0.15–0.25 MPa within one
 * reading (rule: 0.1 MPa in 60 s), a leak climbs past 25 %LEL, a flooded tunnel past 15 and 30 cm.
 */

/** A change to one sensor's readings between `from` and `to`, ramped in and out. */
export interface Effect {
  sensor: number;
  from: number;
  to: number;
  rampIn: number;
  rampOut: number;
  /** `target`: pull the value towards `value`; `offset`: add `value`; `silence`: send nothing. */
  mode: 'target' | 'offset' | 'silence';
  value: number;
}

/** A citizen's report an incident prompts (Open311 service code, when, where). */
export interface LinkedReport {
  at: number;
  category: string;
  lon: number;
  lat: number;
  hazard: boolean;
  description: string;
}

/** One incident as injected. */
export interface Incident {
  kind: IncidentKind;
  startMs: number;
  endMs: number;
  county: string;
  township: string;
  /** Where, in words: the sensor or asset it hit. */
  where: string;
  effects: Effect[];
  /** Cameras that see it (street vending). */
  cameras: number[];
  reports: LinkedReport[];
  /** Placed by the scenario (true) or drawn from the background rates. */
  planned: boolean;
}

/** Default length of each kind when the scenario gives none: [shortest, longest] minutes. */
export const DEFAULT_MINUTES: Record<IncidentKind, [number, number]> = {
  water_main_burst: [120, 300],
  gas_leak: [30, 120],
  bridge_overstrain: [10, 40],
  base_station_outage: [60, 240],
  river_quality_breach: [480, 1440],
  tunnel_waterlogging: [30, 120],
  sewer_blockage: [60, 240],
  feeder_overload: [30, 90],
  platform_crowding: [15, 45],
  street_vending: [60, 180],
  sensor_dropout: [20, 60],
};

const MIN = 60_000;

/** Builds an incident of `kind` starting at `startMs`, or a reason it cannot happen (no such sensor there). */
export function buildIncident(
  kind: IncidentKind,
  index: FleetIndex,
  random: () => number,
  place: Place,
  startMs: number,
  durationMs: number | null,
): Incident | { skipped: string } {
  const [lo, hi] = DEFAULT_MINUTES[kind];
  const endMs = startMs + (durationMs ?? (lo + (hi - lo) * random()) * MIN);
  const fleet = index.fleet;
  const between = (a: number, b: number) => a + (b - a) * random();
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const where = place.township ?? place.county ?? 'the city';
  const effect = (
    sensor: number,
    mode: Effect['mode'],
    value: number,
    rampIn: number,
    rampOut = rampIn,
  ): Effect => ({
    sensor,
    from: startMs,
    to: endMs,
    rampIn,
    rampOut,
    mode,
    value,
  });
  const single = (type: string) => {
    const sensor = pick(index.sensorsOf(type, place));
    return sensor === undefined ? undefined : fleet.sensors[sensor]!;
  };
  const neighbours = (type: string, township: string, except: number, n: number) =>
    index
      .sensorsOf(type, { township })
      .filter((i) => i !== except)
      .slice(0, n);
  const incident = (
    at: { county: string; township: string; lon: number; lat: number; id: string },
    effects: Effect[],
    reports: Omit<LinkedReport, 'lon' | 'lat'>[] = [],
    cameras: number[] = [],
  ): Incident => ({
    kind,
    startMs,
    endMs,
    county: at.county,
    township: at.township,
    where: at.id,
    effects,
    cameras,
    reports: reports.map((r) => ({ ...r, lon: at.lon, lat: at.lat })),
    planned: false,
  });

  switch (kind) {
    case 'water_main_burst': {
      const s = single('water_main_pressure');
      if (!s) return { skipped: `no water_main_pressure sensor in ${where}` };
      const drop = between(0.15, 0.25);
      return incident(
        s,
        [
          // A step: the first reading after the burst is 0.15 MPa or more below the one 60 s before.
          effect(s.index, 'offset', -drop, 0, 15 * MIN),
          ...neighbours('water_main_pressure', s.township, s.index, 3).map((i) =>
            effect(i, 'offset', -drop * 0.3, 3 * MIN, 15 * MIN),
          ),
          // Dirty water after a burst: turbidity over 1 NTU nearby.
          ...neighbours('water_turbidity', s.township, -1, 2).map((i) =>
            effect(i, 'offset', between(0.9, 1.4), 10 * MIN),
          ),
        ],
        Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
          at: startMs + (5 + 15 * k + 10 * random()) * MIN,
          category: 'pipe_burst',
          hazard: k === 0,
          description: '路面冒水，疑似自来水管爆裂',
        })),
      );
    }
    case 'gas_leak': {
      const s = single('gas_concentration');
      if (!s) return { skipped: `no gas_concentration sensor in ${where}` };
      return incident(s, [
        effect(s.index, 'target', between(32, 60), 50_000, 5 * MIN),
        ...neighbours('gas_main_pressure', s.township, -1, 1).map((i) => effect(i, 'offset', -0.03, 5 * MIN)),
      ]);
    }
    case 'bridge_overstrain': {
      const a = pick(index.assetsOf('bridge', place));
      if (a === undefined) return { skipped: `no bridge in ${where}` };
      const asset = fleet.assets[a]!;
      const sign = random() < 0.7 ? 1 : -1;
      const strain = asset.sensors.filter((i) => fleet.sensors[i]!.type.code === 'bridge_strain');
      const hit = strain.slice(0, 1 + Math.floor(random() * 2));
      const deflection = asset.sensors.filter((i) => fleet.sensors[i]!.type.code === 'bridge_deflection');
      return incident(asset, [
        ...hit.map((i) => effect(i, 'offset', sign * between(240, 290), 30_000, 2 * MIN)),
        ...deflection.map((i) => effect(i, 'offset', sign * between(30, 50), 30_000, 2 * MIN)),
      ]);
    }
    case 'base_station_outage': {
      const s = single('base_station_availability');
      if (!s) return { skipped: `no base_station_availability sensor in ${where}` };
      const hours = (endMs - startMs) / 3_600_000;
      return incident(s, [
        effect(s.index, 'target', between(0, 60), MIN, 10 * MIN),
        // On battery: the −48 V plant sags, below 40 V after a few hours.
        ...neighbours('base_station_dc_voltage', s.township, -1, 1).map((i) =>
          effect(i, 'target', Math.max(38, 49 - 3 * hours), 60 * MIN, 10 * MIN),
        ),
      ]);
    }
    case 'river_quality_breach': {
      const a = pick(index.assetsOf('river_section', place));
      if (a === undefined) return { skipped: `no cross-boundary river section in ${where}` };
      const asset = fleet.assets[a]!;
      const of = (type: string) => asset.sensors.filter((i) => fleet.sensors[i]!.type.code === type);
      return incident(asset, [
        ...of('river_ammonia_nitrogen').map((i) =>
          effect(i, 'target', between(1.3, 2.2), 60 * MIN, 120 * MIN),
        ),
        ...(random() < 0.5
          ? of('river_dissolved_oxygen').map((i) =>
              effect(i, 'target', between(3.8, 4.6), 60 * MIN, 120 * MIN),
            )
          : []),
      ]);
    }
    case 'tunnel_waterlogging': {
      const a = pick(index.assetsOf('tunnel', place));
      if (a === undefined) return { skipped: `no tunnel in ${where}` };
      const asset = fleet.assets[a]!;
      const water = asset.sensors.filter((i) => fleet.sensors[i]!.type.code === 'tunnel_water_depth');
      const depth = between(20, 45);
      return incident(
        asset,
        water.map((i) => effect(i, 'target', depth * between(0.85, 1.1), 20 * MIN, 30 * MIN)),
        [
          {
            at: startMs + 25 * MIN,
            category: 'road_waterlogging',
            hazard: true,
            description: '隧道内积水，车辆涉水',
          },
        ],
      );
    }
    case 'sewer_blockage': {
      const s = single('sewer_fill_ratio');
      if (!s) return { skipped: `no sewer_fill_ratio sensor in ${where}` };
      return incident(s, [effect(s.index, 'target', between(105, 140), 30 * MIN, 20 * MIN)]);
    }
    case 'feeder_overload': {
      const s = single('feeder_load');
      if (!s) return { skipped: `no feeder_load sensor in ${where}` };
      return incident(s, [
        effect(s.index, 'target', between(104, 118), 10 * MIN),
        ...neighbours('bus_voltage_10kv', s.township, -1, 1).map((i) => effect(i, 'offset', -0.25, 10 * MIN)),
      ]);
    }
    case 'platform_crowding': {
      const a = pick(index.assetsOf('station', place));
      if (a === undefined) return { skipped: `no rail station in ${where}` };
      const asset = fleet.assets[a]!;
      const of = (type: string) => asset.sensors.filter((i) => fleet.sensors[i]!.type.code === type);
      return incident(asset, [
        ...of('platform_passenger_density').map((i) => effect(i, 'target', between(3.3, 4.2), 5 * MIN)),
        ...of('train_load_rate').map((i) => effect(i, 'offset', 30, 5 * MIN)),
      ]);
    }
    case 'street_vending': {
      const cameras = index.camerasOf(place);
      if (cameras.length === 0) return { skipped: `no camera in ${where}` };
      const seen = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(cameras)!);
      const first = fleet.cameras[seen[0]!]!;
      return incident(first, [], [], [...new Set(seen)]);
    }
    case 'sensor_dropout': {
      const s = pick(index.sensorsAt(place));
      if (s === undefined) return { skipped: `no sensor in ${where}` };
      const township = fleet.sensors[s]!.township;
      return incident(
        { ...fleet.sensors[s]!, id: `all sensors of ${township}` },
        index.sensorsIn(township).map((i) => effect(i, 'silence', 0, 0)),
      );
    }
  }
}
