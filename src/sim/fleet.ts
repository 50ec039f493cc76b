import { seededRandom } from '../platform/random.js';
import { sensorType, type SensorType } from '../devices/sensor-types.js';
import { CROSS_BOUNDARY_RIVERS, type CityGeo, type County, type Township } from './city-geo.js';
import { cumulativeOf, pickWeighted } from './sim-random.js';
import { ASSETS, OWNERS, SIGNAL_PROFILES, type AssetKind, type SignalProfile } from './signal-profiles.js';

/**
 * The simulated city's devices: sensors of every built-in type placed in the 1,031 towns/streets
 * (denser in the urban core), grouped on bridges, tunnels, stations, hydrogen stations and river
 * sections where real installations are, and AI cameras. The same seed and sizes give the same
 * fleet, ids included, so a restarted simulator finds its sensors already registered.
 */

/** One simulated sensor. */
export interface FleetSensor {
  index: number;
  id: string;
  type: SensorType;
  profile: SignalProfile;
  lon: number;
  lat: number;
  county: string;
  township: string;
  /** Index into `assets`, or -1 for a stand-alone sensor. */
  asset: number;
}

/** A structure carrying several sensors (a bridge, a tunnel, a metro station…). */
export interface FleetAsset {
  kind: AssetKind;
  id: string;
  name: string;
  county: string;
  township: string;
  lon: number;
  lat: number;
  sensors: number[];
}

/** One simulated AI camera (视频点位). */
export interface FleetCamera {
  index: number;
  id: string;
  name: string;
  lon: number;
  lat: number;
  county: string;
  township: string;
}

/** The whole fleet. */
export interface Fleet {
  prefix: string;
  seed: number;
  sensors: FleetSensor[];
  assets: FleetAsset[];
  cameras: FleetCamera[];
}

/**
 * AI cameras per county at full scale (`cameraScale` 1). 北碚区 has about 7,400; the others are
 * illustrative, in proportion to how built-up each county is.
 */
const CAMERAS_FULL_SCALE: Record<string, number> = {
  '500103': 6000,
  '500104': 3500,
  '500105': 9000,
  '500106': 9000,
  '500107': 10000,
  '500108': 8500,
  '500109': 7400,
  '500112': 14000,
  '500113': 8000,
};
const CAMERAS_DISTRICT = 3000; // other districts (区)
const CAMERAS_COUNTY = 1800; // counties (县)

const KIND_WEIGHT = { street: 3, town: 1, rural: 0.5 } as const;

/** Builds the fleet for a seed, a number of sensors and a camera scale. */
export function buildFleet(
  geo: CityGeo,
  options: { seed: number; sensors: number; cameraScale: number; prefix: string },
): Fleet {
  const random = seededRandom(options.seed);
  const fleet: Fleet = { prefix: options.prefix, seed: options.seed, sensors: [], assets: [], cameras: [] };
  const general = weighted(geo.townships, (t) => KIND_WEIGHT[t.kind] * (isCore(geo, t) ? 3 : 1));
  const core = weighted(
    geo.townships.filter((t) => isCore(geo, t)),
    (t) => (t.kind === 'street' ? 3 : 0.5),
  );
  const counts = sensorCounts(options.sensors);
  for (const profile of SIGNAL_PROFILES) {
    if (profile.asset !== null) continue;
    const type = sensorType(profile.type)!;
    for (let n = 1; n <= counts.single.get(profile.type)!; n++) {
      const township = general.pick(random());
      const [lon, lat] = geo.samplePoint(township, random);
      fleet.sensors.push({
        index: fleet.sensors.length,
        id: `${options.prefix}-${profile.abbr}-${pad(n, 6)}`,
        type,
        profile,
        lon,
        lat,
        county: township.county,
        township: township.code,
        asset: -1,
      });
    }
  }
  for (const kind of Object.keys(ASSETS) as AssetKind[]) {
    const members = SIGNAL_PROFILES.filter((p) => p.asset === kind);
    for (let n = 1; n <= counts.assets.get(kind)!; n++) {
      const township =
        kind === 'river_section'
          ? riverTownship(geo, n, random)
          : kind === 'station' || kind === 'h2_station'
            ? core.pick(random())
            : general.pick(random());
      const [lon, lat] = geo.samplePoint(township, random);
      const asset: FleetAsset = {
        kind,
        id: `${ASSETS[kind].abbr}-${pad(n, 4)}`,
        name: assetName(geo, kind, township, n),
        county: township.county,
        township: township.code,
        lon,
        lat,
        sensors: [],
      };
      for (const profile of members) {
        for (let k = 1; k <= profile.share; k++) {
          const [x, y] = geo.jitter(lon, lat, 30, random);
          asset.sensors.push(fleet.sensors.length);
          fleet.sensors.push({
            index: fleet.sensors.length,
            id: `${options.prefix}-${asset.id}-${profile.abbr}${k}`,
            type: sensorType(profile.type)!,
            profile,
            lon: x,
            lat: y,
            county: township.county,
            township: township.code,
            asset: fleet.assets.length,
          });
        }
      }
      fleet.assets.push(asset);
    }
  }
  fleet.cameras = buildCameras(geo, options, random);
  return fleet;
}

