import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { Reading } from './store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import { isNormal, SENSOR_DOMAINS, type SensorDomain, type SensorType } from '../devices/sensor-types.js';
import type { VitalsDto } from './telemetry.schema.js';
import { finestCode } from '../jurisdictions/geo.types.js';

/** A sensor counts as online while its latest reading is younger than this many reporting intervals. */
export const ONLINE_INTERVALS = 3;

interface Figure {
  type: SensorType;
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface DomainTally {
  sensors: number;
  online: number;
  withValue: number;
  normal: number;
  figures: Map<string, Figure>;
}

interface UnitTally {
  sensors: number;
  online: number;
  abnormal: number;
}

/** What the vitals computation reads: registered sensors, their latest readings, the tree. */
export interface VitalsSources {
  sensors: () => Iterable<RegisteredSensor>;
  latest: (key: number) => Reading | undefined;
  tree: () => JurisdictionTree;
  clock?: () => number;
}

/**
 * City vital signs (城市体征) for a jurisdiction and everything under it: per domain the sensors
 * online and offline, the share reading within their normal range, and current figures per type
 * (min, max, average of the latest values); and the same counts for each unit one level down.
 * Computed from memory (registry index + latest values) in one pass, never from storage.
 */
export function vitals(sources: VitalsSources, scope: string | undefined, visible: Visibility): VitalsDto {
  const tree = sources.tree();
  const now = (sources.clock ?? Date.now)();
  const code = effectiveScope(tree, scope, visible);
  const unit = tree.require(code);
  const children = tree.children(code);
  const childOf = new Map(children.map((c) => [c.code, c.code]));
  const domains = new Map<SensorDomain, DomainTally>();
  const units = new Map<string, UnitTally>(
    children.map((c) => [c.code, { sensors: 0, online: 0, abnormal: 0 }]),
  );

  for (const sensor of sources.sensors()) {
    const chain = [sensor.provinceCode, sensor.prefectureCode, sensor.countyCode, sensor.townshipCode];
    if (!chain.includes(code) || !visible.contains(finestCode(sensor))) {
      continue;
    }
    const domain = domains.get(sensor.type.domain) ?? newDomain();
    domains.set(sensor.type.domain, domain);
    domain.sensors += 1;
    const reading = sources.latest(sensor.key);
    const online =
      reading !== undefined && now - reading.ts <= ONLINE_INTERVALS * sensor.type.intervalSeconds * 1000;
    const normal = reading !== undefined && isNormal(sensor.type, reading.value);
    if (online && reading) {
      domain.online += 1;
      domain.withValue += 1;
      if (normal) domain.normal += 1;
      const figure = domain.figures.get(sensor.type.code) ?? {
        type: sensor.type,
        count: 0,
        sum: 0,
        min: Infinity,
        max: -Infinity,
      };
      figure.count += 1;
      figure.sum += reading.value;
      figure.min = Math.min(figure.min, reading.value);
      figure.max = Math.max(figure.max, reading.value);
      domain.figures.set(sensor.type.code, figure);
    }
    const child = chain.map((c) => (c ? childOf.get(c) : undefined)).find((c) => c !== undefined);
    const tally = child ? units.get(child) : undefined;
    if (tally) {
      tally.sensors += 1;
      if (online) tally.online += 1;
      if (online && !normal) tally.abnormal += 1;
    }
  }

  return {
    scope: { code: unit.code, name: unit.name, level: unit.level },
    asOf: new Date(now).toISOString(),
    onlineWithinIntervals: ONLINE_INTERVALS,
    domains: SENSOR_DOMAINS.filter((d) => domains.has(d.code)).map((d) => {
      const t = domains.get(d.code)!;
      return {
        domain: d.code,
        name: d.name,
        nameEn: d.nameEn,
        sensors: t.sensors,
        online: t.online,
        offline: t.sensors - t.online,
        normalShare: t.withValue === 0 ? null : t.normal / t.withValue,
        figures: [...t.figures.values()].map((f) => ({
          type: f.type.code,
          name: f.type.name,
          nameEn: f.type.nameEn,
          unit: f.type.unit,
          reporting: f.count,
          min: f.min,
          max: f.max,
          avg: f.sum / f.count,
        })),
      };
    }),
    units: children
      .filter((c) => visible.contains(c.code))
      .map((c) => ({ code: c.code, name: c.name, level: c.level, ...units.get(c.code)! })),
  };
}

function newDomain(): DomainTally {
  return { sensors: 0, online: 0, withValue: 0, normal: 0, figures: new Map() };
}

/**
 * The jurisdiction to summarise: the one asked for if visible; the caller's own when the one asked
 * for lies above it (a county commander opening the city screen sees the county); otherwise
 * JURISDICTION_NOT_FOUND, as for a code that does not exist.
 */
function effectiveScope(tree: JurisdictionTree, asked: string | undefined, visible: Visibility): string {
  const code = asked ?? visible.root ?? '50';
  if (tree.get(code) && visible.contains(code)) return code;
  if (tree.get(code) && visible.root !== null && tree.isWithin(visible.root, code)) return visible.root;
  throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${code}".`);
}
