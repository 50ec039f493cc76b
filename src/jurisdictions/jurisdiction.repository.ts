import type { Level, MultiPolygon } from './geo.types.js';

/**
 * A unit a city adds beside the official tree, such as a functional zone (两江新区) that runs
 * its own district-level center and takes over a list of towns/streets from their districts.
 */
export interface CustomUnit {
  code: string;
  name: string;
  level: Exclude<Level, 'province'>;
  parent: string;
  /** Township codes this unit works instead of their official county. */
  takesOver: string[];
  createdAt: string;
}

/** A real boundary imported by the city, replacing the shipped (possibly approximate) one. */
export interface StoredBoundary {
  code: string;
  polygons: MultiPolygon;
  /** Where it came from, e.g. the imported file name. */
  source: string;
  importedAt: string;
}

/** Storage for everything the city configures on top of the official jurisdiction data. */
export interface JurisdictionRepository {
  listCustomUnits(): Promise<CustomUnit[]>;
  /** Inserts a unit with its takeovers atomically; a taken code or township is a JURISDICTION_CONFLICT. */
  insertCustomUnit(unit: CustomUnit): Promise<void>;
  /** Removes a unit and its takeovers; false when there was none. */
  deleteCustomUnit(code: string): Promise<boolean>;
  listBoundaries(): Promise<StoredBoundary[]>;
  /** Inserts or replaces boundaries atomically (all or none). */
  upsertBoundaries(boundaries: StoredBoundary[]): Promise<void>;
  deleteBoundary(code: string): Promise<boolean>;
}
