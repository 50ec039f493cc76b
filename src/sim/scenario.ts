import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { CityGeo } from './city-geo.js';
import { FieldReader, join } from './scenario-reader.js';
import {
  INCIDENT_KINDS,
  type Background,
  type DepartmentBehaviour,
  type IncidentKind,
  type Pace,
  type PlannedIncident,
  type RainSpell,
  type Scenario,
} from './scenario.types.js';

/** Where the built-in scenarios live; resolved from this module so it works from src/ and dist/. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../data/scenarios/', import.meta.url));

/** A normal day's background (for 20,000 sensors; incident rates scale with the fleet). */
export const DEFAULT_BACKGROUND: Background = {
  citizenReportsPerHour: 30,
  cameraEventsPerCameraPerDay: 0.08,
  falseDetectionsPerCameraPerDay: 0.3,
  incidentsPerDay: {
    water_main_burst: 6,
    gas_leak: 3,
    bridge_overstrain: 4,
    base_station_outage: 10,
    river_quality_breach: 1,
    tunnel_waterlogging: 2,
    sewer_blockage: 10,
    feeder_overload: 6,
    platform_crowding: 6,
    street_vending: 12,
    sensor_dropout: 3,
  },
  dropoutsPerSensorPerDay: 0.002,
  lostReadingShare: 0.002,
};

/** How the simulated departments work by default: what makes 结案率 settle near 97 %. */
export const DEFAULT_DEPARTMENTS: DepartmentBehaviour = {
  enabled: true,
  delayFactor: 1,
  reworkShare: 0.06,
  suspendShare: 0.025,
  cancelShare: 0.04,
  returnShare: 0.02,
  extensionShare: 0.04,
  acknowledgeAlarms: true,
};

// `$schema` is allowed so that editors can point at a schema; it is not read.
const TOP_FIELDS = [
  '$schema',
  'name',
  'title',
  'description',
  'seed',
  'duration',
  'speed',
  'fleet',
  'background',
  'weather',
  'incidents',
  'departments',
  'load',
];
const DAY_MS = 86_400_000;

/** The names of the built-in scenarios (data/scenarios/*.json). */
export function builtInScenarios(): string[] {
  if (!fs.existsSync(SCENARIO_DIR)) return [];
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Loads a scenario by built-in name (`rainstorm`) or file path, and validates it. Throws AppError
 * INVALID_SCENARIO with `details.problems` listing every problem, each with its JSON path.
 */
export function loadScenario(ref: string, geo: CityGeo = CityGeo.load()): Scenario {
  const builtIn = builtInScenarios().includes(ref);
  const file = builtIn ? path.join(SCENARIO_DIR, `${ref}.json`) : ref;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AppError(
      'INVALID_SCENARIO',
      `No built-in scenario is called "${ref}" and no file is there. Built in: ${builtInScenarios().join(', ')}; or give the path of a JSON file (docs/simulator.md).`,
      { problems: [{ path: '(file)', message: 'not found' }] },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('INVALID_SCENARIO', `${file} is not valid JSON: ${(error as Error).message}`, {
      problems: [{ path: '(file)', message: (error as Error).message }],
    });
  }
  return parseScenario(json, builtIn ? 'built-in' : file, geo);
}

/** Validates a parsed scenario file and fills the defaults; throws INVALID_SCENARIO listing every problem. */
export function parseScenario(json: unknown, source: string, geo: CityGeo = CityGeo.load()): Scenario {
  const r = new FieldReader();
  const root = r.object(json, '', TOP_FIELDS) ?? {};
  const name = r.string(root, '', 'name', {
    pattern: /^[a-z0-9][a-z0-9-]{0,47}$/,
    patternMessage:
      'must be lower-case letters, digits and -, at most 48 (it names the scenario on the command line)',
  });
  const durationMs =
    root.duration === null
      ? undefined
      : r.duration(root, '', 'duration', { minMs: 60_000, maxMs: 365 * DAY_MS });
  const pace = readPace(r, root.speed);
  if (pace === 'max' && durationMs === undefined) {
    r.problem(
      'speed',
      '"max" needs a duration: the run writes that much history as fast as the server takes it, ending now',
    );
  }
  const fleet = r.object(root.fleet ?? {}, 'fleet', ['sensors', 'cameraScale']) ?? {};
  const load = r.object(root.load ?? {}, 'load', ['batchSize', 'concurrency']) ?? {};
  const limit = durationMs ?? Infinity;
  const scenario: Scenario = {
    name,
    title: r.string(root, '', 'title', { maxLength: 200 }),
    description: r.string(root, '', 'description', { fallback: '' }),
    source,
    seed: r.number(root, '', 'seed', { min: 0, max: 4294967295, fallback: 2026, integer: true }),
    durationMs: durationMs ?? null,
    pace,
    sensors: r.number(fleet, 'fleet', 'sensors', {
      min: 100,
      max: 1_000_000,
      fallback: 20_000,
      integer: true,
    }),
    cameraScale: r.number(fleet, 'fleet', 'cameraScale', { min: 0, max: 1, fallback: 0.02 }),
    background: readBackground(r, root.background),
    rain: r.array(root, '', 'weather', 100).flatMap((w, i) => readRain(r, geo, w, join('weather', i), limit)),
    incidents: r
      .array(root, '', 'incidents', 1000)
      .flatMap((x, i) => readIncident(r, geo, x, join('incidents', i), limit)),
    departments: readDepartments(r, root.departments),
    batchSize: r.number(load, 'load', 'batchSize', { min: 100, max: 10_000, fallback: 5000, integer: true }),
    concurrency: r.number(load, 'load', 'concurrency', { min: 1, max: 64, fallback: 4, integer: true }),
  };
  if (r.problems.length > 0) {
    const lines = r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new AppError(
      'INVALID_SCENARIO',
      `${source === 'built-in' ? `built-in scenario ${name}` : source} has ${r.problems.length} problem${r.problems.length > 1 ? 's' : ''}:\n${lines}`,
      { problems: r.problems },
    );
  }
  return scenario;
}

function readPace(r: FieldReader, value: unknown): Pace {
  if (value === undefined) return 1;
  if (value === 'max') return 'max';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 1 && value <= 1_000_000) return value;
  r.problem(
    'speed',
    `must be a number from 1 (real time) to 1000000, or "max", got ${JSON.stringify(value)}`,
  );
  return 1;
}

