import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { EventBus, Subscription } from '../platform/bus/event-bus.js';
import { TELEMETRY_READINGS, type ReadingBatch } from '../telemetry/store/reading.types.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import { sensorType } from '../devices/sensor-types.js';
import type { UnitChain } from '../jurisdictions/geo.types.js';
import { AppError } from '../errors.js';
import type { AlarmRepository } from './alarm.repository.js';
import {
  ALARM_EVENTS,
  SEVERITIES,
  type Alarm,
  type AlarmEvent,
  type AlarmRule,
  type Severity,
  type MaintenanceWindow,
  type NewAlarm,
} from './alarm.types.js';
import { describeAlarm } from './alarm-message.js';
import {
  AGAIN,
  CLEAR,
  HOLD,
  NONE,
  RAISE,
  beyond,
  newState,
  stepAnomaly,
  stepComposite,
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
  addMember,
  type CompositeArea,
  type Instance,
  type SensorPlan,
} from './rule-plan.js';

/** What the engine needs from the sensor registry. */
export interface SensorSource {
  resolve(id: string): RegisteredSensor | undefined;
  resolveKey(key: number): RegisteredSensor | undefined;
  registered(): IterableIterator<RegisteredSensor>;
  readonly revision: number;
}

/** Tuning and collaborators of the engine. */
export interface AlarmEngineOptions {
  repository: AlarmRepository;
  bus: EventBus;
  sensors: SensorSource;
  tree: () => JurisdictionTree;
  /** Epoch ms now: the offline and escalation clock. Readings are judged by their own times. */
  clock?: () => number;
  /** How often offline rules, escalations and pending last-seen updates run. Default 5 s. */
  tickMs?: number;
  /** How often the evaluator's soft state (durations, windows, baselines) is saved. Default 60 s. */
  checkpointMs?: number;
  onError?: (error: unknown, during: string) => void;
}

/** Counters for metrics and the benchmark. */
export interface EngineCounters {
  readings: number;
  evaluations: number;
  raised: number;
  cleared: number;
}

interface SavedState {
  r: string;
  v: number;
  s: string;
  st: Partial<InstanceState>;
}

const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/**
 * A rule that cannot be evaluated raises one alarm of its own (规则异常, docs/alarms.md): major,
 * because the sensors it watches are unwatched; domain `platform`, so the alarm → case policy
 * (lifeline domains) never dispatches a crew for a software fault.
 */
export const RULE_BROKEN = { domain: 'platform', severity: 'major' as Severity };

/** The subject of a rule's own rule-broken alarm. */
export const brokenSubject = (ruleId: string): string => `rule:${ruleId}`;

/**
 * The live alarm engine (告警引擎): evaluates every committed reading batch from the bus against
 * the rules, keeps one open alarm per (rule, subject), stores every change before publishing it on
 * `alarms.events`, and runs the clock-driven parts (offline, escalation).
 *
 * Everything that changes alarms — reading batches, ticks, operators' acknowledgements and clears,
 * rule edits — runs one at a time through `exclusive`, so the in-memory open-alarm map and the
 * database never disagree about which alarms are open.
 *
 * Durability: an alarm change is in the database before the batch that caused it is acknowledged
 * on the bus, and the telemetry store republishes readings that were committed but not yet
 * flushed when it restarts. So after a crash the open alarms are reloaded (no duplicate: the pair
 * is open) and a clear that was lost with the crash is made again from the replayed readings.
 * Soft state (a threshold's pending duration, rate windows, EWMA baselines) is checkpointed every
 * `checkpointMs` and restored at start.
 */
