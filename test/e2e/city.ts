/**
 * A small live city for the browser suite and the README screenshots, made through the public
 * API only (as the simulator of issue 8 will): sensors of every domain's headline type in every
 * district, readings that follow a daily-looking wave with a few out of range (so alarms fire),
 * and cases reported by operators.
 */
import { seededRandom } from '../../src/platform/random.js';

interface Feature {
  properties: { code: string; name: string };
  geometry: { coordinates: number[][][][] };
}

/** Headline type of each domain, with a normal level and a swing that stays inside the normal range. */
export const TYPES: { type: string; base: number; swing: number; bad: number }[] = [
  { type: 'water_main_pressure', base: 0.38, swing: 0.06, bad: 0.15 },
  { type: 'sewer_fill_ratio', base: 45, swing: 15, bad: 110 },
  { type: 'feeder_load', base: 55, swing: 18, bad: 120 },
  { type: 'gas_concentration', base: 3, swing: 2, bad: 60 },
  { type: 'base_station_availability', base: 99.9, swing: 0.05, bad: 90 },
  { type: 'bridge_strain', base: 40, swing: 60, bad: 900 },
  { type: 'tunnel_water_depth', base: 2, swing: 2, bad: 40 },
  { type: 'platform_passenger_density', base: 0.8, swing: 0.6, bad: 4 },
  { type: 'h2_storage_pressure', base: 35, swing: 5, bad: 10 },
  { type: 'river_dissolved_oxygen', base: 7.5, swing: 0.8, bad: 2 },
];

/** A deterministic pseudo-random sequence, so every run seeds the same city. */
export const random = seededRandom;

function inside(point: [number, number], ring: number[][]): boolean {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i]!;
    const [xj = 0, yj = 0] = ring[j]!;
    if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) {
      hit = !hit;
    }
  }
  return hit;
}

/** `count` points inside a unit's outline (its largest polygon), spread by `rand`. */
export function pointsIn(feature: Feature, count: number, rand: () => number): [number, number][] {
  const polygon = [...feature.geometry.coordinates].sort((a, b) => b[0]!.length - a[0]!.length)[0]!;
  const ring = polygon[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const out: [number, number][] = [];
  for (let tries = 0; out.length < count && tries < count * 200; tries++) {
    const p: [number, number] = [minX + (maxX - minX) * rand(), minY + (maxY - minY) * rand()];
    if (inside(p, ring)) out.push([Number(p[0].toFixed(6)), Number(p[1].toFixed(6))]);
  }
  return out;
}

/** A client of one running cityops. */
export class CityClient {
  constructor(readonly base: string) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Signs in and returns the Authorization header. */
  async signIn(username: string, password: string): Promise<Record<string, string>> {
    const { accessToken } = await this.call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
      username,
      password,
    });
    return { authorization: `Bearer ${accessToken}` };
  }
}

/** What seedCity made. */
export interface SeededCity {
  sensors: { id: string; type: string; county: string }[];
  deviceKey: string;
  /** Posts one round of readings at `ts` (every sensor once); `incidents` sensors read out of range. */
  feed(ts: number, incidents?: number): Promise<void>;
}

/**
 * Registers `perCounty` sensors of each headline type in each Chongqing district (as `admin`) and
 * returns a feeder for their readings.
 */
export async function seedCity(
  city: CityClient,
  admin: Record<string, string>,
  perCounty = 1,
): Promise<SeededCity> {
  const rand = random(2026);
  const counties = await city.call<{ features: Feature[] }>(
    'GET',
    '/api/v1/jurisdictions/geojson?level=county&parent=50',
    undefined,
    admin,
  );
  const { key } = await city.call<{ key: string }>(
    'POST',
    '/api/v1/keys',
    { kind: 'device', label: 'e2e city' },
    admin,
  );
  const sensors: SeededCity['sensors'] = [];
  const jobs: (() => Promise<void>)[] = [];
  for (const feature of counties.features) {
    const code = feature.properties.code;
    const points = pointsIn(feature, TYPES.length * perCounty, rand);
    points.forEach(([lon, lat], i) => {
      const type = TYPES[i % TYPES.length]!.type;
      const id = `E2E-${code}-${type}-${i}`;
      sensors.push({ id, type, county: code });
      jobs.push(async () => {
        await city.call('POST', '/api/v1/sensors', { id, type, lon, lat }, admin).catch((e: Error) => {
          if (!e.message.includes('409')) throw e;
        });
      });
    });
  }
  for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((j) => j()));
  const waves = random(7);
  // Incidents last a while (rounds left per sensor), as a burst main or a flooded tunnel would.
  const broken = new Map<number, number>();
  return {
    sensors,
    deviceKey: key,
    feed: async (ts, incidents = 0) => {
      const hour = ((ts / 3_600_000 + 8) % 24) / 24;
      for (let n = 0; n < incidents; n++) {
        broken.set(Math.floor(waves() * sensors.length), 8 + Math.floor(waves() * 30));
      }
      const bad = new Set(broken.keys());
      for (const [i, left] of broken) {
        if (left <= 1) broken.delete(i);
        else broken.set(i, left - 1);
      }
      const readings = sensors.map((s, i) => {
        const t = TYPES.find((x) => x.type === s.type)!;
        const wave = Math.sin(2 * Math.PI * (hour + i / 50));
        const value = bad.has(i) ? t.bad : t.base + t.swing * (0.7 * wave + 0.3 * (waves() * 2 - 1));
        return { sensor: s.id, ts, value: Number(value.toFixed(4)) };
      });
      await city.call('POST', '/api/v1/telemetry', { readings }, { 'x-api-key': key });
    },
  };
}
