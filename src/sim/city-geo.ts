import { loadBoundaries, loadDivisions } from '../jurisdictions/geo-data.js';
import type { MultiPolygon } from '../jurisdictions/geo.types.js';
import { SpatialIndex } from '../jurisdictions/spatial-index.js';

/**
 * Chongqing's geography as the simulator sees it: the 38 counties and 1,031 towns/streets from
 * the committed division and boundary data (the same files the server loads), weights that make
 * the urban core denser, and points drawn inside a town/street by rejection sampling.
 */

/** The nine districts of the main urban area (主城九区), where most sensors and cameras are. */
export const URBAN_CORE: readonly string[] = [
  '500103', // 渝中区
  '500104', // 大渡口区
  '500105', // 江北区
  '500106', // 沙坪坝区
  '500107', // 九龙坡区
  '500108', // 南岸区
  '500109', // 北碚区
  '500112', // 渝北区
  '500113', // 巴南区
];

/** Rivers crossing the Chongqing–Sichuan boundary (川渝跨界河流), by the county where they cross. */
export const CROSS_BOUNDARY_RIVERS: readonly (readonly [county: string, river: string])[] = [
  ['500152', '涪江'],
  ['500152', '琼江'],
  ['500117', '嘉陵江'],
  ['500117', '渠江'],
  ['500111', '濑溪河'],
  ['500153', '濑溪河'],
  ['500116', '长江'],
  ['500229', '任河'],
];

/** A town/street (镇街) of Chongqing. */
export interface Township {
  code: string;
  name: string;
  county: string;
  /** 街道 (urban street office), 镇 (town) or 乡 (rural township). */
  kind: 'street' | 'town' | 'rural';
  polygons: MultiPolygon;
  bbox: [minLon: number, minLat: number, maxLon: number, maxLat: number];
}

/** A county-level unit (区县) with its towns/streets. */
export interface County {
  code: string;
  name: string;
  core: boolean;
  townships: Township[];
}

let loaded: CityGeo | undefined;

/** The geography, loaded once per process (about 0.2 s). */
export class CityGeo {
  readonly counties: readonly County[];
  readonly townships: readonly Township[];
  private readonly byCode = new Map<string, County | Township>();
  private readonly index: SpatialIndex;

  private constructor(counties: County[]) {
    this.counties = counties;
    this.townships = counties.flatMap((c) => c.townships);
    for (const c of counties) this.byCode.set(c.code, c);
    for (const t of this.townships) this.byCode.set(t.code, t);
    // In code order, as the server builds its index: where synthesised polygons overlap, the
    // same town/street wins here and there, so a sampled point is located where it was meant to be.
    this.index = SpatialIndex.build(this.townships.map((t) => ({ code: t.code, polygons: t.polygons })));
  }

  /** Chongqing from the committed data files. */
  static load(): CityGeo {
    loaded ??= CityGeo.fromData();
    return loaded;
  }

  private static fromData(): CityGeo {
    const units = loadDivisions().units.filter((u) => u.code.startsWith('50'));
    const boundaries = loadBoundaries();
    const counties = units
      .filter((u) => u.level === 'county')
      .map((u): County => ({ code: u.code, name: u.name, core: URBAN_CORE.includes(u.code), townships: [] }));
    const byCounty = new Map(counties.map((c) => [c.code, c]));
    for (const u of units) {
      if (u.level !== 'township' || u.parent === null) continue;
      const county = byCounty.get(u.parent);
      const boundary = boundaries.get(u.code);
      if (!county || !boundary) continue;
      county.townships.push({
        code: u.code,
        name: u.name,
        county: county.code,
        kind: u.name.endsWith('街道') ? 'street' : u.name.endsWith('乡') ? 'rural' : 'town',
        polygons: boundary.polygons,
        bbox: bboxOf(boundary.polygons),
      });
    }
    return new CityGeo(counties.filter((c) => c.townships.length > 0));
  }

  /** The county with this code. */
  county(code: string): County | undefined {
    const unit = this.byCode.get(code);
    return unit && 'townships' in unit ? unit : undefined;
  }

  /** The town/street with this code. */
  township(code: string): Township | undefined {
    const unit = this.byCode.get(code);
    return unit && 'polygons' in unit ? unit : undefined;
  }

  /**
   * County codes for a reference: a code (`500103`), a name with or without its suffix (`渝中区`,
   * `渝中`), or `urban-core` for the nine main-city districts. Empty when nothing matches.
   */
  resolveCounties(ref: string): string[] {
    const text = ref.trim();
    if (text === 'urban-core' || text === '主城九区') return [...URBAN_CORE];
    if (this.county(text)) return [text];
    const match = this.counties.find(
      (c) =>
        c.name === text ||
        c.name.replace(/(区|县|土家族自治县|土家族苗族自治县|苗族土家族自治县)$/, '') === text,
    );
    return match ? [match.code] : [];
  }

  /** Town/street codes for a code or an exact name, optionally only inside one county. */
  resolveTownships(ref: string, county?: string): string[] {
    const text = ref.trim();
    const found = this.township(text);
    if (found) return county === undefined || found.county === county ? [text] : [];
    return this.townships
      .filter((t) => t.name === text && (county === undefined || t.county === county))
      .map((t) => t.code);
  }

  /** The town/street containing a point, as the server's lookup would answer. */
  locate(lon: number, lat: number): string | null {
    return this.index.lookup(lon, lat);
  }

  /**
   * A point inside the town/street, by rejection sampling in its bounding box against the point
   * lookup (so the server resolves the point to the same unit); its centre of mass if 200 tries miss.
   */
  samplePoint(township: Township, random: () => number): [lon: number, lat: number] {
    const [x0, y0, x1, y1] = township.bbox;
    for (let i = 0; i < 200; i++) {
      const lon = round6(x0 + (x1 - x0) * random());
      const lat = round6(y0 + (y1 - y0) * random());
      if (this.index.lookup(lon, lat) === township.code) return [lon, lat];
    }
    return [round6((x0 + x1) / 2), round6((y0 + y1) / 2)];
  }

  /** A point within about `metres` of (lon, lat) that stays in the same town/street. */
  jitter(lon: number, lat: number, metres: number, random: () => number): [lon: number, lat: number] {
    const home = this.index.lookup(lon, lat);
    for (let i = 0; i < 20; i++) {
      const dLat = ((random() * 2 - 1) * metres) / 111_000;
      const dLon = ((random() * 2 - 1) * metres) / (111_000 * Math.cos((lat * Math.PI) / 180));
      const p: [number, number] = [round6(lon + dLon), round6(lat + dLat)];
      if (this.index.lookup(p[0], p[1]) === home) return p;
    }
    return [lon, lat];
  }
}

function bboxOf(polygons: MultiPolygon): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    for (const [lon = 0, lat = 0] of polygon[0] ?? []) {
      x0 = Math.min(x0, lon);
      y0 = Math.min(y0, lat);
      x1 = Math.max(x1, lon);
      y1 = Math.max(y1, lat);
    }
  }
  return [x0, y0, x1, y1];
}

// Six decimals is 0.1 m: finer is noise in a sensor registry.
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
