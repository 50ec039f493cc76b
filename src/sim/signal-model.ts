import type { Fleet } from './fleet.js';
import type { IncidentBook } from './incident-book.js';
import type { Background } from './scenario.types.js';
import { dailyShape } from './signal-profiles.js';
import { hash, normal, unit } from './sim-random.js';
import type { Weather } from './weather.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLOT = 6 * HOUR;

/**
 * The value a simulated sensor reads at a time, as a pure function of (seed, sensor, time) plus the
 * weather and the incidents on it: baseline + daily cycle + slow drift + noise + rain + incident
 * effects, clamped to what the instrument can read. Null means no reading arrives (a drop-out, a
 * lost packet, a silenced gateway). Per-sensor constants are drawn once into typed arrays.
 */
export class SignalModel {
  private readonly base: Float64Array;
  private readonly amplitude: Float64Array;
  private readonly driftPeriod: Float64Array;
  private readonly driftPhase: Float64Array;
  private readonly rainK: Float64Array;
  private readonly capacity: Float64Array;

  constructor(
    private readonly fleet: Fleet,
    private readonly seed: number,
    private readonly weather: Weather,
    private readonly incidents: IncidentBook,
    private readonly background: Pick<Background, 'dropoutsPerSensorPerDay' | 'lostReadingShare'>,
  ) {
    const n = fleet.sensors.length;
    this.base = new Float64Array(n);
    this.amplitude = new Float64Array(n);
    this.driftPeriod = new Float64Array(n);
    this.driftPhase = new Float64Array(n);
    this.rainK = new Float64Array(n);
    this.capacity = new Float64Array(n);
    for (const s of fleet.sensors) {
      const p = s.profile;
      const u = (salt: number) => unit(seed, s.index, salt);
      const hot = u(1) < p.hotShare ? p.hotShift : 0;
      this.base[s.index] = lerp(p.base, u(2)) + hot;
      this.amplitude[s.index] = lerp(p.amplitude, u(3));
      this.driftPeriod[s.index] = (2 + 6 * u(4)) * DAY;
      this.driftPhase[s.index] = 2 * Math.PI * u(5);
      this.rainK[s.index] = lerp(p.rainK, u(6));
      this.capacity[s.index] = lerp(p.capacity, u(7));
    }
  }

  /** What sensor `i` reads at `t` (epoch ms), or null when no reading arrives. */
  value(i: number, t: number): number | null {
    if (this.silent(i, t)) return null;
    const sensor = this.fleet.sensors[i]!;
    const p = sensor.profile;
    const hour = ((((t + 8 * HOUR) % DAY) + DAY) % DAY) / HOUR;
    const weekday = (Math.floor((t + 8 * HOUR) / DAY) + 4) % 7;
    let v: number;
    if (p.type === 'h2_storage_pressure') {
      // Cascade banks are drawn down by fills and topped up by deliveries: a saw of 6–10 hours.
      const period = (6 + 4 * unit(this.seed, i, 8)) * HOUR;
      const x = ((((t + unit(this.seed, i, 9) * period) % period) + period) % period) / period;
      v = 42 - 16 * x;
    } else {
      v = this.base[i]! + this.amplitude[i]! * dailyShape(p.daily, hour, weekday === 0 || weekday === 6);
    }
    v += p.drift * Math.sin((2 * Math.PI * t) / this.driftPeriod[i]! + this.driftPhase[i]!);
    v += p.noise * normal(this.seed, i, Math.floor(t / 1000));
    if (p.rain !== 'none' && !this.weather.dry) v += this.rainEffect(i, sensor.county, t, v);
    const effects = this.incidents.effectsOf(i);
    if (effects !== undefined) {
      for (const e of effects) {
        if (t < e.from || t > e.to + e.rampOut) continue;
        if (e.mode === 'silence') {
          if (t < e.to) return null;
          continue;
        }
        const r =
          Math.min(1, e.rampIn > 0 ? (t - e.from) / e.rampIn : 1) *
          Math.min(1, e.rampOut > 0 ? (e.to + e.rampOut - t) / e.rampOut : t <= e.to ? 1 : 0);
        v = e.mode === 'target' ? v + (e.value - v) * r : v + e.value * r;
      }
    }
    if (p.nonNegative && v < 0) v = 0;
    if (p.ceiling !== null && v > p.ceiling) v = p.ceiling;
    const { min, max } = sensor.type.measurable;
    v = Math.min(max, Math.max(min, v));
    const scale = 10 ** p.decimals;
    return Math.round(v * scale) / scale;
  }

  /** True when no reading of sensor `i` at `t` arrives: a lost packet or a drop-out window. */
  silent(i: number, t: number): boolean {
    const second = Math.floor(t / 1000);
    if (unit(this.seed, i, second, 0x1057) < this.background.lostReadingShare) return true;
    const chance = this.background.dropoutsPerSensorPerDay * (SLOT / DAY);
    if (chance <= 0) return false;
    const slot = Math.floor(t / SLOT);
    // A drop-out lasts 10–90 minutes and may start in the previous slot.
    for (const s of [slot, slot - 1]) {
      if (unit(this.seed, i, s, 0xd0) >= chance) continue;
      const h = hash(this.seed, i, s, 0xd1);
      const start = s * SLOT + (h / 4294967296) * SLOT;
      const end = start + (10 + 80 * unit(this.seed, i, s, 0xd2)) * 60_000;
      if (t >= start && t < end) return true;
    }
    return false;
  }

  private rainEffect(i: number, county: string, t: number, v: number): number {
    const p = this.fleet.sensors[i]!.profile;
    switch (p.rain) {
      case 'none':
        return 0;
      case 'sewer':
        return this.rainK[i]! * this.weather.lastHour(county, t);
      case 'velocity':
        return this.rainK[i]! * this.weather.lastHour(county, t);
      case 'pond':
        return Math.max(0, this.weather.lastHour(county, t) - this.capacity[i]!) * this.rainK[i]!;
      case 'runoff':
        return this.rainK[i]! * this.weather.lastSixHours(county, t);
      case 'oxygen':
        return -Math.min(v * 0.4, this.rainK[i]! * this.weather.lastSixHours(county, t));
      case 'wind':
        return this.weather.intensity(county, t) > 0
          ? this.rainK[i]! *
              this.weather.intensity(county, t) *
              (0.6 + 0.8 * unit(this.seed, i, Math.floor(t / 60_000), 0x91))
          : 0;
    }
  }
}

function lerp([lo, hi]: readonly [number, number], u: number): number {
  return lo + (hi - lo) * u;
}
