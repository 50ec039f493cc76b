import type { Boundary } from './geo.types.js';
import type { JurisdictionTree, TreeUnit } from './jurisdiction-tree.js';
import type { UnitDetailDto, UnitDto, UnitRef } from './jurisdiction.schema.js';

/** The short form of a unit used in chains and lookups. */
export function toRef(unit: TreeUnit): UnitRef {
  return { code: unit.code, name: unit.name, level: unit.level };
}

/** A unit as lists show it. */
export function toUnit(unit: TreeUnit, boundary: (Boundary & { imported?: boolean }) | undefined): UnitDto {
  return {
    code: unit.code,
    name: unit.name,
    level: unit.level,
    parent: unit.parent,
    officialParent: unit.officialParent,
    kind: unit.kind,
    boundary: boundary ? { approximate: boundary.approximate, imported: boundary.imported ?? false } : null,
  };
}

/** A unit with its ancestors and the counts below it. */
export function toDetail(
  tree: JurisdictionTree,
  unit: TreeUnit,
  boundary: (Boundary & { imported?: boolean }) | undefined,
): UnitDetailDto {
  const descendants = { prefecture: 0, county: 0, township: 0 };
  for (const d of tree.descendants(unit.code)) if (d.level !== 'province') descendants[d.level] += 1;
  return {
    ...toUnit(unit, boundary),
    chain: tree.ancestors(unit.code).map(toRef),
    children: tree.children(unit.code).length,
    descendants,
  };
}
