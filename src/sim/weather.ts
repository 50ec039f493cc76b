import type { RainSpell } from './scenario.types.js';
import { stringHash } from './sim-random.js';

/**
 * Rain over the city (降雨), from the scenario's spells. A spell reaches each listed county a
 * little later than the one before (the storm cell moves), rises, holds and falls off, with a
 * gusty modulation. Sensors respond to what fell over the last hour (drains, ponding) or the last
 * six hours (rivers), which gives the lag a real catchment has: tunnels flood after the downpour
 * has lasted a while, not at its first minute.
 */
export class Weather {
  private readonly byCounty = new Map<
    string,
    { start: number; end: number; peak: number; phase: number }[]
  >();
  private readonly memo = new Map<string, { minute: number; hour: number; sixHours: number }>();

  constructor(spells: readonly RainSpell[], originMs: number) {
    for (const spell of spells) {
      const span = spell.endMs - spell.startMs;
      spell.counties.forEach((county, k) => {
        // Later counties start later but all end with the spell: the storm passes over the city.
        const delay = Math.min(k * spell.moveMs, span / 2);
        const list = this.byCounty.get(county) ?? [];
        list.push({
          start: originMs + spell.startMs + delay,
          end: originMs + spell.endMs,
          // Not every district gets the same: ±20 % around the peak, fixed per county and spell.
          peak:
            spell.peakMmPerHour * (0.8 + 0.4 * ((stringHash(`${county}:${spell.startMs}`) % 1000) / 1000)),
          phase: stringHash(county) % 997,
        });
        this.byCounty.set(county, list);
      });
    }
  }

  /** True when no rain is planned at all (most normal days): callers skip the work. */
  get dry(): boolean {
    return this.byCounty.size === 0;
  }

  /** Rain intensity in mm/h over the county at time t. */
  intensity(county: string, t: number): number {
    const spells = this.byCounty.get(county);
    if (!spells) return 0;
    let total = 0;
    for (const s of spells) {
      if (t <= s.start || t >= s.end) continue;
      const x = (t - s.start) / (s.end - s.start);
      const envelope = x < 0.25 ? smooth(x / 0.25) : x < 0.6 ? 1 : smooth((1 - x) / 0.4);
      const minutes = t / 60_000 + s.phase;
      const gusts = 1 + 0.12 * Math.sin(minutes / 7) + 0.08 * Math.sin(minutes / 17 + 1.3);
      total += s.peak * envelope * gusts;
    }
    return total;
  }

  /** Mean rain over the last hour (drives drains, ponding and tunnels), mm/h. */
  lastHour(county: string, t: number): number {
    return this.sample(county, t).hour;
  }

  /** Mean rain over the last six hours (drives river runoff), mm/h. */
  lastSixHours(county: string, t: number): number {
    return this.sample(county, t).sixHours;
  }

  // Per county and minute: a reading's response changes little within a minute, and thousands of
  // drains in one county read at the same minute.
  private sample(county: string, t: number): { hour: number; sixHours: number } {
    if (!this.byCounty.has(county)) return { hour: 0, sixHours: 0 };
    const minute = Math.floor(t / 60_000);
    const cached = this.memo.get(county);
    if (cached && cached.minute === minute) return cached;
    let hour = 0;
    for (let k = 0; k < 6; k++) hour += this.intensity(county, t - k * 600_000);
    let sixHours = 0;
    for (let k = 0; k < 12; k++) sixHours += this.intensity(county, t - k * 1_800_000);
    const entry = { minute, hour: hour / 6, sixHours: sixHours / 12 };
    this.memo.set(county, entry);
    return entry;
  }
}

function smooth(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  return c * c * (3 - 2 * c);
}
