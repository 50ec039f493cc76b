/** Administrative level of a division unit (省级 / 地级 / 县级 / 乡级). */
export type Level = 'province' | 'prefecture' | 'county' | 'township';

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
