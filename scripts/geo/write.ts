import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BOUNDARIES_FILE,
  BOUNDARIES_FORMAT,
  COORDINATE_SCALE,
  DIVISIONS_FILE,
  DIVISIONS_FORMAT,
  type BoundariesFile,
  type DivisionsFile,
} from '../../src/jurisdictions/geo-data.js';
import type { DivisionUnit } from '../../src/jurisdictions/geo.types.js';
import type { IntMultiPolygon } from './geometry.js';
import { SOURCES } from './sources.js';

/** A boundary as it will be written: integer coordinates on the storage grid. */
export interface StoredBoundary {
  approximate: boolean;
  polygons: IntMultiPolygon;
}

/** Delta-encodes one ring: the first vertex absolute, then differences from the previous vertex. */
function encodeRing(ring: readonly number[][]): number[] {
  const flat: number[] = [];
  let [px, py] = [0, 0];
  for (const [x = 0, y = 0] of ring) {
    flat.push(x - px, y - py);
    [px, py] = [x, y];
  }
  return flat;
}

/**
 * JSON with one row per line: small diffs when the data changes, and still a single JSON.parse.
 * `rows` is written last, under `key`, after the header fields.
 */
function rowsJson(header: object, key: string, rows: readonly unknown[]): string {
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  return `${head},\n  "${key}": [\n${rows.map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]\n}\n`;
}

/** Writes divisions.json and boundaries.json into `dir`; returns the bytes written per file. */
export function writeDataFiles(
  dir: string,
  units: readonly DivisionUnit[],
  boundaries: ReadonlyMap<string, StoredBoundary>,
): Record<string, number> {
  mkdirSync(dir, { recursive: true });
  const divisions: Omit<DivisionsFile, 'units'> = {
    format: DIVISIONS_FORMAT,
    source: SOURCES.divisions,
    fields: ['code', 'name', 'level', 'parent'],
  };
  const unitRows: DivisionsFile['units'] = units.map((u) => [u.code, u.name, u.level, u.parent]);
  const header: Omit<BoundariesFile, 'boundaries'> = {
    format: BOUNDARIES_FORMAT,
    encoding:
      'boundaries: [code, approximate (0|1), polygons]. polygons: list of polygons; polygon: list of rings ' +
      '(first the outer ring, then holes); ring: flat integer list x0, y0, dx1, dy1, … where x = round(lon × scale) ' +
      'and y = round(lat × scale) (WGS84 degrees), the first pair absolute and each later pair the difference ' +
      'from the previous vertex. Rings are closed implicitly: the first vertex is not repeated.',
    scale: COORDINATE_SCALE,
    sources: [SOURCES.outlines, SOURCES.divisions, SOURCES.synthesised],
  };
  const boundaryRows: BoundariesFile['boundaries'] = units.map(({ code }) => {
    const b = boundaries.get(code);
    if (!b) throw new Error(`no boundary for ${code}`);
    return [code, b.approximate ? 1 : 0, b.polygons.map((p) => p.map(encodeRing))];
  });
  const files = {
    [DIVISIONS_FILE]: rowsJson(divisions, 'units', unitRows),
    [BOUNDARIES_FILE]: rowsJson(header, 'boundaries', boundaryRows),
  };
  const bytes: Record<string, number> = {};
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(dir, file), text);
    bytes[file] = Buffer.byteLength(text);
  }
  return bytes;
}