export class AlarmEngine {
  private book!: RuleBook;
  private generation = 0;
  private plans: (SensorPlan | undefined)[] = [];
  private areas: CompositeArea[] = [];
  private areasBySensor: (CompositeArea[] | undefined)[] = [];
  private areaIndex = new Map<string, CompositeArea>();
  private areasRevision = -1;
  private areasBuiltAt = -Infinity;
  /** Latest value, reading time and arrival time per sensor key (composites and offline rules). */
  private lastValue = new Float64Array(1024);
  private lastTs = new Float64Array(1024).fill(Number.NaN);
  private lastArrival = new Float64Array(1024).fill(Number.NaN);
  /** Open (active or acknowledged) alarms by pairKey; drafts have id 0 until stored. */
  private readonly open = new Map<string, Alarm>();
  private inserts: Alarm[] = [];
  private updates = new Set<Alarm>();
  /**
   * Alarms whose last-seen time and value moved while they stayed firing: written with the next
   * real change or tick, not per batch — a sensor that stays in alarm would otherwise cost a synced
   * write for every batch carrying one of its readings. A crash loses at most a tick of these.
   */
  private touched = new Set<Alarm>();
  private events: AlarmEvent[] = [];
  private windows: MaintenanceWindow[] = [];
  private restored = new Map<string, SavedState>();
  private lastSeq = 0;
  private lastCheckpoint = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private closed = false;
  private readonly clock: () => number;
  readonly counters: EngineCounters = { readings: 0, evaluations: 0, raised: 0, cleared: 0 };

