import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Boundary, DataSource, DivisionUnit, Level, MultiPolygon } from './geo.types.js';

/** Directory of the committed geography files; resolved from this module so it works from src/ and dist/. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
/** File names and format tags inside the data directory (see data/README.md). */
export const DIVISIONS_FILE = 'divisions.json';
export const BOUNDARIES_FILE = 'boundaries.json';
export const DIVISIONS_FORMAT = 'cityops-divisions/1';
export const BOUNDARIES_FORMAT = 'cityops-boundaries/1';
/** Coordinates are stored as integers: round(degrees × COORDINATE_SCALE), i.e. 1e-5° ≈ 1.1 m. */
export const COORDINATE_SCALE = 100_000;

/** On-disk shape of divisions.json: one `[code, name, level, parent]` row per unit. */
export interface DivisionsFile {
  format: typeof DIVISIONS_FORMAT;
  source: DataSource;
  fields: ['code', 'name', 'level', 'parent'];
  units: [string, string, Level, string | null][];
}

/**
 * On-disk shape of boundaries.json: one `[code, approximate 0|1, polygons]` row per unit, where a
 * ring is a flat integer list — the first vertex absolute, then deltas — closed implicitly.
 */
export interface BoundariesFile {
  format: typeof BOUNDARIES_FORMAT;
  encoding: string;
  scale: number;
  sources: DataSource[];
  boundaries: [string, 0 | 1, number[][][]][];
}

const LEVELS: readonly Level[] = ['province', 'prefecture', 'county', 'township'];

function readJson(dir: string | URL, file: string): Record<string, unknown> {
  const path = join(dir instanceof URL ? fileURLToPath(dir) : dir, file);
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path}: not a JSON object`);
  return parsed as Record<string, unknown>;
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what} (regenerate with \`npm run data:geo\`)`);
}

/** Loads the division tree (Chongqing and Sichuan, NBS 2023 codes) from the committed data. */
export function loadDivisions(dir: string | URL = DEFAULT_DATA_DIR): {
  units: DivisionUnit[];
  source: DataSource;
} {
  const json = readJson(dir, DIVISIONS_FILE);
  if (json.format !== DIVISIONS_FORMAT) fail(DIVISIONS_FILE, `unknown format ${String(json.format)}`);
  const { units, source } = json as unknown as DivisionsFile;
  return {
    source,
    units: units.map(([code, name, level, parent]) => {
      if (typeof code !== 'string' || typeof name !== 'string' || !LEVELS.includes(level)) {
        fail(DIVISIONS_FILE, `bad unit ${JSON.stringify([code, name, level])}`);
      }
      return { code, name, level, parent };
    }),
  };
}

/** Expands one delta-encoded ring into closed [lon, lat] positions. */
function decodeRing(flat: readonly number[], scale: number): number[][] {
  const ring: number[][] = [];
  let [x, y] = [0, 0];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    x += flat[i]!;
    y += flat[i + 1]!;
    // Division (not × 1e-5) gives the double nearest the stored decimal, so values round-trip.
    ring.push([x / scale, y / scale]);
  }
  if (ring.length < 3 || !Number.isInteger(x + y)) fail(BOUNDARIES_FILE, 'bad ring');
  ring.push([...ring[0]!]);
  return ring;
}

/** Loads every unit's boundary, keyed by code; `approximate` marks synthesised polygons. */
export function loadBoundaries(dir: string | URL = DEFAULT_DATA_DIR): Map<string, Boundary> {
  const json = readJson(dir, BOUNDARIES_FILE);
  if (json.format !== BOUNDARIES_FORMAT) fail(BOUNDARIES_FILE, `unknown format ${String(json.format)}`);
  const { boundaries, scale } = json as unknown as BoundariesFile;
  const result = new Map<string, Boundary>();
  for (const [code, approximate, encoded] of boundaries) {
    const polygons: MultiPolygon = encoded.map((polygon) => polygon.map((ring) => decodeRing(ring, scale)));
    result.set(code, { code, approximate: approximate === 1, polygons });
  }
  return result;
}
