import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATEGORIES,
  DEFAULT_DEPARTMENT_TYPES,
  DEFAULT_ROUTING_RULES,
  type RoutingRule,
} from './case-catalog.js';
import { matchRule, routeCase } from './case-routing.js';

const chain = { township: '500109004', county: '500109', city: '50' };
const types = new Map(DEFAULT_DEPARTMENT_TYPES.map((t) => [t.code, t]));
const category = (code: string) => DEFAULT_CATEGORIES.find((c) => c.code === code)!;
const route = (
  code: string,
  priority = category(code).priority,
  rules: readonly RoutingRule[] = DEFAULT_ROUTING_RULES,
  crossCounty = false,
) => routeCase({ category: category(code), priority, chain, rules, departmentTypes: types, crossCounty });

describe('routing 派遣', () => {
  it('sends township matters to the town/street office and county matters to the county department', () => {
    expect(route('street_vending')).toMatchObject({
      level: 'township',
      unit: '500109004',
      departmentType: 'township_office',
      rule: null,
    });
    expect(route('road_damage')).toMatchObject({
      level: 'county',
      unit: '500109',
      departmentType: 'transport',
    });
  });

  it('applies the most specific rule and says so', () => {
    const pipe = route('pipe_burst');
    expect(pipe).toMatchObject({ level: 'county', departmentType: 'water', rule: 'urgent-to-county' });
    expect(pipe.text).toContain('urgent-to-county');
    expect(route('bridge_incident')).toMatchObject({
      level: 'city',
      unit: '50',
      departmentType: 'transport',
      rule: 'urgent-bridge-city',
    });
    expect(matchRule(DEFAULT_ROUTING_RULES, 'bridge_incident', 'urgent')?.id).toBe('urgent-bridge-city');
    expect(matchRule(DEFAULT_ROUTING_RULES, 'bridge_incident', 'normal')).toBeUndefined();
  });

  it('keeps a department at a level where it exists, and sends cross-county cases to the city', () => {
    // Urgent street vending: the rule asks for the county, but town/street offices only exist at townships.
    const urgent = route('street_vending', 'urgent');
    expect(urgent).toMatchObject({ level: 'township', departmentType: 'township_office' });
    expect(urgent.text).toMatch(/不设于区县/);
    expect(route('road_damage', 'normal', DEFAULT_ROUTING_RULES, true)).toMatchObject({
      level: 'city',
      unit: '50',
    });
  });
});
