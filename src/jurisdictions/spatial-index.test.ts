import fc from 'fast-check';
import pointInPolygon from 'point-in-polygon-hao';
import { describe, expect, it } from 'vitest';
import { loadBoundaries, loadDivisions } from './geo-data.js';
import type { MultiPolygon } from './geo.types.js';
import { pointInMultiPolygon, SpatialIndex, type IndexItem } from './spatial-index.js';
import { seededRandom } from '../platform/random.js';

/** Distance from (x, y) to the nearest edge of any item; points closer than ~1e-9 are ambiguous. */
function edgeDistance(x: number, y: number, items: readonly IndexItem[]): number {
  let d = Infinity;
  for (const { polygons } of items) {
    for (const ring of polygons.flat()) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax = 0, ay = 0] = ring[i]!;
        const [bx = 0, by = 0] = ring[i + 1]!;
        const [dx, dy] = [bx - ax, by - ay];
        const len = dx * dx + dy * dy;
        const s = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len));
        d = Math.min(d, Math.hypot(x - ax - s * dx, y - ay - s * dy));
      }
    }
  }
  return d;
}

/** Even-odd over all rings of a multipolygon, via point-in-polygon-hao per polygon. */
function bruteInside(x: number, y: number, polygons: MultiPolygon): boolean {
  return polygons.reduce((inside, polygon) => inside !== (pointInPolygon([x, y], polygon) === true), false);
}

/** First item (in order) containing the point, by brute force. */
function bruteLookup(x: number, y: number, items: readonly IndexItem[]): string | null {
  return items.find((item) => bruteInside(x, y, item.polygons))?.code ?? null;
}

// Lattice coordinates make collinear edges, shared vertices, horizontal edges and vertices exactly on
// cell centres common — the degenerate cases a grid index most easily gets wrong.
const lattice = fc.integer({ min: 0, max: 12 });
const vertex = fc.tuple(lattice, lattice);
const ring = fc.array(vertex, { minLength: 3, maxLength: 9 });
const star = fc
  .record({ cx: lattice, cy: lattice, n: fc.integer({ min: 3, max: 9 }), r: fc.integer({ min: 2, max: 6 }) })
  .map(({ cx, cy, n, r }) => {
    // A star-shaped outer ring with a scaled copy inside as its hole.
    const at = (k: number, s: number): [number, number] => {
      const a = (2 * Math.PI * k) / n;
      const rad = (k % 2 ? r : r / 2) * s;
      return [cx + Math.round(rad * Math.cos(a) * 4) / 4, cy + Math.round(rad * Math.sin(a) * 4) / 4];
    };
    return [Array.from({ length: n }, (_, k) => at(k, 1)), Array.from({ length: n }, (_, k) => at(k, 0.4))];
  });
const polygon = fc.oneof(fc.array(ring, { minLength: 1, maxLength: 3 }), star);
const multiPolygon = fc.array(polygon, { minLength: 1, maxLength: 3 });
const scene = fc.record({
  polygons: fc.array(multiPolygon, { minLength: 1, maxLength: 6 }),
  // Either raw lattice units or degrees around Chongqing, where floating-point behaves differently.
  frame: fc.constantFrom({ ox: 0, oy: 0, k: 1 }, { ox: 106.5, oy: 29.5, k: 0.01 }),
  cellSize: fc.constantFrom(undefined, 0.25, 0.5, 1, 2, 3.7, 4, 6),
  closeRings: fc.boolean(),
  points: fc.array(
    fc.oneof(
      fc.tuple(fc.double({ min: -1, max: 13, noNaN: true }), fc.double({ min: -1, max: 13, noNaN: true })),
      fc
        .tuple(fc.integer({ min: -4, max: 52 }), fc.integer({ min: -4, max: 52 }))
        .map(([x, y]) => [x / 4, y / 4]),
    ),
    { minLength: 1, maxLength: 40 },
  ),
});

describe('SpatialIndex', () => {
  it('agrees with brute force on random polygons, holes and multipolygons', () => {
    fc.assert(
      fc.property(scene, ({ polygons, frame, cellSize, closeRings, points }) => {
        const place = ([x = 0, y = 0]: number[]): number[] => [
          frame.ox + x * frame.k,
          frame.oy + y * frame.k,
        ];
        const items = polygons.map((mp, i) => ({
          code: `item${i}`,
          polygons: mp.map((p) => p.map((r) => r.map(place))),
        }));
        const closed = items.map((item) => ({
          ...item,
          polygons: item.polygons.map((p) => p.map((r) => [...r, r[0]!])),
        }));
        const index = SpatialIndex.build(closeRings ? closed : items, {
          cellSize: cellSize === undefined ? undefined : cellSize * frame.k,
        });
        for (const point of points) {
          const [x = 0, y = 0] = place(point);
          if (edgeDistance(x, y, closed) < 1e-9) continue;
          const expected = bruteLookup(x, y, closed);
          expect(index.lookup(x, y), `point ${x},${y}`).toBe(expected);
          const slow = closed.find((item) => pointInMultiPolygon(x, y, item.polygons))?.code ?? null;
          expect(slow).toBe(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('returns null outside the grid and for NaN', () => {
    const index = SpatialIndex.build([
      {
        code: 'sq',
        polygons: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
            [0, 0],
          ],
        ].map((r) => [r]),
      },
    ]);
    expect(index.lookup(0.5, 0.5)).toBe('sq');
    expect(index.lookup(2, 0.5)).toBeNull();
    expect(index.lookup(Number.NaN, 0.5)).toBeNull();
    expect(SpatialIndex.build([]).lookup(0, 0)).toBeNull();
  });

  it('agrees with brute force over every township polygon for 20,000 seeded points', () => {
    const units = loadDivisions().units.filter((u) => u.level === 'township');
    const boundaries = loadBoundaries();
    const items = units.map((u) => ({ code: u.code, polygons: boundaries.get(u.code)!.polygons }));
    const boxes = items.map(({ polygons }) => {
      const pts = polygons.flat(2);
      const xs = pts.map((p) => p[0]!);
      const ys = pts.map((p) => p[1]!);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
    });
    const [minX, minY] = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1]))];
    const [maxX, maxY] = [Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
    const index = SpatialIndex.build(items);
    const random = seededRandom(20240601);
    let [inside, checked] = [0, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = minX + random() * (maxX - minX);
      const y = minY + random() * (maxY - minY);
      const near = items.filter((_, k) => {
        const b = boxes[k]!;
        return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
      });
      if (edgeDistance(x, y, near) < 1e-9) continue;
      const expected = bruteLookup(x, y, near);
      expect(index.lookup(x, y), `point ${x},${y}`).toBe(expected);
      checked++;
      if (expected !== null) inside++;
    }
    expect(checked).toBeGreaterThan(19_900);
    // The bbox of Chongqing + Sichuan is mostly covered by them; make sure the test exercised hits.
    expect(inside).toBeGreaterThan(8_000);
  });
});
