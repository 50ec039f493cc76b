/** Administrative level of a division unit (省级 / 地级 / 县级 / 乡级). */
export type Level = 'province' | 'prefecture' | 'county' | 'township';

/**
 * Where a located thing (a sensor, a camera, an alarm's area) stands in the tree: one code per
 * level, stored in columns so that "everything in 渝中区" is an index range, not a lookup per row.
 */
export interface UnitChain {
  provinceCode: string;
  prefectureCode: string | null;
  countyCode: string | null;
  townshipCode: string | null;
}

/** A chain as the API shows it on a located record: `{province, prefecture, county, township}`. */
export function chainDto(chain: UnitChain): {
  province: string;
  prefecture: string | null;
  county: string | null;
  township: string | null;
} {
  return {
    province: chain.provinceCode,
    prefecture: chain.prefectureCode,
    county: chain.countyCode,
    township: chain.townshipCode,
  };
}

/** The finest unit of a chain: what visibility (scope) checks are made against. */
export function finestCode(chain: UnitChain): string {
  return chain.townshipCode ?? chain.countyCode ?? chain.prefectureCode ?? chain.provinceCode;
}

/** One administrative division unit, identified by its NBS statistical code (统计用区划代码). */
export interface DivisionUnit {
  /** NBS code as in the source: 2 digits (province), 4 (prefecture), 6 (county) or 9 (township). */
  code: string;
  name: string;
  level: Level;
  /** Code of the parent unit; null for provinces. Chongqing's counties hang directly under `50`. */
  parent: string | null;
}

/** A ring of [lon, lat] positions (WGS84), closed: the first position is repeated at the end. */
export type Ring = number[][];

/** GeoJSON MultiPolygon coordinates: polygons → rings (first outer, the rest holes) → positions. */
export type MultiPolygon = number[][][][];

/** The boundary of one unit; `approximate` marks polygons we synthesised because no public data exists. */
export interface Boundary {
  code: string;
  approximate: boolean;
  polygons: MultiPolygon;
}

/** Where a data file came from and under which licence. */
export interface DataSource {
  name: string;
  version: string;
  licence: string;
  description: string;
}
