import type { AlarmRepository } from './alarm.repository.js';
import {
  SEVERITIES,
  type Alarm,
  type AlarmEvent,
  type ClearReason,
  type Escalation,
  type EvaluatorCheckpoint,
} from './alarm.types.js';
import { AGAIN, CLEAR, HOLD, RAISE, type Step } from './rule-kinds.js';

/** Counters for metrics and the benchmark. */
export interface EngineCounters {
  readings: number;
  evaluations: number;
  raised: number;
  cleared: number;
}

const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/**
 * The open (active or acknowledged) alarms, one per (rule, subject) by pairKey, and the changes
 * made to them since the last flush. Drafts have id 0 until stored. Changes are stored in one
 * transaction before the engine publishes them, so a subscriber never sees an alarm the database
 * lacks.
 */
export class OpenAlarms {
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

  constructor(private readonly counters: EngineCounters) {}

  /** Takes in an alarm already open in the database (at start). */
  adopt(key: string, alarm: Alarm): void {
    this.open.set(key, alarm);
  }

  /** Whether the (rule, subject) pair has an open alarm. */
  has(key: string): boolean {
    return this.open.has(key);
  }

  /** The open alarm with this id, if any. */
  withId(id: number): Alarm | undefined {
    for (const alarm of this.open.values()) if (alarm.id === id) return alarm;
    return undefined;
  }

  /** A copy of every stored open alarm (drafts not yet stored are left out). */
  copies(): Alarm[] {
    return [...this.open.values()].filter((a) => a.id > 0).map((a) => ({ ...a }));
  }

  /** The open alarms by pairKey; clearing one while iterating is safe. */
  entries(): IterableIterator<[string, Alarm]> {
    return this.open.entries();
  }

  /**
   * Turns a rule's step on a subject into an alarm change: a raise, an occurrence, a moved
   * last-seen time or a clear. `draft` builds the alarm when a new one must be raised.
   */
  signal(key: string, step: Step, t: number, value: number | null, now: number, draft: () => Alarm): void {
    const alarm = this.open.get(key);
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
      if (alarm) this.clear(key, alarm, now, null, 'auto');
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
    this.raise(key, draft(), now);
  }

  /** Opens a new alarm (stored at the next flush). */
  raise(key: string, alarm: Alarm, now: number): void {
    this.open.set(key, alarm);
    this.inserts.push(alarm);
    this.events.push({ type: 'raised', alarm, at: now, by: null });
    this.counters.raised++;
  }

  /** Clears an open alarm: automatically, by an operator, or because its rule is gone. */
  clear(key: string, alarm: Alarm, now: number, by: string | null, reason: ClearReason): void {
    alarm.state = 'cleared';
    alarm.clearedAt = now;
    alarm.clearedBy = by;
    alarm.clearReason = reason;
    alarm.updatedAt = now;
    this.open.delete(key);
    this.changed(alarm, 'cleared', now, by);
    this.counters.cleared++;
  }

  /** Marks an active alarm acknowledged (the caller has checked that it is active). */
  acknowledge(alarm: Alarm, now: number, by: string): void {
    alarm.state = 'acknowledged';
    alarm.acknowledgedAt = now;
    alarm.acknowledgedBy = by;
    alarm.updatedAt = now;
    this.changed(alarm, 'acknowledged', now, by);
  }

  /** Moves alarms still unacknowledged after their rule's escalation delay up to its severity, once. */
  escalate(now: number, escalationOf: (ruleId: string) => Escalation | null | undefined): void {
    for (const alarm of this.open.values()) {
      if (alarm.state !== 'active' || alarm.escalatedAt !== null) continue;
      const escalation = escalationOf(alarm.ruleId);
      if (!escalation || now - alarm.raisedAt < escalation.afterSeconds * 1000) continue;
      if (SEVERITY_RANK.get(escalation.severity)! <= SEVERITY_RANK.get(alarm.severity)!) continue;
      alarm.severity = escalation.severity;
      alarm.escalatedAt = now;
      alarm.updatedAt = now;
      this.changed(alarm, 'escalated', now, null);
    }
  }

  /** Records a change to a stored alarm, for the next flush to write and publish. */
  private changed(alarm: Alarm, type: AlarmEvent['type'], at: number, by: string | null): void {
    if (alarm.id > 0) this.updates.add(alarm);
    this.events.push({ type, alarm, at, by });
  }

  /**
   * Stores pending changes (and the checkpoint, if given) in one transaction and answers the
   * events to publish, as snapshots (the alarm objects keep changing afterwards); null when there
   * was nothing to store. Touched alarms are written only alongside other changes, or when
   * `includeTouched`.
   */
  async store(
    repository: AlarmRepository,
    checkpoint: (() => EvaluatorCheckpoint) | undefined,
    includeTouched: boolean,
  ): Promise<AlarmEvent[] | null> {
    const pending = this.inserts.length > 0 || this.updates.size > 0 || this.events.length > 0;
    if (!pending && !checkpoint && !(includeTouched && this.touched.size > 0)) return null;
    // Touched alarms ride along with any write that happens anyway.
    for (const alarm of this.touched) this.updates.add(alarm);
    this.touched.clear();
    const inserts = this.inserts;
    const updates = [...this.updates].filter((a) => a.id > 0);
    const events = this.events;
    this.inserts = [];
    this.updates = new Set();
    this.events = [];
    let stored: Alarm[];
    try {
      stored = await repository.applyChanges({
        inserts: inserts.map(({ id: _id, ...rest }) => rest),
        updates,
        checkpoint: checkpoint?.(),
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
    return events.map((e) => ({ ...e, alarm: { ...e.alarm } }));
  }
}
