import { Delaunay } from 'd3-delaunay';
import polygonClipping, { type MultiPolygon, type Ring } from 'polygon-clipping';
import { SpatialIndex } from '../../src/jurisdictions/spatial-index.js';
import { bounds, type Box } from './geometry.js';

// East-west length of a degree relative to north-south at ~30°N (cos 30°), so cells come out roughly
// round on the ground. A literal rather than Math.cos keeps the output byte-identical on every platform.
const LON_SCALE = 0.866;
const SAMPLES_PER_CHILD = 64;
const LLOYD_ITERATIONS = 12;

/** FNV-1a over the key's UTF-16 units: a stable 32-bit seed from a unit code. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Van der Corput radical inverse: the i-th element of the base-b Halton sequence. */
function radicalInverse(i: number, base: number): number {
  let [f, r] = [1, 0];
  for (let n = i; n > 0; n = Math.floor(n / base)) {
    f /= base;
    r += f * (n % base);
  }
  return r;
}

/**
 * `count` points inside the parent, as flat [x0, y0, x1, y1, …]: a Halton (2, 3) sequence over the
 * parent's bounds, shifted by an offset derived from `key` and rejected outside the parent. Quasi-random
 * points are evenly spread, so fewer Lloyd iterations are needed than with pseudo-random ones.
 */
function pointsInside(inside: SpatialIndex, box: Box, count: number, key: string): Float64Array {
  const h = hash(key);
  const [ox, oy] = [(h & 0xffff) / 0x10000, (h >>> 16) / 0x10000];
  const out = new Float64Array(2 * count);
  for (let i = 1, n = 0; n < count; i++) {
    if (i > 1000 * count + 100_000) throw new Error(`${key}: cannot place ${count} points inside the parent`);
    const x = box[0] + ((radicalInverse(i, 2) + ox) % 1) * (box[2] - box[0]);
    const y = box[1] + ((radicalInverse(i, 3) + oy) % 1) * (box[3] - box[1]);
    if (inside.lookupIndex(x, y) !== 0) continue;
    out[2 * n] = x;
    out[2 * n + 1] = y;
    n++;
  }
  return out;
}

const scaled = (xy: Float64Array): Float64Array => xy.map((v, i) => (i % 2 ? v : v * LON_SCALE));

/**
 * Lloyd relaxation on a discrete sample of the parent: each seed moves to the centroid of the samples
 * nearest to it, which evens out cell areas. A centroid that falls outside a non-convex parent is
 * replaced by the seed's own sample nearest to it, so every seed stays strictly inside the parent.
 */
function relax(seeds: Float64Array, samples: Float64Array, inside: SpatialIndex): void {
  const [n, m] = [seeds.length / 2, samples.length / 2];
  const owner = new Int32Array(m);
  for (let iteration = 0; iteration < LLOYD_ITERATIONS; iteration++) {
    const delaunay = new Delaunay(scaled(seeds));
    const [sx, sy, count] = [new Float64Array(n), new Float64Array(n), new Uint32Array(n)];
    for (let j = 0, hint = 0; j < m; j++) {
      hint = delaunay.find(samples[2 * j]! * LON_SCALE, samples[2 * j + 1]!, hint);
      owner[j] = hint;
      sx[hint]! += samples[2 * j]!;
      sy[hint]! += samples[2 * j + 1]!;
      count[hint]!++;
    }
    for (let i = 0; i < n; i++) {
      if (count[i] === 0) continue;
      let [x, y] = [sx[i]! / count[i]!, sy[i]! / count[i]!];
      if (inside.lookupIndex(x, y) !== 0) {
        let best = Infinity;
        for (let j = 0; j < m; j++) {
          if (owner[j] !== i) continue;
          const d = (samples[2 * j]! - x) ** 2 + (samples[2 * j + 1]! - y) ** 2;
          if (d < best) [best, x, y] = [d, samples[2 * j]!, samples[2 * j + 1]!];
        }
      }
      seeds[2 * i] = x;
      seeds[2 * i + 1] = y;
    }
  }
}

/**
 * Splits `parent` into `keys.length` pieces of similar area, one per key, deterministically: the
 * union of the pieces is the parent (holes and multiple parts included) and none is empty.
 */
export function partition(parent: MultiPolygon, keys: readonly string[]): MultiPolygon[] {
  if (keys.length === 1) return [parent];
  const inside = SpatialIndex.build([{ code: 'parent', polygons: parent }]);
  const box = bounds(parent);
  const key = keys.join();
  const seeds = pointsInside(inside, box, keys.length, `seeds:${key}`);
  relax(seeds, pointsInside(inside, box, keys.length * SAMPLES_PER_CHILD, `samples:${key}`), inside);
  if (new Set(keys.map((_, i) => `${seeds[2 * i]},${seeds[2 * i + 1]}`)).size !== keys.length) {
    throw new Error(`${key}: two seeds coincide`);
  }
  const pad = Math.max(box[2] - box[0], box[3] - box[1]);
  const voronoi = new Delaunay(scaled(seeds)).voronoi([
    (box[0] - pad) * LON_SCALE,
    box[1] - pad,
    (box[2] + pad) * LON_SCALE,
    box[3] + pad,
  ]);
  return keys.map((child, i) => {
    const cell = voronoi.cellPolygon(i) as [number, number][] | null;
    if (!cell) throw new Error(`${child}: empty Voronoi cell`);
    const ring: Ring = cell.map(([x, y]) => [x / LON_SCALE, y]);
    const piece = polygonClipping.intersection([ring], parent);
    if (piece.length === 0) throw new Error(`${child}: its cell misses the parent polygon`);
    return piece;
  });
}
