import polygonClipping, { type MultiPolygon, type Ring } from 'polygon-clipping';
import { COORDINATE_SCALE } from '../../src/jurisdictions/geo-data.js';

/** Axis-aligned bounds [minX, minY, maxX, maxY]. */
export type Box = [number, number, number, number];

/** Bounds of a multipolygon. */
export function bounds(mp: MultiPolygon): Box {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of mp.flat(2)) {
    box[0] = Math.min(box[0], x);
    box[1] = Math.min(box[1], y);
    box[2] = Math.max(box[2], x);
    box[3] = Math.max(box[3], y);
  }
  return box;
}

/** Shoelace area of a ring (positive when counter-clockwise). */
function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  }
  return a / 2;
}

/** Area in square degrees (outer rings minus holes); for summaries only. */
export function area(mp: MultiPolygon): number {
  return mp.reduce((sum, [outer = [], ...holes]) => {
    return sum + Math.abs(ringArea(outer)) - holes.reduce((h, r) => h + Math.abs(ringArea(r)), 0);
  }, 0);
}

/**
 * Normalises source geometry into valid, non-overlapping polygons. The echarts outlines contain
 * zero-area "rings" (two distinct points) and parts touching themselves, which would otherwise turn
 * into spurious holes under the even-odd rule.
 */
export function clean(mp: MultiPolygon): MultiPolygon {
  return polygonClipping.union(mp);
}

/** A multipolygon on the storage grid: integer rings, not closed, as written to boundaries.json. */
export type IntMultiPolygon = number[][][][];

/**
 * Snaps coordinates to the 1e-5° storage grid, dropping repeated vertices and rings that collapse to
 * no area (and the holes of a collapsed outer ring).
 */
export function quantize(mp: MultiPolygon): IntMultiPolygon {
  const result: IntMultiPolygon = [];
  for (const polygon of mp) {
    const rings: number[][][] = [];
    for (const ring of polygon) {
      const snapped: number[][] = [];
      for (const [x, y] of ring) {
        const p = [Math.round(x * COORDINATE_SCALE), Math.round(y * COORDINATE_SCALE)];
        const last = snapped[snapped.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) snapped.push(p);
      }
      const [first, last] = [snapped[0], snapped[snapped.length - 1]];
      if (first && last && snapped.length > 1 && first[0] === last[0] && first[1] === last[1]) snapped.pop();
      // Relative to the first vertex, so the products stay far below 2⁵³ and the sum is exact.
      const [ox = 0, oy = 0] = snapped[0] ?? [];
      let twiceArea = 0;
      for (let i = 0, j = snapped.length - 1; i < snapped.length; j = i++) {
        const [ax = 0, ay = 0] = snapped[j]!;
        const [bx = 0, by = 0] = snapped[i]!;
        twiceArea += (ax - ox) * (by - oy) - (bx - ox) * (ay - oy);
      }
      if (snapped.length >= 3 && twiceArea !== 0) rings.push(snapped);
      else if (rings.length === 0) break; // outer ring collapsed: its holes go with it
    }
    if (rings.length) result.push(rings);
  }
  return result;
}

/** Back from the storage grid to closed degree rings, exactly as the runtime loader decodes them. */
export function dequantize(mp: IntMultiPolygon): MultiPolygon {
  return mp.map((polygon) =>
    polygon.map((ring) => {
      const out: Ring = ring.map(([x = 0, y = 0]) => [x / COORDINATE_SCALE, y / COORDINATE_SCALE]);
      out.push([...out[0]!]);
      return out;
    }),
  );
}
