import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { LEVEL_DEPTH } from '../jurisdictions/jurisdiction-tree.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { AlarmRule, CompositeParams, RuleKind } from './alarm.types.js';
import { compileSchedule, scheduleActive, type CompiledSchedule } from './schedule.js';
import { newState, type InstanceState } from './rule-kinds.js';
import { ruleProblems } from './rule-check.js';

/** Kind codes for the hot loop's switch (a small integer compares faster than a string). */
export const KIND = { threshold: 0, rate: 1, stale: 2, anomaly: 3, composite: 4 } as const;

/** A rule prepared for evaluation. */
export interface CompiledRule {
  rule: AlarmRule;
  kind: (typeof KIND)[RuleKind];
  schedule: CompiledSchedule | null;
  /** Sensor rules beat jurisdiction rules (deeper beats shallower), which beat type rules. */
  specificity: number;
}

/** One rule on one sensor, with its state. */
export interface Instance {
  compiled: CompiledRule;
  subject: string;
  state: InstanceState;
}

/** What the engine needs from the sensor registry. */
export interface SensorSource {
  resolve(id: string): RegisteredSensor | undefined;
  resolveKey(key: number): RegisteredSensor | undefined;
  registered(): IterableIterator<RegisteredSensor>;
  readonly revision: number;
}

/** What the engine evaluates for one sensor: rebuilt when the rules or the sensor change. */
export interface SensorPlan {
  sensor: RegisteredSensor;
  generation: number;
  /** Per-reading rules (threshold, rate, anomaly). */
  instances: Instance[];
  /** Offline rules: evaluated on the clock, cleared by any reading. */
  stale: Instance[];
}

/** One composite rule on one area: its member sensors per condition and its state. */
export interface CompositeArea {
  compiled: CompiledRule;
  params: CompositeParams;
  /** The area's jurisdiction code (a township, a county, or the rule's own jurisdiction). */
  area: string;
  subject: string;
  /** Sensor keys per condition, in the order of params.conditions. */
  members: number[][];
  state: InstanceState;
  /** Latest reading time that touched the area since it was last evaluated (NaN: clean). */
  dirtyTs: number;
}

/** The key of an alarm's (rule, subject) pair, as the open-alarm map and the database use it. */
export const pairKey = (ruleId: string, subject: string): string => `${ruleId}|${subject}`;

/** The subject of a composite rule's area. */
export const areaSubject = (code: string): string => `area:${code}`;

/** Prepares a rule for evaluation: its kind code, compiled schedule and specificity. */
export function compileRule(rule: AlarmRule, tree: JurisdictionTree): CompiledRule {
  let specificity = 0;
  if (rule.sensor !== null) specificity = 10;
  else if (rule.jurisdiction !== null) {
    const unit = tree.get(rule.jurisdiction);
    specificity = 1 + (unit ? LEVEL_DEPTH[unit.level] : 0);
  }
  return {
    rule,
    kind: KIND[rule.kind],
    schedule: rule.schedule ? compileSchedule(rule.schedule) : null,
    specificity,
  };
}

/** Whether a rule's schedule lets it raise at `ts`. */
export function inSchedule(compiled: CompiledRule, ts: number): boolean {
  return compiled.schedule === null || scheduleActive(compiled.schedule, ts);
}

/**
 * The enabled rules, compiled and indexed by sensor type; composites apart. The engine builds a
 * new one (and bumps its plan generation) on every rule change.
 */
export class RuleBook {
  readonly byType = new Map<string, CompiledRule[]>();
  readonly composites: CompiledRule[] = [];
  readonly byId = new Map<string, CompiledRule>();
  /** Enabled rules that cannot be evaluated (规则异常), with what is wrong: left out, never fatal. */
  readonly broken = new Map<string, { rule: AlarmRule; problems: string[] }>();

  constructor(
    rules: readonly AlarmRule[],
    private readonly tree: JurisdictionTree,
  ) {
    for (const rule of rules) {
      if (!rule.enabled) continue;
      let problems: string[];
      let compiled: CompiledRule | undefined;
      try {
        problems = ruleProblems(rule);
        if (problems.length === 0) compiled = compileRule(rule, tree);
      } catch (error) {
        problems = [`does not compile: ${error instanceof Error ? error.message : String(error)}`];
      }
      if (compiled === undefined) {
        this.broken.set(rule.id, { rule, problems });
        continue;
      }
      this.byId.set(rule.id, compiled);
      if (rule.kind === 'composite') this.composites.push(compiled);
      else if (rule.sensorType !== null) {
        const list = this.byType.get(rule.sensorType) ?? [];
        list.push(compiled);
        this.byType.set(rule.sensorType, list);
      }
    }
  }

