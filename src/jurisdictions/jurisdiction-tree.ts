import { AppError } from '../errors.js';
import type { DivisionUnit, Level } from './geo.types.js';
import type { CustomUnit } from './jurisdiction.repository.js';

/** Depth of each level; a child is always deeper than its parent. */
export const LEVEL_DEPTH: Record<Level, number> = { province: 0, prefecture: 1, county: 2, township: 3 };

/** A node of the operational tree: official units plus the city's own (custom) units. */
export interface TreeUnit {
  code: string;
  name: string;
  level: Level;
  /** The parent in the operational tree: for a township a zone took over, the zone. */
  parent: string | null;
  /** The parent in the official division tree, or null for the root and for custom units. */
  officialParent: string | null;
  kind: 'official' | 'custom';
}

/** The chain of a unit from province down, one slot per level (null where a level is skipped). */
export type Chain = Record<Level, TreeUnit | null>;

/**
 * The jurisdiction tree in memory. Built once from the shipped divisions plus the city's custom
 * units; lookups, scope checks and listings all read it, so it is immutable: a change builds a new one.
 */
export class JurisdictionTree {
  private readonly units = new Map<string, TreeUnit>();
  private readonly childrenOf = new Map<string, TreeUnit[]>();

  private constructor(units: TreeUnit[]) {
    for (const unit of units) this.units.set(unit.code, unit);
    for (const unit of units) {
      if (unit.parent === null) continue;
      const siblings = this.childrenOf.get(unit.parent);
      if (siblings) siblings.push(unit);
      else this.childrenOf.set(unit.parent, [unit]);
    }
  }

  /** Builds the tree; custom units are validated against the official ones and each other. */
  static build(divisions: readonly DivisionUnit[], custom: readonly CustomUnit[] = []): JurisdictionTree {
    const units = divisions.map((d): TreeUnit => ({ ...d, officialParent: d.parent, kind: 'official' }));
    let tree = new JurisdictionTree(units);
    for (const unit of custom) {
      validateCustomUnit(tree, unit);
      tree = tree.with(unit);
    }
    return tree;
  }

  /** A new tree with one more custom unit (already validated). */
  with(unit: CustomUnit): JurisdictionTree {
    const taken = new Set(unit.takesOver);
    const units = [...this.units.values()].map((u) => (taken.has(u.code) ? { ...u, parent: unit.code } : u));
    units.push({
      code: unit.code,
      name: unit.name,
      level: unit.level,
      parent: unit.parent,
      officialParent: null,
      kind: 'custom',
    });
    return new JurisdictionTree(units);
  }

  /** The unit with this code, if any. */
  get(code: string): TreeUnit | undefined {
    return this.units.get(code);
  }

  /** The unit with this code, or JURISDICTION_NOT_FOUND. */
  require(code: string): TreeUnit {
    const unit = this.units.get(code);
    if (!unit) throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${code}".`);
    return unit;
  }

  /** Direct children in the operational tree, in code order. */
  children(code: string): readonly TreeUnit[] {
    return this.childrenOf.get(code) ?? [];
  }

  /** Ancestors from the root down to the direct parent. */
  ancestors(code: string): TreeUnit[] {
    const chain: TreeUnit[] = [];
    let current = this.units.get(code);
    while (current?.parent) {
      const parent = this.units.get(current.parent);
      if (!parent) break;
      chain.unshift(parent);
      current = parent;
    }
    return chain;
  }

  /** Every unit below `code`, optionally only those at one level, in depth-first code order. */
  descendants(code: string, level?: Level): TreeUnit[] {
    const out: TreeUnit[] = [];
    const visit = (parent: string): void => {
      for (const child of this.children(parent)) {
        if (level === undefined || child.level === level) out.push(child);
        if (level === undefined || LEVEL_DEPTH[child.level] < LEVEL_DEPTH[level]) visit(child.code);
      }
    };
    visit(code);
    return out;
  }

  /** Every unit at one level, or all units, in code order. */
  all(level?: Level): TreeUnit[] {
    const units = [...this.units.values()];
    return (level ? units.filter((u) => u.level === level) : units).sort((a, b) =>
      a.code.localeCompare(b.code),
    );
  }

  /** True when `code` is `ancestor` or lies below it in the operational tree. */
  isWithin(code: string, ancestor: string): boolean {
    let current = this.units.get(code);
    while (current) {
      if (current.code === ancestor) return true;
      current = current.parent ? this.units.get(current.parent) : undefined;
    }
    return false;
  }

  /** The unit and its ancestors, one per level. */
  chain(code: string): Chain {
    const chain: Chain = { province: null, prefecture: null, county: null, township: null };
    const unit = this.require(code);
    for (const u of [...this.ancestors(code), unit]) chain[u.level] = u;
    return chain;
  }

  /** Number of units in the tree. */
  get size(): number {
    return this.units.size;
  }
}

/** Throws INVALID_JURISDICTION / JURISDICTION_CONFLICT when `unit` cannot join `tree`. */
export function validateCustomUnit(tree: JurisdictionTree, unit: CustomUnit): void {
  const invalid = (message: string): AppError => new AppError('INVALID_JURISDICTION', message);
  if (!/^[0-9A-Za-z_-]{2,24}$/.test(unit.code)) {
    throw invalid('A code is 2 to 24 letters, digits, "-" or "_".');
  }
  if (tree.get(unit.code)) throw new AppError('JURISDICTION_CONFLICT', `The code "${unit.code}" is taken.`);
  if (unit.name.trim() === '') throw invalid('A unit needs a name.');
  const parent = tree.get(unit.parent);
  if (!parent) throw invalid(`The parent "${unit.parent}" does not exist.`);
  if (LEVEL_DEPTH[unit.level] <= LEVEL_DEPTH[parent.level]) {
    throw invalid(`A ${unit.level} cannot sit under a ${parent.level}.`);
  }
  if (unit.takesOver.length > 0 && unit.level === 'township') {
    throw invalid('Only a unit above township level can take over towns/streets.');
  }
  const seen = new Set<string>();
  for (const code of unit.takesOver) {
    const township = tree.get(code);
    if (!township || township.level !== 'township') throw invalid(`"${code}" is not a town/street.`);
    if (seen.has(code)) throw invalid(`"${code}" is listed twice.`);
    seen.add(code);
    if (township.parent !== township.officialParent) {
      throw new AppError('JURISDICTION_CONFLICT', `"${code}" is already taken over by "${township.parent}".`);
    }
    if (!tree.isWithin(code, unit.parent)) {
      throw invalid(`"${code}" does not lie under the unit's parent "${unit.parent}".`);
    }
  }
}
