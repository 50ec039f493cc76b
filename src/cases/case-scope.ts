import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { ActorKind } from './case-lifecycle.js';
import type { CaseChain } from './case-routing.js';
import type { CaseRepository, ScopeFilter } from './case.repository.js';
import type { CaseRecord } from './case.types.js';

/**
 * Scope checks: where a point or a reporter places a case, which cases a caller may see, and in
 * what role a caller acts on one. Every case workflow asks here before it reads or writes.
 */

/** Who acts on a case, as the service sees it. */
export interface CaseActor {
  kind: 'command' | 'handler' | 'system';
  name: string;
  /** A handler's department type. */
  department: string | null;
}

/** The system itself (intake, routing, escalation). */
export const SYSTEM_ACTOR: CaseActor = { kind: 'system', name: 'system', department: null };

/** The role an actor plays on this case: a handler of another department only observes. */
export function actorKind(record: CaseRecord, actor: CaseActor, visible: Visibility): ActorKind {
  if (actor.kind !== 'handler') return actor.kind;
  const owns =
    record.departmentType !== null &&
    record.departmentType === actor.department &&
    (visible.contains(record.departmentUnit) || visible.root === record.departmentUnit);
  return owns ? 'handler' : 'observer';
}

/**
 * The chain of a case with no point: the reporter's scope as far down as it goes (a county key:
 * that county, no township), or the city for an unscoped reporter. Codes repeat upwards-down
 * as chainAt does for a point in a county without townships, so scope filters and statistics
 * count the case at every level it is known at.
 */
export function chainOfScope(jurisdictions: JurisdictionService, visible: Visibility): CaseChain {
  const tree = jurisdictions.units;
  const root = visible.root ?? tree.all('province')[0]?.code;
  if (root === undefined) {
    throw new AppError('OUTSIDE_JURISDICTION', 'No jurisdiction is loaded to place the case in.');
  }
  const chain = tree.chain(root);
  const city = chain.province?.code ?? root;
  const county = chain.county?.code ?? chain.prefecture?.code ?? city;
  const township = chain.township?.code ?? county;
  return { township, county, city };
}

/** The chain (township, county, city) at a point; OUTSIDE_JURISDICTION outside the caller's scope. */
export function chainAt(
  jurisdictions: JurisdictionService,
  lon: number,
  lat: number,
  visible: Visibility,
): CaseChain {
  const code = jurisdictions.locate(lon, lat);
  if (code === null) {
    throw new AppError(
      'OUTSIDE_JURISDICTION',
      `The point (${lon}, ${lat}) lies outside every jurisdiction.`,
      { lon, lat },
    );
  }
  const chain = jurisdictions.units.chain(code);
  const township = chain.township?.code ?? chain.county?.code ?? code;
  const county = chain.county?.code ?? chain.prefecture?.code ?? township;
  const city = chain.province?.code ?? county;
  if (!visible.contains(township)) {
    throw new AppError('OUTSIDE_JURISDICTION', `The point (${lon}, ${lat}) lies outside your jurisdiction.`, {
      lon,
      lat,
    });
  }
  return { township, county, city };
}

/** The scope a caller asked for, narrowed to what they see (their root when they asked for none). */
export function effectiveScope(
  jurisdictions: JurisdictionService,
  asked: string | undefined,
  visible: Visibility,
): string | undefined {
  if (asked === undefined) return visible.root ?? undefined;
  const tree = jurisdictions.units;
  if (!tree.get(asked)) {
    throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${asked}".`);
  }
  if (visible.root === null || visible.contains(asked)) return asked;
  if (tree.isWithin(visible.root, asked)) return visible.root;
  throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${asked}".`);
}

/** The case list's filter for a scope: the column of the scope's level and its codes. */
export function scopeFilter(
  jurisdictions: JurisdictionService,
  asked: string | undefined,
  visible: Visibility,
): ScopeFilter {
  const scope = effectiveScope(jurisdictions, asked, visible);
  if (scope === undefined) return undefined;
  const tree = jurisdictions.units;
  const unit = tree.require(scope);
  switch (unit.level) {
    case 'province':
      return { column: 'province', codes: [scope] };
    case 'county':
      return { column: 'county', codes: [scope] };
    case 'township':
      return { column: 'township', codes: [scope] };
    case 'prefecture':
      return { column: 'county', codes: tree.descendants(scope, 'county').map((u) => u.code) };
  }
}

/** The case, if the caller sees it; CASE_NOT_FOUND otherwise (a case out of scope does not exist). */
export async function requireCase(
  repository: CaseRepository,
  id: string,
  visible: Visibility,
): Promise<CaseRecord> {
  const record = await repository.get(id);
  if (!record || !visible.contains(record.townshipCode)) {
    throw new AppError('CASE_NOT_FOUND', `No case has the id "${id}".`);
  }
  return record;
}