  private constructor(private readonly options: AlarmEngineOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Loads rules, open alarms, maintenance windows and the checkpoint, and subscribes to readings.
   * Start it before the telemetry engine opens, so that readings replayed at its start are seen.
   */
  static async start(options: AlarmEngineOptions): Promise<AlarmEngine> {
    const engine = new AlarmEngine(options);
    const repo = options.repository;
    for (const alarm of await repo.listOpenAlarms()) {
      engine.open.set(pairKey(alarm.ruleId, alarm.subject), alarm);
    }
    engine.windows = await repo.listWindows(engine.clock());
    const checkpoint = await repo.loadCheckpoint();
    if (checkpoint) {
      engine.lastSeq = checkpoint.seq;
      try {
        for (const saved of JSON.parse(checkpoint.state) as SavedState[]) {
          engine.restored.set(pairKey(saved.r, saved.s), saved);
        }
      } catch {
        // A checkpoint that does not parse only costs pending durations and baselines.
      }
    }
    await engine.loadRules();
    // Broken rules found at start are raised (and fixed ones cleared) before any reading.
    engine.syncBroken(engine.clock(), null);
    await engine.flush();
    engine.lastCheckpoint = engine.clock();
    engine.subscription = options.bus.subscribe(
      TELEMETRY_READINGS,
      (message) => engine.exclusive(() => engine.onBatches(message.events)),
      { name: 'alarms.evaluator' },
    );
    const tickMs = options.tickMs ?? 5000;
    if (tickMs > 0) {
      engine.timer = setInterval(() => {
        engine.tick().catch((error: unknown) => engine.report(error, 'alarm tick'));
      }, tickMs);
      engine.timer.unref();
    }
    return engine;
  }

  /** Re-reads the rules (after an edit): plans are rebuilt lazily; alarms of removed rules are cleared. */
  reloadRules(by: string | null = null): Promise<void> {
    return this.exclusive(async () => {
      await this.loadRules();
      const now = this.clock();
      for (const [key, alarm] of this.open) {
        // A broken rule's alarms stay open: its sensors' conditions are unknown, not gone.
        if (this.book.byId.has(alarm.ruleId) || this.book.broken.has(alarm.ruleId)) continue;
        this.clearOpen(key, alarm, now, by, 'rule_removed');
      }
      this.syncBroken(now, by);
      await this.flush();
    });
  }

  /** Re-reads the maintenance windows (after one was added or removed). */
  reloadWindows(): Promise<void> {
    return this.exclusive(async () => {
      this.windows = await this.options.repository.listWindows(this.clock());
    });
  }

  /** Evaluates reading batches now (the bus handler; also for tests and the benchmark). */
  process(batches: readonly ReadingBatch[]): Promise<void> {
    return this.exclusive(() => this.onBatches(batches));
  }

  /** Runs the clock-driven work once: offline rules, escalation, pending writes, checkpoint. */
  tick(): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock();
      this.windows = this.windows.filter((w) => w.endsAt > now);
      this.checkStale(now);
      this.checkEscalations(now);
      const checkpoint = now - this.lastCheckpoint >= (this.options.checkpointMs ?? 60_000);
      await this.flush(checkpoint, true);
    });
  }

  /** The open alarm with this id, as the engine holds it (fresher than the database), if open. */
  openAlarm(id: number): Alarm | undefined {
    for (const alarm of this.open.values()) if (alarm.id === id) return alarm;
    return undefined;
  }

  /** Every open alarm (a copy of each). */
  openAlarms(): Alarm[] {
    return [...this.open.values()].filter((a) => a.id > 0).map((a) => ({ ...a }));
  }

  /** Acknowledges an active alarm. */
  acknowledge(id: number, by: string): Promise<Alarm> {
    return this.exclusive(async () => {
      const alarm = await this.requireOpen(id, 'acknowledge');
      if (alarm.state === 'acknowledged') {
        throw new AppError('ALARM_STATE_CONFLICT', `Alarm ${id} is already acknowledged.`, {
          state: alarm.state,
        });
      }
      const now = this.clock();
      alarm.state = 'acknowledged';
      alarm.acknowledgedAt = now;
      alarm.acknowledgedBy = by;
      alarm.updatedAt = now;
      this.changed(alarm, 'acknowledged', now, by);
      await this.flush();
      return { ...alarm };
    });
  }

  /**
   * Clears an open alarm by hand. The rule's state on the subject is reset, so if the condition
   * still holds a new alarm is raised once it has held for the rule's duration again.
   */
  clear(id: number, by: string): Promise<Alarm> {
    return this.exclusive(async () => {
      const alarm = await this.requireOpen(id, 'clear');
      const key = pairKey(alarm.ruleId, alarm.subject);
      this.clearOpen(key, alarm, this.clock(), by, 'manual');
      // Forget the pending duration, window reference and band, keep the baseline and clock.
      const state = this.stateOf(alarm);
      if (state) {
        const { lastTs, mean, variance, count } = state;
        Object.assign(state, newState(), { lastTs, mean, variance, count });
      }
      await this.flush();
      return { ...alarm };
    });
  }

  /** Publishes a comment event (the comment itself is stored by the service). */
  commented(alarm: Alarm, by: string): Promise<void> {
    return this.options.bus.publish(ALARM_EVENTS, [{ type: 'commented', alarm, at: this.clock(), by }]);
  }

  /** Stops the subscription and the timer, then saves pending changes and a checkpoint. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    // Shutdown goes on (the bus and database still close) even if this last write fails; what it
    // held is rebuilt at the next start from the open alarms and the replayed readings.
    await this.exclusive(() => this.flush(true, true)).catch((error: unknown) =>
      this.report(error, 'saving alarms at shutdown'),
    );
  }

  // ---- the hot path -------------------------------------------------------------------------

  private onBatches(batches: readonly ReadingBatch[]): Promise<void> {
    for (const batch of batches) {
      // At-least-once delivery: a batch already evaluated (before a restart) is skipped.
      if (batch.seq <= this.lastSeq) continue;
      this.evaluate(batch);
      this.lastSeq = batch.seq;
    }
    return this.flush();
  }

  private evaluate(batch: ReadingBatch): void {
    const { keys, ts, values } = batch;
    const sensors = this.options.sensors;
    const now = this.clock();
    const noWindows = this.windows.length === 0;
    if (sensors.revision !== this.areasRevision) this.maybeRebuildAreas();
    let evaluations = 0;
    const dirty: CompositeArea[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const t = ts[i]!;
      const value = values[i]!;
      if (key >= this.lastValue.length) this.grow(key);
      this.lastValue[key] = value;
      if (!(t <= this.lastTs[key]!)) this.lastTs[key] = t;
      this.lastArrival[key] = now;
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
          (noWindows || !this.suppressed(plan.sensor, t));
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
      const areas = this.areasBySensor[key];
      if (areas !== undefined) {
        for (const area of areas) {
          if (Number.isNaN(area.dirtyTs)) dirty.push(area);
          if (!(t <= area.dirtyTs)) area.dirtyTs = t;
        }
      }
    }
    for (const area of dirty) {
      try {
        this.evaluateArea(area, area.dirtyTs);
      } catch (error) {
        this.ruleFailed(area.compiled.rule, error);
      }
      area.dirtyTs = Number.NaN;
      evaluations++;
    }
    this.counters.readings += keys.length;
    this.counters.evaluations += evaluations;
  }

  private evaluateArea(area: CompositeArea, t: number): void {
    const { params } = area;
    const oldest = t - params.maxAgeSeconds * 1000;
    let met = params.match === 'all';
    for (let c = 0; c < params.conditions.length; c++) {
      const condition = params.conditions[c]!;
      let holds = false;
      for (const key of area.members[c]!) {
        const seen = this.lastTs[key]!;
        if (seen >= oldest && beyond(condition.op, this.lastValue[key]!, condition.value)) {
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
    const allowed =
      inSchedule(area.compiled, t) && (this.windows.length === 0 || !this.areaSuppressed(area.area, t));
    const step = stepComposite(area.state, params.forSeconds, t, met, allowed);
    if (step !== NONE) this.signal(area, null, area.area, step, t, null);
  }

  private buildPlan(key: number): SensorPlan | undefined {
    const sensor = this.options.sensors.resolveKey(key);
    const old = this.plans[key];
    if (sensor === undefined) {
      this.plans[key] = undefined;
      return undefined;
    }
    const previous = new Map<string, Instance>();
    if (old) for (const inst of [...old.instances, ...old.stale]) previous.set(inst.compiled.rule.id, inst);
    const plan: SensorPlan = { sensor, generation: this.generation, instances: [], stale: [] };
    for (const compiled of this.book.rulesFor(sensor)) {
      const before = previous.get(compiled.rule.id);
      const inst: Instance = {
        compiled,
        subject: sensor.id,
        state:
          before && before.compiled.rule.version === compiled.rule.version && before.subject === sensor.id
            ? before.state
            : this.initialState(compiled.rule.id, compiled.rule.version, sensor.id),
      };
      (compiled.kind === KIND.stale ? plan.stale : plan.instances).push(inst);
    }
    this.plans[key] = plan;
    // A sensor registered since the areas were built joins its composite areas now; the periodic
    // rebuild (on registry changes) takes care of moves and removals.
    if (this.areasBySensor[key] === undefined && this.book.composites.length > 0) this.placeInAreas(sensor);
    return plan;
  }

  /** A new instance's state: restored from the checkpoint if it matches, firing if its alarm is open. */
  private initialState(ruleId: string, version: number, subject: string): InstanceState {
    const key = pairKey(ruleId, subject);
    const state = newState(this.open.has(key));
    const saved = this.restored.get(key);
    if (saved) {
      this.restored.delete(key);
      if (saved.v === version) Object.assign(state, saved.st, { firing: state.firing });
    }
    return state;
  }

  private placeInAreas(sensor: RegisteredSensor): void {
    const joined: CompositeArea[] = [];
    for (const placement of this.book.placements(sensor)) {
      const before = this.areaIndex.size;
      const area = addMember(this.areaIndex, placement, sensor.key);
      if (this.areaIndex.size > before) {
        area.state = this.initialState(area.compiled.rule.id, area.compiled.rule.version, area.subject);
        this.areas.push(area);
      }
      joined.push(area);
    }
    this.areasBySensor[sensor.key] = joined;
  }

  private maybeRebuildAreas(): void {
    // A bulk registration changes the revision many times in a row: rebuild at most every 2 s.
    if (this.areas.length === 0 && this.book.composites.length === 0) {
      this.areasRevision = this.options.sensors.revision;
      return;
    }
    if (performance.now() - this.areasBuiltAt < 2000 && this.areasRevision !== -1) return;
    this.rebuildAreas();
  }

  private rebuildAreas(): void {
    const previous = this.areaIndex;
    this.areas = this.book.compositeAreas(this.options.sensors.registered());
    this.areaIndex = new Map();
    this.areasBySensor = [];
    for (const sensor of this.options.sensors.registered()) this.areasBySensor[sensor.key] = [];
    for (const area of this.areas) {
      const rule = area.compiled.rule;
      const before = previous.get(pairKey(rule.id, area.subject));
      area.state =
        before && before.compiled.rule.version === rule.version
          ? before.state
          : this.initialState(rule.id, rule.version, area.subject);
      this.areaIndex.set(pairKey(rule.id, area.subject), area);
      for (const members of area.members) {
        for (const key of members) (this.areasBySensor[key] ??= []).push(area);
      }
    }
    for (const list of this.areasBySensor) if (list) dedupeInPlace(list);
    this.areasRevision = this.options.sensors.revision;
    this.areasBuiltAt = performance.now();
  }

  // ---- broken rules (规则异常) ---------------------------------------------------------------

  /** A rule threw while evaluating: it leaves the rule book and raises its rule-broken alarm. */
  private ruleFailed(rule: AlarmRule, error: unknown): void {
    const problem = `failed while evaluating: ${error instanceof Error ? error.message : String(error)}`;
    if (!this.book.breakRule(rule, problem)) return;
    this.generation++;
    this.areasRevision = -1;
    this.report(error, `alarm rule ${rule.id} (taken out of evaluation)`);
    this.raiseBroken(rule, [problem], this.clock());
  }

  /** Raises a rule-broken alarm for every broken rule and clears those of rules that are fine now. */
  private syncBroken(now: number, by: string | null): void {
    for (const { rule, problems } of this.book.broken.values()) this.raiseBroken(rule, problems, now);
    for (const [key, alarm] of this.open) {
      if (alarm.subject !== brokenSubject(alarm.ruleId) || this.book.broken.has(alarm.ruleId)) continue;
      this.clearOpen(key, alarm, now, by, this.book.byId.has(alarm.ruleId) ? 'auto' : 'rule_removed');
    }
  }

  private raiseBroken(rule: AlarmRule, problems: readonly string[], now: number): void {
    const subject = brokenSubject(rule.id);
    const key = pairKey(rule.id, subject);
    if (this.open.has(key)) return;
    const alarm: Alarm = {
      id: 0,
      ruleId: rule.id,
      ruleName: typeof rule.name === 'string' ? rule.name : rule.id,
      kind: rule.kind,
      subject,
      sensorId: null,
      sensorType: typeof rule.sensorType === 'string' ? rule.sensorType : null,
      domain: RULE_BROKEN.domain,
      severity: RULE_BROKEN.severity,
      initialSeverity: RULE_BROKEN.severity,
      state: 'active',
      message: `规则异常 rule ${rule.id} is not evaluated: ${problems.join('; ')}`.slice(0, 1000),
      value: null,
      firstSeenAt: now,
      lastSeenAt: now,
      occurrences: 1,
      raisedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      clearedAt: null,
      clearedBy: null,
      clearReason: null,
      escalatedAt: null,
      updatedAt: now,
      ...this.ruleChain(rule),
    };
    this.open.set(key, alarm);
    this.inserts.push(alarm);
    this.events.push({ type: 'raised', alarm, at: now, by: null });
    this.counters.raised++;
  }

  /** Where a rule-broken alarm is shown: the rule's sensor or jurisdiction, else the whole city. */
  private ruleChain(rule: AlarmRule): UnitChain {
    const tree = this.options.tree();
    const sensor = typeof rule.sensor === 'string' ? this.options.sensors.resolve(rule.sensor) : undefined;
    if (sensor) {
      const { provinceCode, prefectureCode, countyCode, townshipCode } = sensor;
      return { provinceCode, prefectureCode, countyCode, townshipCode };
    }
    if (typeof rule.jurisdiction === 'string' && tree.get(rule.jurisdiction)) {
      return this.chainOf(rule.jurisdiction);
    }
    const root = tree.all('province')[0]?.code;
    return root
      ? this.chainOf(root)
      : { provinceCode: '', prefectureCode: null, countyCode: null, townshipCode: null };
  }

  // ---- alarms ---------------------------------------------------------------------------------

  /** Turns a step into an alarm change (stored and published at the next flush). */
  private signal(
    inst: Instance | CompositeArea,
    sensor: RegisteredSensor | null,
    area: string | null,
    step: Step,
    t: number,
    value: number | null,
  ): void {
    const rule = inst.compiled.rule;
    const key = pairKey(rule.id, inst.subject);
    const now = this.clock();
    let alarm = this.open.get(key);
    if (step === HOLD || step === AGAIN) {
      if (!alarm) step = RAISE;
      else {
        alarm.lastSeenAt = Math.max(alarm.lastSeenAt, t);
        alarm.value = value;
        if (step === AGAIN) {
          alarm.occurrences++;
          alarm.updatedAt = now;
          this.changed(alarm, 'updated', now, null);
        } else if (alarm.id > 0) this.touched.add(alarm);
        return;
      }
    }
    if (step === CLEAR) {
      if (alarm) this.clearOpen(key, alarm, now, null, 'auto');
      return;
    }
    if (alarm) {
      // Already open (after a restart the state may lag the database): one alarm per pair.
      alarm.occurrences++;
      alarm.lastSeenAt = Math.max(alarm.lastSeenAt, t);
      alarm.value = value;
      alarm.updatedAt = now;
      this.changed(alarm, 'updated', now, null);
      return;
    }
    const chain = sensor ?? this.chainOf(area!);
    const typeCode =
      sensor?.type.code ??
      (rule.kind === 'composite' ? rule.params.conditions[0]!.sensorType : rule.sensorType);
    const draft: NewAlarm = {
      ruleId: rule.id,
      ruleName: rule.name,
      kind: rule.kind,
      subject: inst.subject,
      sensorId: sensor?.id ?? null,
      sensorType: sensor?.type.code ?? null,
      domain: (typeCode && sensorType(typeCode)?.domain) ?? 'unknown',
      severity: rule.severity,
      initialSeverity: rule.severity,
      state: 'active',
      message: describeAlarm(rule, sensor, area, value),
      value,
      firstSeenAt: t,
      lastSeenAt: t,
      occurrences: 1,
      raisedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      clearedAt: null,
      clearedBy: null,
      clearReason: null,
      escalatedAt: null,
      updatedAt: now,
      provinceCode: chain.provinceCode,
      prefectureCode: chain.prefectureCode,
      countyCode: chain.countyCode,
      townshipCode: chain.townshipCode,
    };
    alarm = { id: 0, ...draft };
    this.open.set(key, alarm);
    this.inserts.push(alarm);
    this.events.push({ type: 'raised', alarm, at: now, by: null });
    this.counters.raised++;
  }

  private clearOpen(
    key: string,
    alarm: Alarm,
    now: number,
    by: string | null,
    reason: 'auto' | 'manual' | 'rule_removed',
  ): void {
    alarm.state = 'cleared';
    alarm.clearedAt = now;
    alarm.clearedBy = by;
    alarm.clearReason = reason;
    alarm.updatedAt = now;
    this.open.delete(key);
    this.changed(alarm, 'cleared', now, by);
    this.counters.cleared++;
  }

  private changed(alarm: Alarm, type: AlarmEvent['type'], at: number, by: string | null): void {
    if (alarm.id > 0) this.updates.add(alarm);
    this.events.push({ type, alarm, at, by });
  }

  private checkStale(now: number): void {
    const noWindows = this.windows.length === 0;
    for (const sensor of this.options.sensors.registered()) {
      const key = sensor.key;
      let plan = this.plans[key];
      if (plan === undefined || plan.generation !== this.generation || plan.sensor !== sensor) {
        plan = this.buildPlan(key);
        if (plan === undefined) continue;
      }
      if (plan.stale.length === 0) continue;
      if (key >= this.lastArrival.length) this.grow(key);
      // A sensor never heard from counts from when the engine first saw it registered.
      if (Number.isNaN(this.lastArrival[key]!)) this.lastArrival[key] = now;
      const silent = now - this.lastArrival[key]!;
      for (const inst of plan.stale) {
        if (inst.compiled.rule.kind !== 'stale') continue;
        const limit = inst.compiled.rule.params.missedIntervals * sensor.type.intervalSeconds * 1000;
        const allowed = inSchedule(inst.compiled, now) && (noWindows || !this.suppressed(sensor, now));
        try {
          const step = stepStale(inst.state, silent, limit, allowed);
          if (step !== NONE) this.signal(inst, sensor, null, step, now, null);
        } catch (error) {
          this.ruleFailed(inst.compiled.rule, error);
        }
      }
    }
  }

  private checkEscalations(now: number): void {
    for (const alarm of this.open.values()) {
      if (alarm.state !== 'active' || alarm.escalatedAt !== null) continue;
      const escalation = this.book.byId.get(alarm.ruleId)?.rule.escalation;
      if (!escalation || now - alarm.raisedAt < escalation.afterSeconds * 1000) continue;
      if (SEVERITY_RANK.get(escalation.severity)! <= SEVERITY_RANK.get(alarm.severity)!) continue;
      alarm.severity = escalation.severity;
      alarm.escalatedAt = now;
      alarm.updatedAt = now;
      this.changed(alarm, 'escalated', now, null);
    }
  }

  /** Stores pending changes (and optionally a checkpoint) in one transaction, then publishes. */
  private async flush(checkpoint = false, includeTouched = false): Promise<void> {
    const pending = this.inserts.length > 0 || this.updates.size > 0 || this.events.length > 0;
    if (!pending && !checkpoint && !(includeTouched && this.touched.size > 0)) return;
    // Touched alarms ride along with any write that happens anyway.
    for (const alarm of this.touched) this.updates.add(alarm);
    this.touched.clear();
    const inserts = this.inserts;
    const updates = [...this.updates].filter((a) => a.id > 0);
    const events = this.events;
    this.inserts = [];
    this.updates = new Set();
    this.events = [];
    const now = this.clock();
    let stored: Alarm[];
    try {
      stored = await this.options.repository.applyChanges({
        inserts: inserts.map(({ id: _id, ...rest }) => rest),
        updates,
        checkpoint: checkpoint ? { seq: this.lastSeq, state: this.serialize(), savedAt: now } : undefined,
      });
    } catch (error) {
      // Nothing was stored: keep every change pending for the next flush (the bus redelivers the
      // batch, which is then skipped by seq but flushes these).
      this.inserts = inserts.concat(this.inserts);
      for (const alarm of updates) this.updates.add(alarm);
      this.events = events.concat(this.events);
      throw error;
    }
    stored.forEach((row, i) => {
      inserts[i]!.id = row.id;
    });
    if (checkpoint) this.lastCheckpoint = now;
    if (events.length > 0) {
      // Snapshots: the alarm objects keep changing after this point.
      await this.options.bus.publish(
        ALARM_EVENTS,
        events.map((e) => ({ ...e, alarm: { ...e.alarm } })),
      );
    }
  }

  private serialize(): string {
    const saved: SavedState[] = [];
    const keep = (ruleId: string, version: number, subject: string, state: InstanceState): void => {
      const st: Partial<InstanceState> = {};
      if (!Number.isNaN(state.since)) st.since = state.since;
      if (state.inBand) st.inBand = true;
      if (state.windowTs.length > 0) {
        st.windowTs = state.windowTs;
        st.windowValues = state.windowValues;
      }
      if (!Number.isNaN(state.ref)) st.ref = state.ref;
      if (state.count > 0) {
        st.mean = state.mean;
        st.variance = state.variance;
        st.count = state.count;
      }
      if (Object.keys(st).length === 0) return;
      st.lastTs = state.lastTs;
      saved.push({ r: ruleId, v: version, s: subject, st });
    };
    for (const plan of this.plans) {
      if (!plan) continue;
      for (const inst of plan.instances) {
        keep(inst.compiled.rule.id, inst.compiled.rule.version, inst.subject, inst.state);
      }
    }
    for (const area of this.areas) {
      keep(area.compiled.rule.id, area.compiled.rule.version, area.subject, area.state);
    }
    // States not yet claimed by a plan (sensors silent since the restart) are kept for later.
    for (const saved0 of this.restored.values()) saved.push(saved0);
    return JSON.stringify(saved);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async loadRules(): Promise<void> {
    const rules = await this.options.repository.listRules();
    this.generation++;
    this.book = new RuleBook(rules, this.options.tree());
    this.areasRevision = -1;
    this.rebuildAreas();
  }

  private async requireOpen(id: number, action: string): Promise<Alarm> {
    const alarm = this.openAlarm(id);
    if (alarm) return alarm;
    const stored = await this.options.repository.getAlarm(id);
    if (!stored) throw new AppError('ALARM_NOT_FOUND', `No alarm has the id ${id}.`);
    throw new AppError('ALARM_STATE_CONFLICT', `Alarm ${id} is already cleared; it cannot ${action}.`, {
      state: stored.state,
    });
  }

  private stateOf(alarm: Alarm): InstanceState | undefined {
    if (alarm.sensorId === null) return this.areaIndex.get(pairKey(alarm.ruleId, alarm.subject))?.state;
    const sensor = this.options.sensors.resolve(alarm.sensorId);
    const plan = sensor ? this.plans[sensor.key] : undefined;
    return [...(plan?.instances ?? []), ...(plan?.stale ?? [])].find(
      (i) => i.compiled.rule.id === alarm.ruleId,
    )?.state;
  }

  private suppressed(sensor: RegisteredSensor, t: number): boolean {
    for (const w of this.windows) {
      if (t < w.startsAt || t >= w.endsAt) continue;
      if (w.sensors !== null && !w.sensors.includes(sensor.id)) continue;
      if (w.jurisdiction !== null && !this.options.tree().isWithin(finestCode(sensor), w.jurisdiction)) {
        continue;
      }
      return true;
    }
    return false;
  }

  private areaSuppressed(area: string, t: number): boolean {
    const tree = this.options.tree();
    return this.windows.some(
      (w) =>
        t >= w.startsAt &&
        t < w.endsAt &&
        w.sensors === null &&
        (w.jurisdiction === null || tree.isWithin(area, w.jurisdiction)),
    );
  }

  private chainOf(code: string): UnitChain {
    const chain = this.options.tree().chain(code);
    return {
      provinceCode: chain.province?.code ?? code,
      prefectureCode: chain.prefecture?.code ?? null,
      countyCode: chain.county?.code ?? null,
      townshipCode: chain.township?.code ?? null,
    };
  }

  private grow(key: number): void {
    let size = this.lastValue.length;
    while (size <= key) size *= 2;
    const grow = (old: Float64Array, fill: number): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size).fill(fill);
      next.set(old);
      return next;
    };
    this.lastValue = grow(this.lastValue, 0);
    this.lastTs = grow(this.lastTs, Number.NaN);
    this.lastArrival = grow(this.lastArrival, Number.NaN);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private report(error: unknown, during: string): void {
    if (this.options.onError) this.options.onError(error, during);
    else console.error(`${during}:`, error);
  }
}

function dedupeInPlace<T>(list: T[]): void {
  const unique = [...new Set(list)];
  list.length = 0;
  list.push(...unique);
}