function readBackground(r: FieldReader, value: unknown): Background {
  const fields = [
    'citizenReportsPerHour',
    'cameraEventsPerCameraPerDay',
    'falseDetectionsPerCameraPerDay',
    'incidentsPerDay',
    'dropoutsPerSensorPerDay',
    'lostReadingShare',
  ];
  const b = r.object(value ?? {}, 'background', fields) ?? {};
  const d = DEFAULT_BACKGROUND;
  const rate = (key: string, max: number, fallback: number) =>
    r.number(b, 'background', key, { min: 0, max, fallback });
  const perDay = r.object(b.incidentsPerDay ?? {}, 'background.incidentsPerDay', INCIDENT_KINDS) ?? {};
  const incidentsPerDay: Partial<Record<IncidentKind, number>> = { ...d.incidentsPerDay };
  for (const kind of INCIDENT_KINDS) {
    if (perDay[kind] !== undefined) {
      incidentsPerDay[kind] = r.number(perDay, 'background.incidentsPerDay', kind, {
        min: 0,
        max: 100_000,
        fallback: 0,
      });
    }
  }
  return {
    citizenReportsPerHour: rate('citizenReportsPerHour', 1_000_000, d.citizenReportsPerHour),
    cameraEventsPerCameraPerDay: rate('cameraEventsPerCameraPerDay', 1000, d.cameraEventsPerCameraPerDay),
    falseDetectionsPerCameraPerDay: rate(
      'falseDetectionsPerCameraPerDay',
      1000,
      d.falseDetectionsPerCameraPerDay,
    ),
    incidentsPerDay,
    dropoutsPerSensorPerDay: rate('dropoutsPerSensorPerDay', 10, d.dropoutsPerSensorPerDay),
    lostReadingShare: rate('lostReadingShare', 0.5, d.lostReadingShare),
  };
}

function readRain(r: FieldReader, geo: CityGeo, value: unknown, at: string, limit: number): RainSpell[] {
  const w = r.object(value, at, ['kind', 'counties', 'start', 'end', 'peakMmPerHour', 'moveMinutes']);
  if (!w) return [];
  const kind = r.string(w, at, 'kind');
  if (kind !== 'rain' && kind !== '') {
    r.problem(join(at, 'kind'), `"${kind}" is not a weather kind; the one there is "rain"`);
  }
  const counties = readCounties(r, geo, w.counties, join(at, 'counties'));
  const startMs = r.duration(w, at, 'start', { minMs: 0, maxMs: 365 * DAY_MS }) ?? 0;
  const endMs = r.duration(w, at, 'end', { minMs: 60_000, maxMs: 365 * DAY_MS });
  if (w.end === undefined) {
    r.problem(join(at, 'end'), 'is required (when the rain stops, from the start of the run)');
  }
  if (endMs !== undefined && endMs <= startMs) r.problem(join(at, 'end'), 'must be after start');
  if (endMs !== undefined && endMs > limit) {
    r.problem(join(at, 'end'), 'lies after the end of the scenario (its duration)');
  }
  return [
    {
      counties,
      startMs,
      endMs: endMs ?? startMs + 3_600_000,
      peakMmPerHour: r.number(w, at, 'peakMmPerHour', { min: 0, max: 300, fallback: 60 }),
      moveMs: r.number(w, at, 'moveMinutes', { min: 0, max: 600, fallback: 10 }) * 60_000,
    },
  ];
}

