import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { EventBus, Subscription } from '../platform/bus/event-bus.js';
import { TELEMETRY_READINGS, type ReadingBatch } from '../telemetry/store/reading.types.js';
import { AppError } from '../errors.js';
import { ActiveWindows } from './active-windows.js';
import type { AlarmRepository } from './alarm.repository.js';
import { ALARM_EVENTS, type Alarm } from './alarm.types.js';
import { LatestReadings } from './latest-readings.js';
import { OpenAlarms, type EngineCounters } from './open-alarms.js';
import { RuleEvaluator } from './rule-evaluator.js';
import { pairKey, type SensorSource } from './rule-plan.js';
import { StateCheckpoint } from './state-checkpoint.js';

// Re-exported where the engine's users (app, bench) have always found them.
export type { EngineCounters } from './open-alarms.js';
export type { SensorSource } from './rule-plan.js';

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

/**
 * The live alarm engine (告警引擎): evaluates every committed reading batch from the bus against
 * the rules, keeps one open alarm per (rule, subject), stores every change before publishing it on
 * `alarms.events`, and runs the clock-driven parts (offline, escalation). It wires the parts:
 * `RuleEvaluator` (rules, plans, composite areas, broken rules), `OpenAlarms` (open alarms and
 * pending changes), `StateCheckpoint` (soft state across restarts), `ActiveWindows`.
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
  readonly counters: EngineCounters = { readings: 0, evaluations: 0, raised: 0, cleared: 0 };
  private readonly open = new OpenAlarms(this.counters);
  private readonly windows: ActiveWindows;
  private readonly evaluator: RuleEvaluator;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private closed = false;
  private readonly clock: () => number;

  private constructor(
    private readonly options: AlarmEngineOptions,
    private readonly checkpoint: StateCheckpoint,
  ) {
    this.clock = options.clock ?? Date.now;
    this.windows = new ActiveWindows(options.tree);
    this.evaluator = new RuleEvaluator({
      sensors: options.sensors,
      tree: options.tree,
      open: this.open,
      windows: this.windows,
      latest: new LatestReadings(),
      checkpoint,
      counters: this.counters,
      clock: this.clock,
      report: (error, during) => this.report(error, during),
    });
  }

  /**
   * Loads rules, open alarms, maintenance windows and the checkpoint, and subscribes to readings.
   * Start it before the telemetry engine opens, so that readings replayed at its start are seen.
   */
  static async start(options: AlarmEngineOptions): Promise<AlarmEngine> {
    const repo = options.repository;
    const openAlarms = await repo.listOpenAlarms();
    const windows = await repo.listWindows((options.clock ?? Date.now)());
    const engine = new AlarmEngine(options, StateCheckpoint.load(await repo.loadCheckpoint()));
    for (const alarm of openAlarms) engine.open.adopt(pairKey(alarm.ruleId, alarm.subject), alarm);
    engine.windows.replace(windows);
    engine.evaluator.load(await repo.listRules());
    // Broken rules found at start are raised (and fixed ones cleared) before any reading.
    engine.evaluator.syncBroken(engine.clock(), null);
    await engine.flush();
    engine.checkpoint.savedAt = engine.clock();
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
      this.evaluator.load(await this.options.repository.listRules());
      const now = this.clock();
      for (const [key, alarm] of this.open.entries()) {
        if (this.evaluator.keepsAlarmsOf(alarm.ruleId)) continue;
        this.open.clear(key, alarm, now, by, 'rule_removed');
      }
      this.evaluator.syncBroken(now, by);
      await this.flush();
    });
  }

  /** Re-reads the maintenance windows (after one was added or removed). */
  reloadWindows(): Promise<void> {
    return this.exclusive(async () => {
      this.windows.replace(await this.options.repository.listWindows(this.clock()));
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
      this.windows.prune(now);
      this.evaluator.checkStale(now);
      this.evaluator.escalate(now);
      await this.flush(this.checkpoint.due(now, this.options.checkpointMs ?? 60_000), true);
    });
  }

  /** The open alarm with this id, as the engine holds it (fresher than the database), if open. */
  openAlarm(id: number): Alarm | undefined {
    return this.open.withId(id);
  }

  /** Every open alarm (a copy of each). */
  openAlarms(): Alarm[] {
    return this.open.copies();
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
      this.open.acknowledge(alarm, this.clock(), by);
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
      this.open.clear(pairKey(alarm.ruleId, alarm.subject), alarm, this.clock(), by, 'manual');
      this.evaluator.resetAfterClear(alarm);
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

  private onBatches(batches: readonly ReadingBatch[]): Promise<void> {
    for (const batch of batches) {
      // At-least-once delivery: a batch already evaluated (before a restart) is skipped.
      if (batch.seq <= this.checkpoint.seq) continue;
      this.evaluator.evaluate(batch);
      this.checkpoint.seq = batch.seq;
    }
    return this.flush();
  }

  /** Stores pending changes (and optionally a checkpoint) in one transaction, then publishes. */
  private async flush(checkpoint = false, includeTouched = false): Promise<void> {
    const now = checkpoint ? this.clock() : 0;
    const save = checkpoint ? () => this.checkpoint.save(this.evaluator.states(), now) : undefined;
    const events = await this.open.store(this.options.repository, save, includeTouched);
    if (checkpoint) this.checkpoint.savedAt = now;
    if (events && events.length > 0) await this.options.bus.publish(ALARM_EVENTS, events);
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
