import { AppError } from '../errors.js';
import { loadBoundaries, loadDivisions } from './geo-data.js';
import {
  finestCode,
  type Boundary,
  type DivisionUnit,
  type Level,
  type MultiPolygon,
  type UnitChain,
} from './geo.types.js';
import { parseBoundaryFile, type RejectedFeature } from './geo-import.js';
import { JurisdictionTree, validateCustomUnit, type TreeUnit } from './jurisdiction-tree.js';
import type { CustomUnit, JurisdictionRepository } from './jurisdiction.repository.js';
import { toDetail, toRef, toUnit } from './jurisdiction.presenter.js';
import type {
  FeatureCollectionDto,
  ListResponse,
  LookupResponse,
  UnitDetailDto,
  UnitDto,
} from './jurisdiction.schema.js';
import { SpatialIndex } from './spatial-index.js';
import { EVERYTHING, type Visibility } from './visibility.js';

/** A boundary as the service holds it: shipped data, possibly replaced by an imported one. */
export interface HeldBoundary extends Boundary {
  imported: boolean;
}

/** What a new custom unit needs; the service stamps the creation time. */
export type NewCustomUnit = Omit<CustomUnit, 'createdAt'>;

/** Outcome of `importBoundaries`: how many were stored and which features were not, with why. */
export interface ImportReport {
  imported: number;
  rejected: RejectedFeature[];
}

/** The shipped data the service starts from; tests pass a smaller or a shared copy. */
export interface GeoData {
  divisions: readonly DivisionUnit[];
  boundaries: ReadonlyMap<string, Boundary>;
}

// Snapping radii in degrees of latitude (≈ 55 m to 450 m) and unit directions, nearest first.
const SNAP_RADII_DEG = [0.0005, 0.001, 0.002, 0.004];
const MAX_SNAP_DEG = 0.004;
const D = Math.SQRT1_2;
const SNAP_DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [D, D],
  [-D, D],
  [D, -D],
  [-D, -D],
];

let shipped: GeoData | undefined;
/** Loads the committed data/ files once per process. */
export function shippedGeoData(): GeoData {
  shipped ??= { divisions: loadDivisions().units, boundaries: loadBoundaries() };
  return shipped;
}

/**
 * Jurisdictions: the tree, boundaries and point lookup. Holds everything in memory (it is read on
 * every reading, case and scope check) and writes the city's changes through the repository.
 */
export class JurisdictionService {
  // Set by reload(), which create() awaits before handing the service out.
  private tree!: JurisdictionTree;
  private boundaries!: Map<string, HeldBoundary>;
  private index!: SpatialIndex;

  private constructor(
    private readonly repository: JurisdictionRepository,
    private readonly data: GeoData,
    private readonly clock: () => Date,
  ) {}

  /** Loads the city's custom units and imported boundaries and builds the tree and index. */
  static async create(options: {
    repository: JurisdictionRepository;
    data?: GeoData;
    clock?: () => Date;
  }): Promise<JurisdictionService> {
    const service = new JurisdictionService(
      options.repository,
      options.data ?? shippedGeoData(),
      options.clock ?? (() => new Date()),
    );
    await service.reload();
    return service;
  }

  /** Re-reads the repository (after a CLI changed it) and rebuilds tree and index. */
  async reload(): Promise<void> {
    const [custom, imported] = await Promise.all([
      this.repository.listCustomUnits(),
      this.repository.listBoundaries(),
    ]);
    this.tree = JurisdictionTree.build(this.data.divisions, custom);
    this.boundaries = mergeBoundaries(this.data.boundaries, imported);
    this.index = buildIndex(this.tree, this.boundaries);
  }

  /** The operational tree, for other domains (scope checks, routing). */
  get units(): JurisdictionTree {
    return this.tree;
  }

  /**
   * Units by level and/or ancestor. With `parent` and a level: every unit of that level below
   * the parent (any depth). With `parent` alone: its direct children. With neither: all units.
   */
  list(
    query: { level?: Level | undefined; parent?: string | undefined; limit: number; offset: number },
    visible: Visibility = EVERYTHING,
  ): ListResponse {
    let units: readonly TreeUnit[];
    if (query.parent !== undefined) {
      const parent = query.parent;
      this.requireVisible(parent, visible, true);
      units = query.level ? this.tree.descendants(parent, query.level) : this.tree.children(parent);
    } else {
      units = this.tree.all(query.level);
    }
    if (visible.root !== null) units = units.filter((u) => visible.contains(u.code));
    return {
      items: units
        .slice(query.offset, query.offset + query.limit)
        .map((u) => toUnit(u, this.boundaries.get(u.code))),
      total: units.length,
    };
  }

  /** One unit with its chain and counts below it. */
  get(code: string, visible: Visibility = EVERYTHING): UnitDetailDto {
    const unit = this.requireVisible(code, visible);
    return toDetail(this.tree, unit, this.boundaries.get(code));
  }