  /** Takes a rule out of evaluation after it failed at run time; true if it was in. */
  breakRule(rule: AlarmRule, problem: string): boolean {
    const compiled = this.byId.get(rule.id);
    if (!compiled) return false;
    this.byId.delete(rule.id);
    const remove = (list: CompiledRule[]) => {
      const i = list.indexOf(compiled);
      if (i >= 0) list.splice(i, 1);
    };
    remove(this.composites);
    if (rule.sensorType !== null) remove(this.byType.get(rule.sensorType) ?? []);
    this.broken.set(rule.id, { rule, problems: [problem] });
    return true;
  }

  /** Whether a rule's target covers a sensor (type, jurisdiction, sensor id). */
  covers(rule: AlarmRule, sensor: RegisteredSensor): boolean {
    if (rule.sensor !== null && rule.sensor !== sensor.id) return false;
    if (rule.jurisdiction !== null && !this.tree.isWithin(finestCode(sensor), rule.jurisdiction)) {
      return false;
    }
    return true;
  }

  /**
   * The rules in force for one sensor: of each kind, only those of the most specific attachment
   * (a sensor's own rules replace its area's, which replace the type's defaults); rules at the
   * same level stack (a major and a critical threshold side by side).
   */
  rulesFor(sensor: RegisteredSensor): CompiledRule[] {
    const candidates = (this.byType.get(sensor.type.code) ?? []).filter((c) => this.covers(c.rule, sensor));
    const best = new Map<number, number>();
    for (const c of candidates) best.set(c.kind, Math.max(best.get(c.kind) ?? -1, c.specificity));
    return candidates.filter((c) => c.specificity === best.get(c.kind));
  }

  /**
   * Where a sensor belongs among the composite rules: for each rule whose conditions name its type
   * and whose jurisdiction holds it, the area and the conditions it serves.
   */
  placements(sensor: RegisteredSensor): { compiled: CompiledRule; area: string; conditions: number[] }[] {
    const found: { compiled: CompiledRule; area: string; conditions: number[] }[] = [];
    for (const compiled of this.composites) {
      if (compiled.rule.kind !== 'composite') continue;
      const params = compiled.rule.params;
      const conditions: number[] = [];
      params.conditions.forEach((c, i) => {
        if (c.sensorType === sensor.type.code) conditions.push(i);
      });
      if (conditions.length === 0 || !this.covers(compiled.rule, sensor)) continue;
      const area =
        params.per === 'township'
          ? sensor.townshipCode
          : params.per === 'county'
            ? sensor.countyCode
            : (compiled.rule.jurisdiction ?? sensor.provinceCode);
      if (area !== null) found.push({ compiled, area, conditions });
    }
    return found;
  }

  /** Every composite rule's areas over the registered sensors. */
  compositeAreas(sensors: Iterable<RegisteredSensor>): CompositeArea[] {
    const areas = new Map<string, CompositeArea>();
    if (this.composites.length === 0) return [];
    for (const sensor of sensors) {
      for (const placement of this.placements(sensor)) addMember(areas, placement, sensor.key);
    }
    return [...areas.values()];
  }
}

/** Adds a sensor to its area of a composite rule, creating the area on first use; returns the area. */
export function addMember(
  areas: Map<string, CompositeArea>,
  placement: { compiled: CompiledRule; area: string; conditions: number[] },
  key: number,
): CompositeArea {
  const { compiled, area, conditions } = placement;
  if (compiled.rule.kind !== 'composite') throw new Error('not a composite rule');
  const params = compiled.rule.params;
  const id = pairKey(compiled.rule.id, areaSubject(area));
  let entry = areas.get(id);
  if (!entry) {
    entry = {
      compiled,
      params,
      area,
      subject: areaSubject(area),
      members: params.conditions.map(() => []),
      state: newState(),
      dirtyTs: Number.NaN,
    };
    areas.set(id, entry);
  }
  for (const i of conditions) if (!entry.members[i]!.includes(key)) entry.members[i]!.push(key);
  return entry;
}
