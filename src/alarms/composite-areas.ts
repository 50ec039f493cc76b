import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { ActiveWindows } from './active-windows.js';
import type { LatestReadings } from './latest-readings.js';
import { beyond, stepComposite, type InstanceState, type Step } from './rule-kinds.js';
import {
  addMember,
  inSchedule,
  pairKey,
  type CompositeArea,
  type RuleBook,
  type SensorSource,
} from './rule-plan.js';

/** Hands out a (rule, subject) state: restored from the checkpoint, firing if its alarm is open. */
export type ClaimState = (ruleId: string, version: number, subject: string) => InstanceState;

/**
 * The areas composite rules watch (a township, a county, or the rule's jurisdiction) with their
 * member sensors per condition, kept in step with the sensor registry, and the check of one area
 * against its sensors' latest readings.
 */
export class CompositeAreas {
  private areas: CompositeArea[] = [];
  private bySensor: (CompositeArea[] | undefined)[] = [];
  private index = new Map<string, CompositeArea>();
  /** The registry revision the areas were built from; -1 forces the next rebuild. */
  private revision = -1;
  private builtAt = -Infinity;

  constructor(
    private readonly sensors: SensorSource,
    private readonly claim: ClaimState,
  ) {}

  /** Every area of every composite rule. */
  all(): readonly CompositeArea[] {
    return this.areas;
  }

  /** The areas a sensor key belongs to; undefined when the sensor has not been placed yet. */
  of(key: number): CompositeArea[] | undefined {
    return this.bySensor[key];
  }

  /** The state of a composite rule on an area subject, if that area exists. */
  stateOf(ruleId: string, subject: string): InstanceState | undefined {
    return this.index.get(pairKey(ruleId, subject))?.state;
  }

  /** Whether the registry changed since the areas were built (or a rebuild was asked for). */
  outdated(): boolean {
    return this.sensors.revision !== this.revision;
  }

  /** Asks for a rebuild at the next batch, without the usual 2 s delay (the rules changed). */
  invalidate(): void {
    this.revision = -1;
  }

  /** Rebuilds after registry changes, at most every 2 s unless invalidated. */
  refresh(book: RuleBook): void {
    // A bulk registration changes the revision many times in a row: rebuild at most every 2 s.
    if (this.areas.length === 0 && book.composites.length === 0) {
      this.revision = this.sensors.revision;
      return;
    }
    if (performance.now() - this.builtAt < 2000 && this.revision !== -1) return;
    this.rebuild(book);
  }

  /** Builds every area from the registry; areas of unchanged rules keep their state. */
  rebuild(book: RuleBook): void {
    const previous = this.index;
    this.areas = book.compositeAreas(this.sensors.registered());
    this.index = new Map();
    this.bySensor = [];
    for (const sensor of this.sensors.registered()) this.bySensor[sensor.key] = [];
    for (const area of this.areas) {
      const rule = area.compiled.rule;
      const before = previous.get(pairKey(rule.id, area.subject));
      area.state =
        before && before.compiled.rule.version === rule.version
          ? before.state
          : this.claim(rule.id, rule.version, area.subject);
      this.index.set(pairKey(rule.id, area.subject), area);
      for (const members of area.members) {
        for (const key of members) (this.bySensor[key] ??= []).push(area);
      }
    }
    for (const list of this.bySensor) if (list) dedupeInPlace(list);
    this.revision = this.sensors.revision;
    this.builtAt = performance.now();
  }

  /**
   * Adds a sensor registered since the areas were built to its areas; the rebuild on registry
   * changes takes care of moves and removals.
   */
  place(book: RuleBook, sensor: RegisteredSensor): void {
    const joined: CompositeArea[] = [];
    for (const placement of book.placements(sensor)) {
      const before = this.index.size;
      const area = addMember(this.index, placement, sensor.key);
      if (this.index.size > before) {
        area.state = this.claim(area.compiled.rule.id, area.compiled.rule.version, area.subject);
        this.areas.push(area);
      }
      joined.push(area);
    }
    this.bySensor[sensor.key] = joined;
  }

  /** The composite's step for an area at reading time `t`, from its members' latest readings. */
  check(area: CompositeArea, t: number, latest: LatestReadings, windows: ActiveWindows): Step {
    const { params } = area;
    const oldest = t - params.maxAgeSeconds * 1000;
    let met = params.match === 'all';
    for (let c = 0; c < params.conditions.length; c++) {
      const condition = params.conditions[c]!;
      let holds = false;
      for (const key of area.members[c]!) {
        if (latest.ts[key]! >= oldest && beyond(condition.op, latest.value[key]!, condition.value)) {
          holds = true;
          break;
        }
      }
      if (params.match === 'all' && !holds) {
        met = false;
        break;
      }
      if (params.match === 'any' && holds) {
        met = true;
        break;
      }
    }
    const allowed = inSchedule(area.compiled, t) && (windows.none || !windows.suppressesArea(area.area, t));
    return stepComposite(area.state, params.forSeconds, t, met, allowed);
  }
}

function dedupeInPlace<T>(list: T[]): void {
  const unique = [...new Set(list)];
  list.length = 0;
  list.push(...unique);
}