  /** One unit, as in lists. */
  unit(code: string, visible: Visibility = EVERYTHING): UnitDto {
    return toUnit(this.requireVisible(code, visible), this.boundaries.get(code));
  }

  /**
   * The unit if the caller may see it; otherwise JURISDICTION_NOT_FOUND, exactly as for a code that
   * does not exist, so that nothing leaks. With `ancestorsToo`, the units above the caller's scope
   * count as visible (they may list their own part of a larger unit, e.g. ?parent=50).
   */
  private requireVisible(code: string, visible: Visibility, ancestorsToo = false): TreeUnit {
    const unit = this.tree.get(code);
    const seen =
      unit !== undefined &&
      (visible.contains(code) ||
        (ancestorsToo && visible.root !== null && this.tree.isWithin(visible.root, code)));
    if (!seen) throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${code}".`);
    return unit;
  }

  /**
   * The chain of units containing a point, which must lie inside the caller's jurisdiction
   * (OUTSIDE_JURISDICTION otherwise): what a registry stores for a new or moved device.
   */
  chainAt(lon: number, lat: number, visible: Visibility): UnitChain {
    const found = this.lookup(lon, lat);
    const chain: UnitChain = {
      provinceCode: found.province.code,
      prefectureCode: found.prefecture?.code ?? null,
      countyCode: found.county?.code ?? null,
      townshipCode: found.township?.code ?? null,
    };
    if (!visible.contains(finestCode(chain))) {
      throw new AppError(
        'OUTSIDE_JURISDICTION',
        `The point (${lon}, ${lat}) lies outside your jurisdiction.`,
        {
          lon,
          lat,
        },
      );
    }
    return chain;
  }

  /**
   * The scope a list runs in: the asked unit narrowed to what the caller may see. Asking for a
   * larger unit (?scope=50 from a district) lists the caller's part of it; no scope means the
   * caller's own (undefined: everything).
   */
  narrowScope(asked: string | undefined, visible: Visibility): string | undefined {
    if (asked === undefined) return visible.root ?? undefined;
    this.tree.require(asked);
    if (visible.root === null || visible.contains(asked)) return asked;
    if (this.tree.isWithin(visible.root, asked)) return visible.root;
    throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${asked}".`);
  }

  /** The units containing a WGS84 point, or OUTSIDE_JURISDICTION. */
  lookup(lon: number, lat: number, visible: Visibility = EVERYTHING): LookupResponse {
    const found = this.find(lon, lat);
    if (found !== null && !visible.contains(found.code)) {
      throw new AppError('OUTSIDE_JURISDICTION', 'The point lies outside your jurisdiction.', { lon, lat });
    }
    if (found === null) {
      throw new AppError(
        'OUTSIDE_JURISDICTION',
        `The point (${lon}, ${lat}) lies outside every jurisdiction cityops knows (重庆市 and 四川省).`,
        { lon, lat },
      );
    }
    const { code, snapped } = found;
    const chain = this.tree.chain(code);
    if (!chain.province) throw new Error(`unit ${code} has no province`);
    return {
      province: toRef(chain.province),
      prefecture: chain.prefecture && toRef(chain.prefecture),
      county: chain.county && toRef(chain.county),
      township: chain.township && toRef(chain.township),
      approximate: snapped || (this.boundaries.get(code)?.approximate ?? true),
    };
  }

  /** Just the code of the finest unit containing a point, or null: the hot path for ingest. */
  locate(lon: number, lat: number): string | null {
    return this.find(lon, lat)?.code ?? null;
  }

  /**
   * The finest unit containing a point. The published outlines of neighbouring districts do not
   * meet exactly (hundreds of slivers, typically ~100 m wide), so a point that falls in no polygon
   * is snapped to the nearest one within about 450 m, probing outward in eight directions.
   */
  private find(lon: number, lat: number): { code: string; snapped: boolean } | null {
    const code = this.index.lookup(lon, lat);
    if (code !== null) return { code, snapped: false };
    // Far from every edge (most misses: points outside both provinces) there is nothing to snap to.
    const kx = 1 / Math.max(0.1, Math.cos((lat * Math.PI) / 180));
    if (this.index.cellSize >= MAX_SNAP_DEG * kx && !this.index.nearEdge(lon, lat)) return null;
    for (const r of SNAP_RADII_DEG) {
      for (const [dx, dy] of SNAP_DIRECTIONS) {
        const hit = this.index.lookup(lon + dx * r * kx, lat + dy * r);
        if (hit !== null) return { code: hit, snapped: true };
      }
    }
    return null;
  }

