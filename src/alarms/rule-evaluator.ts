import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { ReadingBatch } from '../telemetry/store/reading.types.js';
import type { ActiveWindows } from './active-windows.js';
import { brokenRuleAlarm, brokenSubject, chainOf, draftAlarm, ruleChain } from './alarm-drafts.js';
import type { Alarm, AlarmRule } from './alarm.types.js';
import { CompositeAreas } from './composite-areas.js';
import type { LatestReadings } from './latest-readings.js';
import type { EngineCounters, OpenAlarms } from './open-alarms.js';
import {
  NONE,
  newState,
  stepAnomaly,
  stepRate,
  stepStale,
  stepThreshold,
  type InstanceState,
  type Step,
} from './rule-kinds.js';
import {
  KIND,
  RuleBook,
  inSchedule,
  pairKey,
  type CompositeArea,
  type Instance,
  type SensorPlan,
  type SensorSource,
} from './rule-plan.js';
import type { StateCheckpoint, SubjectState } from './state-checkpoint.js';

/** What the evaluator works with; the engine owns them and hands the same ones to each part. */
export interface EvaluatorParts {
  sensors: SensorSource;
  tree: () => JurisdictionTree;
  open: OpenAlarms;
  windows: ActiveWindows;
  latest: LatestReadings;
  checkpoint: StateCheckpoint;
  counters: EngineCounters;
  clock: () => number;
  report: (error: unknown, during: string) => void;
}

/**
 * Rule evaluation (规则求值): each reading batch against the rules in force for its sensors (a
 * plan per sensor, rebuilt lazily when the rules or the sensor change), composite areas after
 * the batch, offline rules on the clock. A rule that is broken or throws is taken out alone
 * (规则异常) and raises its own alarm; the other rules and the rest of the batch go on.
 */
export class RuleEvaluator {
  private book!: RuleBook;
  /** Bumped on every rule change: a plan of an older generation is rebuilt before use. */
  private generation = 0;
  private plans: (SensorPlan | undefined)[] = [];
  private readonly areas: CompositeAreas;
  /** Rules taken out after throwing, by id, with the version that threw (kept across reloads). */
  private readonly failedAtRunTime = new Map<string, { version: number; problem: string }>();

  constructor(private readonly parts: EvaluatorParts) {
    const { open, checkpoint } = parts;
    this.areas = new CompositeAreas(parts.sensors, (ruleId, version, subject) =>
      checkpoint.claim(ruleId, version, subject, open.has(pairKey(ruleId, subject))),
    );
  }

  /** Takes a new rule set: plans are rebuilt lazily, areas now. */
  load(rules: readonly AlarmRule[]): void {
    this.generation++;
    this.book = new RuleBook(rules, this.parts.tree());
    // A rule that failed at run time stays out until it is edited (a new version gets a new try):
    // otherwise any reload would clear its rule-broken alarm as fixed, and the next reading would
    // raise a new one.
    for (const [id, failure] of this.failedAtRunTime) {
      const rule = this.book.byId.get(id)?.rule;
      if (rule?.version === failure.version) this.book.breakRule(rule, failure.problem);
      else this.failedAtRunTime.delete(id);
    }
    this.areas.invalidate();
    this.areas.rebuild(this.book);
  }

  /** Whether alarms of this rule stay open: it is in force, or broken (its conditions are unknown, not gone). */
  keepsAlarmsOf(ruleId: string): boolean {
    return this.book.byId.has(ruleId) || this.book.broken.has(ruleId);
  }

