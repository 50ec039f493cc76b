// Point lookup throughput on one core: the grid SpatialIndex over all township polygons against a
// same-run baseline of Flatbush (bbox R-tree) + point-in-polygon-hao over Chongqing's 38 counties.
// Run: npx tsx bench/lookup.bench.ts [points] — the last line is the verdict.
import Flatbush from 'flatbush';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pointInPolygon from 'point-in-polygon-hao';
import { loadBoundaries, loadDivisions } from '../src/jurisdictions/geo-data.js';
import type { MultiPolygon } from '../src/jurisdictions/geo.types.js';
import { SpatialIndex } from '../src/jurisdictions/spatial-index.js';
import { JurisdictionService } from '../src/jurisdictions/jurisdiction.service.js';
import { memoryStorage } from '../src/test-support/app.js';
import { seededRandom } from '../src/platform/random.js';
import { fmt } from './bench-support.js';

const TARGET = 1_000_000;
const RUN_MS = 2500;
const POINTS = Number(process.argv[2] ?? 1_000_000);

// A collected heap before and after the build makes the memory figure mean something.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const memory = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function bbox(polygons: MultiPolygon): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x = 0, y = 0] of polygons.flat(2)) {
    [b[0], b[1], b[2], b[3]] = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

/** Runs `pass` (one sweep over all points, returning how many hit) after a warm-up, for ≥ RUN_MS. */
function throughput(pass: () => number): { rate: number; hits: number } {
  pass();
  const start = performance.now();
  let [lookups, hits] = [0, 0];
  while (performance.now() - start < RUN_MS) {
    hits += pass();
    lookups += POINTS;
  }
  const seconds = (performance.now() - start) / 1000;
  return { rate: lookups / seconds, hits: hits / lookups };
}

let t = performance.now();
const { units } = loadDivisions();
const boundaries = loadBoundaries();
const loadMs = performance.now() - t;
const polygonsOf = (code: string): MultiPolygon => boundaries.get(code)!.polygons;
const townships = units
  .filter((u) => u.level === 'township')
  .map((u) => ({ code: u.code, polygons: polygonsOf(u.code) }));
const counties = units.filter((u) => u.level === 'county' && u.parent === '50');

const before = memory();
t = performance.now();
const index = SpatialIndex.build(townships);
const buildMs = performance.now() - t;
const heapMiB = (memory() - before) / 2 ** 20;
const stats = index.stats();
const countyIndex = SpatialIndex.build(counties.map((u) => ({ code: u.code, polygons: polygonsOf(u.code) })));

// Baseline: bbox R-tree over the 38 Chongqing counties, then an exact test per candidate.
const flatbush = new Flatbush(counties.length);
for (const u of counties) flatbush.add(...bbox(polygonsOf(u.code)));
flatbush.finish();
const countyPolygons = counties.map((u) => polygonsOf(u.code));
function baselineLookup(x: number, y: number): number {
  let found = -1;
  for (const id of flatbush.search(x, y, x, y)) {
    if ((found < 0 || id < found) && countyPolygons[id]!.some((p) => pointInPolygon([x, y], p) === true)) {
      found = id;
    }
  }
  return found;
}

const [minX, minY, maxX, maxY] = bbox(polygonsOf('50'));
const next = seededRandom(42);
const xs = new Float64Array(POINTS);
const ys = new Float64Array(POINTS);
for (let i = 0; i < POINTS; i++) {
  [xs[i], ys[i]] = [minX + next() * (maxX - minX), minY + next() * (maxY - minY)];
}

const ours = throughput(() => {
  let hits = 0;
  for (let i = 0; i < POINTS; i++) if (index.lookup(xs[i]!, ys[i]!) !== null) hits++;
  return hits;
});
const oursCounty = throughput(() => {
  let hits = 0;
  for (let i = 0; i < POINTS; i++) if (countyIndex.lookup(xs[i]!, ys[i]!) !== null) hits++;
  return hits;
});
// The service path that ingest uses: index + snapping across the slivers between district outlines.
const storage = await memoryStorage();
const service = await JurisdictionService.create({
  repository: storage.repositories.jurisdictions,
  data: { divisions: units, boundaries },
});
const located = throughput(() => {
  let hits = 0;
  for (let i = 0; i < POINTS; i++) if (service.locate(xs[i]!, ys[i]!) !== null) hits++;
  return hits;
});
await storage.database.close();
const baseline = throughput(() => {
  let hits = 0;
  for (let i = 0; i < POINTS; i++) if (baselineLookup(xs[i]!, ys[i]!) >= 0) hits++;
  return hits;
});

const pct = (n: number): string => `${(100 * n).toFixed(1)}%`;
console.log(`data: ${units.length} units, ${boundaries.size} boundaries loaded in ${loadMs.toFixed(0)} ms`);
console.log(
  `township index: ${townships.length} polygons, build ${buildMs.toFixed(0)} ms, heap +${heapMiB.toFixed(1)} MiB ` +
    `(typed arrays ${(stats.bytes / 2 ** 20).toFixed(1)} MiB; grid ${stats.cols}×${stats.rows} of ` +
    `${stats.cellSize.toFixed(4)}°, ${fmt(stats.boundaryCells)} crossed cells, ${fmt(stats.edgeRefs)} edge refs)`,
);
console.log(
  `points: ${fmt(POINTS)} seeded random in Chongqing's bbox [${[minX, minY, maxX, maxY].join(', ')}]\n`,
);
console.table({
  'SpatialIndex, townships (4,142)': { 'lookups/s': fmt(ours.rate), 'inside a polygon': pct(ours.hits) },
  'JurisdictionService.locate (index + sliver snapping)': {
    'lookups/s': fmt(located.rate),
    'inside a polygon': pct(located.hits),
  },
  'SpatialIndex, Chongqing counties (38)': {
    'lookups/s': fmt(oursCounty.rate),
    'inside a polygon': pct(oursCounty.hits),
  },
  'baseline: flatbush + pip-hao, counties (38)': {
    'lookups/s': fmt(baseline.rate),
    'inside a polygon': pct(baseline.hits),
  },
});
console.log(
  `lookup: ${fmt(ours.rate)} lookups/s to township (service path ${fmt(located.rate)}/s; baseline ` +
    `${fmt(baseline.rate)} lookups/s, ${(ours.rate / baseline.rate).toFixed(1)}× faster), target ≥ 1,000,000/s: ` +
    `${Math.min(ours.rate, located.rate) >= TARGET ? 'met' : 'NOT MET'}`,
);