  /** Boundaries of the units a list query selects, as GeoJSON. Units without a boundary are left out. */
  geojson(
    query: { level: Level; parent?: string | undefined },
    visible: Visibility = EVERYTHING,
  ): FeatureCollectionDto {
    const { items } = this.list({ ...query, limit: Number.MAX_SAFE_INTEGER, offset: 0 }, visible);
    const features: FeatureCollectionDto['features'] = [];
    for (const unit of items) {
      const boundary = this.boundaryOf(unit.code);
      if (!boundary) continue;
      features.push({
        type: 'Feature',
        id: unit.code,
        properties: {
          code: unit.code,
          name: unit.name,
          level: unit.level,
          parent: unit.parent,
          approximate: boundary.approximate,
        },
        geometry: { type: 'MultiPolygon', coordinates: boundary.polygons },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  /** A unit's own boundary; a custom unit without one gets the polygons of the townships it took over. */
  private boundaryOf(code: string): { polygons: MultiPolygon; approximate: boolean } | undefined {
    const own = this.boundaries.get(code);
    if (own) return own;
    const unit = this.tree.get(code);
    if (unit?.kind !== 'custom') return undefined;
    const parts = this.tree
      .descendants(code, 'township')
      .map((t) => this.boundaries.get(t.code))
      .filter((b): b is HeldBoundary => b !== undefined);
    if (parts.length === 0) return undefined;
    return { polygons: parts.flatMap((b) => b.polygons), approximate: parts.some((b) => b.approximate) };
  }

  /** Adds a custom unit (such as a functional zone) and re-parents the townships it takes over. */
  async addCustomUnit(input: NewCustomUnit): Promise<UnitDetailDto> {
    const unit: CustomUnit = { ...input, createdAt: this.clock().toISOString() };
    validateCustomUnit(this.tree, unit);
    await this.repository.insertCustomUnit(unit);
    this.tree = this.tree.with(unit);
    return this.get(unit.code);
  }

  /** Removes a custom unit; its townships return to their official county. */
  async removeCustomUnit(code: string): Promise<void> {
    const unit = this.tree.require(code);
    if (unit.kind !== 'custom') {
      throw new AppError('INVALID_JURISDICTION', `"${code}" is an official unit and cannot be removed.`);
    }
    if (this.tree.children(code).some((c) => c.kind === 'custom')) {
      throw new AppError('INVALID_JURISDICTION', `Remove the custom units under "${code}" first.`);
    }
    await this.repository.deleteCustomUnit(code);
    await this.reload();
  }

  /**
   * Stores the valid boundaries of a GeoJSON file (replacing shipped or earlier imported ones)
   * and rebuilds the lookup index. Invalid features are reported and skipped, never the whole file.
   */
  async importBoundaries(json: unknown, source: string): Promise<ImportReport> {
    const parsed = parseBoundaryFile(json, (code) => this.tree.get(code) !== undefined);
    if (parsed.boundaries.length > 0) {
      const importedAt = this.clock().toISOString();
      await this.repository.upsertBoundaries(parsed.boundaries.map((b) => ({ ...b, source, importedAt })));
      await this.reload();
    }
    return { imported: parsed.boundaries.length, rejected: parsed.rejected };
  }
}

/** Shipped boundaries with the city's imported ones on top. */
function mergeBoundaries(
  shippedBoundaries: ReadonlyMap<string, Boundary>,
  imported: { code: string; polygons: MultiPolygon }[],
): Map<string, HeldBoundary> {
  const merged = new Map<string, HeldBoundary>();
  for (const [code, b] of shippedBoundaries) merged.set(code, { ...b, imported: false });
  for (const b of imported) {
    merged.set(b.code, { code: b.code, polygons: b.polygons, approximate: false, imported: true });
  }
  return merged;
}

/**
 * Indexes the finest polygons: every unit with a boundary and no unit with a boundary below it
 * (in the official or the operational tree). Imported (surveyed) boundaries go first so that
 * they win where they overlap derived ones.
 */
function buildIndex(tree: JurisdictionTree, boundaries: ReadonlyMap<string, HeldBoundary>): SpatialIndex {
  const covered = new Set<string>();
  for (const code of boundaries.keys()) {
    const unit = tree.get(code);
    for (const up of [unit?.parent, unit?.officialParent]) {
      for (
        let c = up ? tree.get(up) : undefined;
        c && !covered.has(c.code);
        c = c.parent ? tree.get(c.parent) : undefined
      ) {
        covered.add(c.code);
        if (c.officialParent && c.officialParent !== c.parent) covered.add(c.officialParent);
      }
    }
  }
  const leaves = [...boundaries.values()].filter((b) => tree.get(b.code) && !covered.has(b.code));
  leaves.sort((a, b) => Number(b.imported) - Number(a.imported) || a.code.localeCompare(b.code));
  return SpatialIndex.build(leaves.map((b) => ({ code: b.code, polygons: b.polygons })));
}