/** How many sensors of each single type and how many assets of each kind make `total` exactly. */
export function sensorCounts(total: number): { single: Map<string, number>; assets: Map<AssetKind, number> } {
  const single = new Map<string, number>();
  const assets = new Map<AssetKind, number>();
  let used = 0;
  for (const kind of Object.keys(ASSETS) as AssetKind[]) {
    const perAsset = SIGNAL_PROFILES.filter((p) => p.asset === kind).reduce((s, p) => s + p.share, 0);
    const n = Math.max(ASSETS[kind].minCount, Math.round((total * ASSETS[kind].share) / perAsset));
    assets.set(kind, n);
    used += n * perAsset;
  }
  const singles = SIGNAL_PROFILES.filter((p) => p.asset === null);
  const shareSum = singles.reduce((s, p) => s + p.share, 0);
  for (const p of singles) {
    const n = Math.max(1, Math.round(((total - used) * p.share) / shareSum));
    single.set(p.type, n);
  }
  // Rounding leaves a few over or under: the largest type absorbs them, so --sensors N means N.
  const sum = used + [...single.values()].reduce((s, n) => s + n, 0);
  const largest = singles.reduce((a, b) => (b.share > a.share ? b : a));
  single.set(largest.type, Math.max(1, single.get(largest.type)! + total - sum));
  return { single, assets };
}

function buildCameras(
  geo: CityGeo,
  options: { seed: number; cameraScale: number; prefix: string },
  random: () => number,
): FleetCamera[] {
  const cameras: FleetCamera[] = [];
  if (options.cameraScale <= 0) return cameras;
  for (const county of geo.counties) {
    const full =
      CAMERAS_FULL_SCALE[county.code] ?? (county.name.endsWith('区') ? CAMERAS_DISTRICT : CAMERAS_COUNTY);
    const count = Math.round(full * options.cameraScale);
    const townships = weighted(county.townships, (t) =>
      t.kind === 'street' ? 3 : t.kind === 'town' ? 1 : 0.4,
    );
    for (let n = 0; n < count; n++) {
      const township = townships.pick(random());
      const [lon, lat] = geo.samplePoint(township, random);
      const index = cameras.length;
      cameras.push({
        index,
        id: `${options.prefix}-CAM-${pad(index + 1, 6)}`,
        name: `${township.name}视频点位${n + 1}`,
        lon,
        lat,
        county: county.code,
        township: township.code,
      });
    }
  }
  return cameras;
}

/** The registry rows for the fleet's sensors (POST /api/v1/sensors/import, JSON). */
export function sensorRows(fleet: Fleet): object[] {
  return fleet.sensors.map((s) => {
    const asset = s.asset >= 0 ? fleet.assets[s.asset] : undefined;
    return {
      id: s.id,
      type: s.type.code,
      lon: s.lon,
      lat: s.lat,
      department: OWNERS[s.type.domain] ?? null,
      metadata: {
        simulated: true,
        fleet: fleet.prefix,
        ...(asset ? { asset: asset.name, assetId: asset.id } : {}),
      },
    };
  });
}

/** The registry rows for the fleet's cameras (POST /api/v1/cameras/import, JSON). */
export function cameraRows(fleet: Fleet): object[] {
  return fleet.cameras.map((c) => ({
    id: c.id,
    name: c.name,
    lon: c.lon,
    lat: c.lat,
    department: '城市管理局视频中心',
    metadata: { simulated: true, fleet: fleet.prefix },
  }));
}

function isCore(geo: CityGeo, t: Township): boolean {
  return geo.county(t.county)?.core ?? false;
}

function weighted(townships: readonly Township[], weight: (t: Township) => number) {
  const cumulative = cumulativeOf(townships.map(weight));
  return { pick: (u: number): Township => townships[pickWeighted(cumulative, u)]! };
}

function riverTownship(geo: CityGeo, n: number, random: () => number): Township {
  const [code] = CROSS_BOUNDARY_RIVERS[(n - 1) % CROSS_BOUNDARY_RIVERS.length]!;
  const county: County | undefined = geo.county(code);
  const townships = county?.townships ?? geo.townships;
  return townships[Math.floor(random() * townships.length)]!;
}

function assetName(geo: CityGeo, kind: AssetKind, township: Township, n: number): string {
  if (kind === 'river_section') {
    const [code, river] = CROSS_BOUNDARY_RIVERS[(n - 1) % CROSS_BOUNDARY_RIVERS.length]!;
    const round = Math.floor((n - 1) / CROSS_BOUNDARY_RIVERS.length);
    return `${river}${geo.county(code)?.name ?? ''}跨界断面${round > 0 ? round + 1 : ''}`;
  }
  return `${township.name}${ASSETS[kind].name}${n}号`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