  /** Evaluates one reading batch; changes go to the open alarms, stored at the engine's next flush. */
  evaluate(batch: ReadingBatch): void {
    const { keys, ts, values } = batch;
    const { sensors, latest, windows } = this.parts;
    const now = this.parts.clock();
    const noWindows = windows.none;
    if (this.areas.outdated()) this.areas.refresh(this.book);
    let evaluations = 0;
    const dirty: CompositeArea[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const t = ts[i]!;
      const value = values[i]!;
      latest.record(key, t, value, now);
      let plan = this.plans[key];
      if (
        plan === undefined ||
        plan.generation !== this.generation ||
        plan.sensor !== sensors.resolveKey(key)
      ) {
        plan = this.buildPlan(key);
        if (plan === undefined) continue;
      }
      const instances = plan.instances;
      for (let j = 0; j < instances.length; j++) {
        const inst = instances[j]!;
        const compiled = inst.compiled;
        const rule = compiled.rule;
        // Raising is allowed unless the schedule or a maintenance window says otherwise: two
        // comparisons in the usual case of neither.
        const allowed =
          (compiled.schedule === null || inSchedule(compiled, t)) &&
          (noWindows || !windows.suppresses(plan.sensor, t));
        let step: Step = NONE;
        // One rule failing must not cost the other rules this reading (nor the rest of the batch).
        try {
          switch (compiled.kind) {
            case KIND.threshold:
              step = stepThreshold(inst.state, rule.params as never, t, value, allowed);
              break;
            case KIND.rate:
              step = stepRate(inst.state, rule.params as never, t, value, allowed);
              break;
            case KIND.anomaly:
              step = stepAnomaly(inst.state, rule.params as never, t, value, allowed);
              break;
            case KIND.stale:
            case KIND.composite:
              // Not per-reading instances: offline rules run on the clock, composites per area.
              break;
          }
          if (step !== NONE) this.signal(inst, plan.sensor, null, step, t, value);
        } catch (error) {
          this.ruleFailed(rule, error);
        }
      }
      evaluations += instances.length;
      // Any reading ends an offline alarm: the sensor has been silent for 0 ms.
      const stale = plan.stale;
      for (let j = 0; j < stale.length; j++) {
        const inst = stale[j]!;
        if (inst.state.firing) {
          this.signal(inst, plan.sensor, null, stepStale(inst.state, 0, 1, true), now, value);
        }
      }
      evaluations += stale.length;
      const areas = this.areas.of(key);
      if (areas !== undefined) {
        for (const area of areas) {
          if (Number.isNaN(area.dirtyTs)) dirty.push(area);
          if (!(t <= area.dirtyTs)) area.dirtyTs = t;
        }
      }
    }
    // Each touched area once per batch, at its latest reading time: a composite reads the
    // current values of many sensors, so evaluating it per reading would repeat the same answer.
    for (const area of dirty) {
      try {
        const step = this.areas.check(area, area.dirtyTs, latest, windows);
        if (step !== NONE) this.signal(area, null, area.area, step, area.dirtyTs, null);
      } catch (error) {
        this.ruleFailed(area.compiled.rule, error);
      }
      area.dirtyTs = Number.NaN;
      evaluations++;
    }
    this.parts.counters.readings += keys.length;
    this.parts.counters.evaluations += evaluations;
  }

  /** Runs the offline rules: a sensor silent for its rule's missed intervals raises, by the engine clock. */
  checkStale(now: number): void {
    const { sensors, latest, windows } = this.parts;
    const noWindows = windows.none;
    for (const sensor of sensors.registered()) {
      const key = sensor.key;
      let plan = this.plans[key];
      if (plan === undefined || plan.generation !== this.generation || plan.sensor !== sensor) {
        plan = this.buildPlan(key);
        if (plan === undefined) continue;
      }
      if (plan.stale.length === 0) continue;
      const silent = latest.silentFor(key, now);
      for (const inst of plan.stale) {
        if (inst.compiled.rule.kind !== 'stale') continue;
        const limit = inst.compiled.rule.params.missedIntervals * sensor.type.intervalSeconds * 1000;
        const allowed = inSchedule(inst.compiled, now) && (noWindows || !windows.suppresses(sensor, now));
        try {
          const step = stepStale(inst.state, silent, limit, allowed);
          if (step !== NONE) this.signal(inst, sensor, null, step, now, null);
        } catch (error) {
          this.ruleFailed(inst.compiled.rule, error);
        }
      }
    }
  }

  /** Escalates alarms left unacknowledged past their rule's escalation delay. */
  escalate(now: number): void {
    this.parts.open.escalate(now, (ruleId) => this.book.byId.get(ruleId)?.rule.escalation);
  }

  /**
   * After an operator cleared an alarm by hand: forgets the rule's pending duration, window
   * reference and band on the subject (so it raises again only after its duration), keeping the
   * baseline and the reading clock.
   */
  resetAfterClear(alarm: Alarm): void {
    const state = this.stateOf(alarm);
    if (state) {
      const { lastTs, mean, variance, count } = state;
      Object.assign(state, newState(), { lastTs, mean, variance, count });
    }
  }

