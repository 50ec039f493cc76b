import type { MultiPolygon } from './geo.types.js';

/** Why one feature of an imported file was not taken. */
export interface RejectedFeature {
  index: number;
  code: string | null;
  error: 'INVALID_GEOMETRY' | 'JURISDICTION_NOT_FOUND' | 'INVALID_JURISDICTION';
  message: string;
}

/** The valid boundaries of a file and the features rejected, each with its reason. */
export interface ParsedBoundaries {
  boundaries: { code: string; polygons: MultiPolygon }[];
  rejected: RejectedFeature[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one ring: ≥ 4 finite WGS84 positions, closed (an open ring is closed for the user). */
function ring(value: unknown): number[][] | string {
  if (!Array.isArray(value)) return 'a ring must be an array of positions';
  const positions: number[][] = [];
  for (const p of value) {
    if (!Array.isArray(p) || p.length < 2) return 'a position must be [lon, lat]';
    const [lon, lat] = p as unknown[];
    if (
      typeof lon !== 'number' ||
      typeof lat !== 'number' ||
      !Number.isFinite(lon) ||
      !Number.isFinite(lat)
    ) {
      return 'coordinates must be finite numbers';
    }
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      return `[${lon}, ${lat}] is not a WGS84 lon/lat position (is the file in a projected CRS?)`;
    }
    positions.push([lon, lat]);
  }
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) positions.push([...first]);
  if (positions.length < 4) return 'a ring needs at least 3 distinct positions';
  return positions;
}

/** Converts a GeoJSON Polygon or MultiPolygon geometry to MultiPolygon coordinates, or says why not. */
export function toMultiPolygon(geometry: unknown): MultiPolygon | string {
  if (!isRecord(geometry)) return 'the feature has no geometry';
  const polygons =
    geometry.type === 'Polygon'
      ? [geometry.coordinates]
      : geometry.type === 'MultiPolygon'
        ? geometry.coordinates
        : null;
  if (polygons === null) return `geometry type "${String(geometry.type)}" is not Polygon or MultiPolygon`;
  if (!Array.isArray(polygons) || polygons.length === 0) return 'the geometry has no polygons';
  const out: MultiPolygon = [];
  for (const polygon of polygons) {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      return 'a polygon must be a non-empty array of rings';
    }
    const rings: number[][][] = [];
    for (const r of polygon) {
      const checked = ring(r);
      if (typeof checked === 'string') return checked;
      rings.push(checked);
    }
    out.push(rings);
  }
  return out;
}

/**
 * Reads a GeoJSON FeatureCollection (or a single Feature) whose features carry the unit code in
 * `properties.code` (or `properties.adcode`, or the feature `id`). Every feature is judged alone.
 */
export function parseBoundaryFile(json: unknown, knows: (code: string) => boolean): ParsedBoundaries {
  const features = isRecord(json) && json.type === 'FeatureCollection' ? json.features : [json];
  if (!Array.isArray(features)) throw new Error('"features" must be an array');
  const result: ParsedBoundaries = { boundaries: [], rejected: [] };
  features.forEach((feature: unknown, index) => {
    if (!isRecord(feature) || feature.type !== 'Feature') {
      result.rejected.push({
        index,
        code: null,
        error: 'INVALID_GEOMETRY',
        message: 'not a GeoJSON Feature',
      });
      return;
    }
    const props = isRecord(feature.properties) ? feature.properties : {};
    const raw = props.code ?? props.adcode ?? feature.id;
    const code = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
    if (!code) {
      const message = 'the feature needs properties.code (or adcode, or an id) naming its unit';
      result.rejected.push({ index, code: null, error: 'INVALID_JURISDICTION', message });
      return;
    }
    if (!knows(code)) {
      const message = `no jurisdiction has the code "${code}"`;
      result.rejected.push({ index, code, error: 'JURISDICTION_NOT_FOUND', message });
      return;
    }
    const polygons = toMultiPolygon(feature.geometry);
    if (typeof polygons === 'string') {
      result.rejected.push({ index, code, error: 'INVALID_GEOMETRY', message: polygons });
      return;
    }
    result.boundaries.push({ code, polygons });
  });
  return result;
}
