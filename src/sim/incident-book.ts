import { seededRandom } from '../platform/random.js';
import type { FleetIndex } from './fleet-index.js';
import { buildIncident, type Effect, type Incident } from './incident-kinds.js';
import { INCIDENT_KINDS, type IncidentKind, type PlannedIncident } from './scenario.types.js';
import { dailyShape, type DailyShape } from './signal-profiles.js';
import { hash, poisson, unit } from './sim-random.js';

const HOUR = 3_600_000;
/** Background rates are per day for this many sensors, and scale with the fleet. */
export const RATE_BASE_SENSORS = 20_000;

// When in the day each kind tends to happen: overloads at the power peaks, crowding at the rush,
// vendors in the morning and evening markets; the rest at any hour.
const WHEN: Partial<Record<IncidentKind, DailyShape>> = {
  feeder_overload: 'power',
  platform_crowding: 'commute',
  street_vending: 'demand',
};

/**
 * The incidents of a run: the scenario's planned ones and a background of random ones (Poisson per
 * hour, seeded by the hour itself, so the same hour of the same seed always brings the same
 * incidents). `advance` moves a window over time; sensors ask for the effects active on them.
 */
export class IncidentBook {
  private readonly active = new Map<number, Effect[]>();
  private readonly running: Incident[] = [];
  private readonly planned: { plan: PlannedIncident; index: number; copy: number }[];
  private nextHour = Number.NaN;
  private readonly hourWeights: Record<IncidentKind, number[]>;
  /** Every incident started so far, and every planned one that could not happen, for the summary. */
  readonly started: Incident[] = [];
  readonly skipped: string[] = [];

  constructor(
    private readonly options: {
      index: FleetIndex;
      seed: number;
      originMs: number;
      planned: readonly PlannedIncident[];
      perDay: Partial<Record<IncidentKind, number>>;
    },
  ) {
    this.planned = options.planned
      .flatMap((plan, index) => Array.from({ length: plan.count }, (_, copy) => ({ plan, index, copy })))
      .sort((a, b) => a.plan.atMs - b.plan.atMs);
    this.hourWeights = Object.fromEntries(
      INCIDENT_KINDS.map((kind) => {
        const shape = WHEN[kind];
        if (!shape) return [kind, Array.from({ length: 24 }, () => 1)];
        const raw = Array.from({ length: 24 }, (_, h) => 0.15 + dailyShape(shape, h + 0.5, false));
        const mean = raw.reduce((a, b) => a + b, 0) / 24;
        return [kind, raw.map((w) => w / mean)];
      }),
    ) as Record<IncidentKind, number[]>;
  }

  /** Starts what begins before `to` and retires what ended well before `from`; returns the new incidents. */
  advance(from: number, to: number): Incident[] {
    const fresh: Incident[] = [];
    while (this.planned.length > 0 && this.options.originMs + this.planned[0]!.plan.atMs < to) {
      const { plan, index, copy } = this.planned.shift()!;
      const random = seededRandom(hash(this.options.seed, 0x5ce7, index, copy));
      const start = this.options.originMs + plan.atMs + copy * 60_000 * random();
      this.start(
        plan.kind,
        random,
        { county: plan.county, township: plan.township },
        start,
        plan.durationMs,
        fresh,
        true,
      );
    }
    if (Number.isNaN(this.nextHour)) this.nextHour = Math.floor(from / HOUR);
    while (this.nextHour * HOUR < to) this.backgroundHour(this.nextHour++, fresh);
    this.retire(from);
    return fresh;
  }

  /** The effects currently on a sensor (undefined for most sensors). */
  effectsOf(sensor: number): Effect[] | undefined {
    return this.active.get(sensor);
  }

  /** Incidents running now (for cameras and citizens). */
  get current(): readonly Incident[] {
    return this.running;
  }

  private backgroundHour(hour: number, fresh: Incident[]): void {
    const scale = this.options.index.fleet.sensors.length / RATE_BASE_SENSORS;
    const hourOfDay = (hour + 8) % 24; // China Standard Time
    INCIDENT_KINDS.forEach((kind, k) => {
      const perDay = this.options.perDay[kind] ?? 0;
      if (perDay <= 0) return;
      // Street vending is about cameras, not sensors: its rate does not scale with the sensor fleet.
      const mean =
        (perDay * (kind === 'street_vending' ? 1 : scale) * this.hourWeights[kind][hourOfDay]!) / 24;
      const count = poisson(mean, unit(this.options.seed, 0xbac6 + k, hour));
      for (let n = 0; n < count; n++) {
        const random = seededRandom(hash(this.options.seed, 0xbac6 + k, hour, n + 1));
        this.start(kind, random, {}, hour * HOUR + random() * HOUR, null, fresh);
      }
    });
  }

  private start(
    kind: IncidentKind,
    random: () => number,
    place: { county?: string | null; township?: string | null },
    startMs: number,
    durationMs: number | null,
    fresh: Incident[],
    planned = false,
  ): void {
    const built = buildIncident(kind, this.options.index, random, place, startMs, durationMs);
    if ('skipped' in built) {
      this.skipped.push(`${kind}: ${built.skipped}`);
      return;
    }
    built.planned = planned;
    for (const effect of built.effects) {
      const list = this.active.get(effect.sensor);
      if (list) list.push(effect);
      else this.active.set(effect.sensor, [effect]);
    }
    this.running.push(built);
    this.started.push(built);
    fresh.push(built);
  }

  private retire(before: number): void {
    for (let i = this.running.length - 1; i >= 0; i--) {
      const incident = this.running[i]!;
      const tail = Math.max(0, ...incident.effects.map((e) => e.rampOut));
      if (incident.endMs + tail >= before) continue;
      this.running.splice(i, 1);
      for (const effect of incident.effects) {
        const list = this.active.get(effect.sensor);
        if (!list) continue;
        const left = list.filter((e) => e !== effect);
        if (left.length > 0) this.active.set(effect.sensor, left);
        else this.active.delete(effect.sensor);
      }
    }
  }
}
