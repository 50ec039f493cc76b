import {
  HANDLING_LEVELS,
  type Category,
  type DepartmentType,
  type HandlingLevel,
  type RoutingRule,
} from './case-catalog.js';
import type { Priority } from './case-intake.js';
import type { RoutingReason } from './case.types.js';

/** Where a case lies: its township, county and the city (province-level root) above them. */
export interface CaseChain {
  township: string;
  county: string;
  city: string;
}

/** What routing (派遣) decides from. */
export interface RoutingInput {
  category: Category;
  priority: Priority;
  chain: CaseChain;
  rules: readonly RoutingRule[];
  departmentTypes: ReadonlyMap<string, DepartmentType>;
  /** The case spans counties (e.g. merged across a boundary): the city handles it. */
  crossCounty?: boolean;
}

const LEVEL_ZH: Record<HandlingLevel, string> = { township: '镇街', county: '区县', city: '市级' };

/** How specific a rule is: exact category beats exact priority beats wildcards. */
function specificity(rule: RoutingRule): number {
  return (rule.category === '*' ? 0 : 2) + (rule.priority === '*' ? 0 : 1);
}

/** The most specific routing-table row matching the category and priority, if any. */
export function matchRule(
  rules: readonly RoutingRule[],
  category: string,
  priority: Priority,
): RoutingRule | undefined {
  let best: RoutingRule | undefined;
  for (const rule of rules) {
    if (rule.category !== '*' && rule.category !== category) continue;
    if (rule.priority !== '*' && rule.priority !== priority) continue;
    if (!best || specificity(rule) > specificity(best)) best = rule;
  }
  return best;
}

/**
 * The level a department type can take a case at: the wanted one if the type exists there, else
 * the nearest level above it that has one, else the highest level below.
 */
function levelFor(type: DepartmentType | undefined, wanted: HandlingLevel): HandlingLevel {
  if (!type || type.levels.includes(wanted)) return wanted;
  const index = HANDLING_LEVELS.indexOf(wanted);
  const above = HANDLING_LEVELS.slice(index + 1).find((l) => type.levels.includes(l));
  if (above) return above;
  const below = [...HANDLING_LEVELS.slice(0, index)].reverse().find((l) => type.levels.includes(l));
  return below ?? wanted;
}

/** The unit a level means for a case: its township, its county or the city. */
export function unitAt(chain: CaseChain, level: HandlingLevel): string {
  return level === 'township' ? chain.township : level === 'county' ? chain.county : chain.city;
}

/**
 * Routes a case (派遣): category and priority pick the department type and level through the
 * routing table (falling back to the category's defaults); location picks the unit at that level.
 * Cross-county cases go to the city. The result says why, in words and fields.
 */
export function routeCase(input: RoutingInput): RoutingReason {
  const { category, priority, chain } = input;
  const rule = matchRule(input.rules, category.code, priority);
  const departmentType = rule?.departmentType ?? category.departmentType;
  let wanted = rule?.level ?? category.level;
  const why: string[] = [rule ? `规则 ${rule.id}: ${rule.note}` : `类别默认 category default`];
  if (input.crossCounty && wanted !== 'city') {
    wanted = 'city';
    why.push('跨区县案件由市级处置 cross-county cases go to the city');
  }
  // A chain that stops above the township (a case placed by its reporter's scope, not by a
  // point) is handled at the lowest level it names: township → county when no township is known.
  if (wanted === 'township' && chain.township === chain.county) wanted = 'county';
  if (wanted === 'county' && chain.county === chain.city) wanted = 'city';
  const type = input.departmentTypes.get(departmentType);
  const level = levelFor(type, wanted);
  if (level !== wanted) {
    why.push(`${type?.zh ?? departmentType} 不设于${LEVEL_ZH[wanted]}, 改由${LEVEL_ZH[level]}处置`);
  }
  const unit = unitAt(chain, level);
  const text = `${category.zh}(${priority}) → ${LEVEL_ZH[level]} ${unit} ${type?.zh ?? departmentType}; ${why.join('; ')}`;
  return { rule: rule?.id ?? null, category: category.code, priority, level, departmentType, unit, text };
}