  /** Every per-reading and area state, for the checkpoint (offline rules keep none worth saving). */
  *states(): Generator<SubjectState> {
    for (const plan of this.plans) {
      if (!plan) continue;
      yield* plan.instances;
    }
    yield* this.areas.all();
  }

  // ---- broken rules (规则异常) ---------------------------------------------------------------

  /** Raises a rule-broken alarm for every broken rule and clears those of rules that are fine now. */
  syncBroken(now: number, by: string | null): void {
    const { open } = this.parts;
    for (const { rule, problems } of this.book.broken.values()) this.raiseBroken(rule, problems, now);
    for (const [key, alarm] of open.entries()) {
      if (alarm.subject !== brokenSubject(alarm.ruleId) || this.book.broken.has(alarm.ruleId)) continue;
      open.clear(key, alarm, now, by, this.book.byId.has(alarm.ruleId) ? 'auto' : 'rule_removed');
    }
  }

  /** A rule threw while evaluating: it leaves the rule book and raises its rule-broken alarm. */
  private ruleFailed(rule: AlarmRule, error: unknown): void {
    const problem = `failed while evaluating: ${error instanceof Error ? error.message : String(error)}`;
    if (!this.book.breakRule(rule, problem)) return;
    this.failedAtRunTime.set(rule.id, { version: rule.version, problem });
    this.generation++;
    this.areas.invalidate();
    this.parts.report(error, `alarm rule ${rule.id} (taken out of evaluation)`);
    this.raiseBroken(rule, [problem], this.parts.clock());
  }

  private raiseBroken(rule: AlarmRule, problems: readonly string[], now: number): void {
    const key = pairKey(rule.id, brokenSubject(rule.id));
    if (this.parts.open.has(key)) return;
    const chain = ruleChain(rule, this.parts.tree(), (id) => this.parts.sensors.resolve(id));
    this.parts.open.raise(key, brokenRuleAlarm(rule, problems, chain, now), now);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Hands a rule's step on a sensor or an area to the open alarms. */
  private signal(
    inst: Instance | CompositeArea,
    sensor: RegisteredSensor | null,
    area: string | null,
    step: Step,
    t: number,
    value: number | null,
  ): void {
    const rule = inst.compiled.rule;
    const now = this.parts.clock();
    this.parts.open.signal(pairKey(rule.id, inst.subject), step, t, value, now, () =>
      draftAlarm(
        rule,
        inst.subject,
        sensor,
        sensor ?? chainOf(this.parts.tree(), area!),
        area,
        value,
        t,
        now,
      ),
    );
  }

  private buildPlan(key: number): SensorPlan | undefined {
    const sensor = this.parts.sensors.resolveKey(key);
    const old = this.plans[key];
    if (sensor === undefined) {
      this.plans[key] = undefined;
      return undefined;
    }
    const previous = new Map<string, Instance>();
    if (old) for (const inst of [...old.instances, ...old.stale]) previous.set(inst.compiled.rule.id, inst);
    const plan: SensorPlan = { sensor, generation: this.generation, instances: [], stale: [] };
    const { open, checkpoint } = this.parts;
    for (const compiled of this.book.rulesFor(sensor)) {
      const { id, version } = compiled.rule;
      const before = previous.get(id);
      const inst: Instance = {
        compiled,
        subject: sensor.id,
        state:
          before && before.compiled.rule.version === version && before.subject === sensor.id
            ? before.state
            : checkpoint.claim(id, version, sensor.id, open.has(pairKey(id, sensor.id))),
      };
      (compiled.kind === KIND.stale ? plan.stale : plan.instances).push(inst);
    }
    this.plans[key] = plan;
    // A sensor registered since the areas were built joins its composite areas now; the periodic
    // rebuild (on registry changes) takes care of moves and removals.
    if (this.areas.of(key) === undefined && this.book.composites.length > 0) {
      this.areas.place(this.book, sensor);
    }
    return plan;
  }

  private stateOf(alarm: Alarm): InstanceState | undefined {
    if (alarm.sensorId === null) return this.areas.stateOf(alarm.ruleId, alarm.subject);
    const sensor = this.parts.sensors.resolve(alarm.sensorId);
    const plan = sensor ? this.plans[sensor.key] : undefined;
    return [...(plan?.instances ?? []), ...(plan?.stale ?? [])].find(
      (i) => i.compiled.rule.id === alarm.ruleId,
    )?.state;
  }
}