function readCounties(r: FieldReader, geo: CityGeo, value: unknown, at: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    r.problem(at, 'must be a non-empty list of counties: codes ("500103"), names ("渝中区") or "urban-core"');
    return [];
  }
  const codes: string[] = [];
  value.forEach((ref, i) => {
    const found = typeof ref === 'string' ? geo.resolveCounties(ref) : [];
    if (found.length === 0) {
      r.problem(
        join(at, i),
        `${JSON.stringify(ref)} is not a county of Chongqing (a code such as "500103", a name such as "渝中区", or "urban-core")`,
      );
    }
    for (const code of found) if (!codes.includes(code)) codes.push(code);
  });
  return codes;
}

function readIncident(
  r: FieldReader,
  geo: CityGeo,
  value: unknown,
  at: string,
  limit: number,
): PlannedIncident[] {
  const x = r.object(value, at, ['kind', 'at', 'duration', 'county', 'township', 'count']);
  if (!x) return [];
  const kind = r.string(x, at, 'kind');
  if (kind && !(INCIDENT_KINDS as readonly string[]).includes(kind)) {
    r.problem(join(at, 'kind'), `"${kind}" is not an incident kind; use one of ${INCIDENT_KINDS.join(', ')}`);
  }
  const atMs = r.duration(x, at, 'at', { minMs: 0, maxMs: 365 * DAY_MS }) ?? 0;
  if (x.at === undefined) {
    r.problem(join(at, 'at'), 'is required (when it starts, from the start of the run, e.g. "20m")');
  }
  if (atMs >= limit) r.problem(join(at, 'at'), 'lies after the end of the scenario (its duration)');
  let county: string | null = null;
  if (x.county !== undefined) {
    const found = typeof x.county === 'string' ? geo.resolveCounties(x.county) : [];
    if (found.length !== 1) {
      r.problem(
        join(at, 'county'),
        `${JSON.stringify(x.county)} is not one county of Chongqing (a code such as "500109" or a name such as "北碚区")`,
      );
    }
    county = found[0] ?? null;
  }
  let township: string | null = null;
  if (x.township !== undefined) {
    const found = typeof x.township === 'string' ? geo.resolveTownships(x.township, county ?? undefined) : [];
    if (found.length !== 1) {
      r.problem(
        join(at, 'township'),
        found.length > 1
          ? `${JSON.stringify(x.township)} names several towns/streets; give its 9-digit code or a county`
          : `${JSON.stringify(x.township)} is not a town/street${county ? ` of ${county}` : ''} (a 9-digit code or its exact name)`,
      );
    }
    township = found[0] ?? null;
  }
  return [
    {
      kind: kind as IncidentKind,
      atMs,
      durationMs: r.duration(x, at, 'duration', { minMs: 60_000, maxMs: 30 * DAY_MS }) ?? null,
      county,
      township,
      count: r.number(x, at, 'count', { min: 1, max: 1000, fallback: 1, integer: true }),
    },
  ];
}

function readDepartments(r: FieldReader, value: unknown): DepartmentBehaviour {
  const d = DEFAULT_DEPARTMENTS;
  const keys = Object.keys(d);
  const x = r.object(value ?? {}, 'departments', keys) ?? {};
  const share = (key: keyof DepartmentBehaviour, fallback: number) =>
    r.number(x, 'departments', key, { min: 0, max: 1, fallback });
  return {
    enabled: r.boolean(x, 'departments', 'enabled', d.enabled),
    delayFactor: r.number(x, 'departments', 'delayFactor', { min: 0.01, max: 100, fallback: d.delayFactor }),
    reworkShare: share('reworkShare', d.reworkShare),
    suspendShare: share('suspendShare', d.suspendShare),
    cancelShare: share('cancelShare', d.cancelShare),
    returnShare: share('returnShare', d.returnShare),
    extensionShare: share('extensionShare', d.extensionShare),
    acknowledgeAlarms: r.boolean(x, 'departments', 'acknowledgeAlarms', d.acknowledgeAlarms),
  };
}
