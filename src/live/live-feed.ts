import { randomBytes } from 'node:crypto';
import type { Alarm, AlarmEvent } from '../alarms/alarm.types.js';
import { ALARM_EVENTS } from '../alarms/alarm.types.js';
import { CASE_EVENTS, type CaseEvent } from '../cases/case-intake.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { EventBus, Subscription } from '../platform/bus/event-bus.js';
import type { LiveAlarm, LiveAlarmEvent, LiveCaseEvent, LiveEvent } from './live.types.js';

/** What the feed needs to know about a case category (from the catalog, in memory). */
export interface CategoryInfo {
  zh: string;
  en: string;
  priority: 'urgent' | 'high' | 'normal' | 'low';
}

/** One retained event with its serialized form (serialized once, sent to many connections). */
export interface StoredEvent {
  seq: number;
  event: LiveEvent;
  json: string;
}

/** What `read` answers: the matching events after a position, or that the position is gone. */
export type ReadResult = { gone: false; events: StoredEvent[]; upTo: number } | { gone: true; upTo: number };

/** Options of the feed. */
export interface LiveFeedOptions {
  tree: () => JurisdictionTree;
  category: (code: string) => CategoryInfo | undefined;
  /** Events retained for resuming clients (a ring). Default 10,000: ten minutes at 1,000 a minute. */
  capacity?: number;
}

/**
 * The live feed: alarm and case changes from the bus, numbered with one increasing `seq` and kept
 * in a bounded ring so that a client that lost its connection can resume where it was.
 *
 * The ring is the only buffer: connections hold a cursor into it, not queues of their own, so
 * memory stays bounded however many clients there are and however slow they read. `epoch` names
 * this process's numbering; a position from another epoch (a restart) cannot be resumed.
 *
 * `cases.overdue` is not subscribed: every escalation is also published on `cases.events` as
 * action `escalate`, which the feed marks critical.
 */
export class LiveFeed {
  readonly epoch = randomBytes(6).toString('base64url');
  private readonly ring: (StoredEvent | undefined)[];
  private head = 0;
  private subscriptions: Subscription[] = [];

  constructor(private readonly options: LiveFeedOptions) {
    this.ring = new Array<StoredEvent | undefined>(options.capacity ?? 10_000);
  }

  /** Subscribes to the bus. Handlers are synchronous and never throw, so they never hold publishers up. */
  start(bus: EventBus): void {
    this.subscriptions.push(
      bus.subscribe(ALARM_EVENTS, (m) => this.onAlarms(m.events), { name: 'live.alarms' }),
      bus.subscribe(CASE_EVENTS, (m) => this.onCases(m.events), { name: 'live.cases' }),
    );
  }

  /** Stops the subscriptions. */
  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }

  /** The seq of the newest event (0 before the first). */
  get seq(): number {
    return this.head;
  }

  /** The seq of the oldest event still held (head + 1 when empty). */
  get oldest(): number {
    return Math.max(1, this.head - this.ring.length + 1);
  }

  /** Whether a client at `seq` of `epoch` can be brought up to date from the ring. */
  canResume(epoch: string | undefined, seq: number | undefined): boolean {
    return epoch === this.epoch && seq !== undefined && seq <= this.head && seq >= this.oldest - 1;
  }

  /** Events after `after` that pass `filter`, at most `limit`; `gone` when they were overwritten. */
  read(after: number, filter: (event: LiveEvent) => boolean, limit = Infinity): ReadResult {
    if (after < this.oldest - 1) return { gone: true, upTo: this.head };
    const events: StoredEvent[] = [];
    let upTo = after;
    for (let seq = after + 1; seq <= this.head; seq++) {
      const stored = this.ring[seq % this.ring.length]!;
      upTo = seq;
      if (filter(stored.event)) {
        events.push(stored);
        if (events.length >= limit) break;
      }
    }
    return { gone: false, events, upTo };
  }

  /** The newest `count` events passing `filter`, oldest first (a ticker's initial content). */
  recent(filter: (event: LiveEvent) => boolean, count: number): LiveEvent[] {
    const out: LiveEvent[] = [];
    for (let seq = this.head; seq >= this.oldest && out.length < count; seq--) {
      const stored = this.ring[seq % this.ring.length]!;
      if (filter(stored.event)) out.push(stored.event);
    }
    return out.reverse();
  }

  /** Appends one event, numbering it. Exposed for tests; the bus handlers call it. */
  append(event: DistributiveOmit<LiveEvent, 'seq'>): StoredEvent {
    const seq = ++this.head;
    const full = { ...event, seq };
    const stored = { seq, event: full, json: JSON.stringify(full) };
    this.ring[seq % this.ring.length] = stored;
    return stored;
  }

  private onAlarms(events: readonly AlarmEvent[]): void {
    for (const e of events) {
      const township = e.alarm.townshipCode ?? e.alarm.countyCode ?? e.alarm.provinceCode;
      const event: DistributiveOmit<LiveAlarmEvent, 'seq'> = {
        topic: 'alarm',
        type: e.type,
        at: e.at,
        by: e.by,
        township,
        county: e.alarm.countyCode ?? township,
        place: this.place(township),
        critical: e.alarm.severity === 'critical' && (e.type === 'raised' || e.type === 'escalated'),
        alarm: liveAlarm(e.alarm),
      };
      this.append(event);
    }
  }

  private onCases(events: readonly CaseEvent[]): void {
    for (const e of events) {
      const category = this.options.category(e.category);
      const township = e.township || e.county;
      const event: DistributiveOmit<LiveCaseEvent, 'seq'> = {
        topic: 'case',
        caseId: e.caseId,
        action: e.action,
        from: e.from,
        to: e.to,
        at: e.at,
        actor: e.actor,
        township,
        county: e.county || township,
        place: this.place(township),
        category: e.category,
        categoryName: category?.zh ?? e.category,
        categoryNameEn: category?.en ?? e.category,
        priority: e.priority ?? category?.priority ?? null,
        department: e.department,
        note: e.note,
        critical:
          e.action === 'escalate' ||
          (e.action === 'report' && e.from === null && (e.priority ?? category?.priority) === 'urgent'),
      };
      this.append(event);
    }
  }

  /** `区县 镇街` for a unit code, from the tree (names only, no codes). */
  private place(code: string): string {
    const tree = this.options.tree();
    const unit = tree.get(code);
    if (!unit) return code;
    const names = [...tree.ancestors(code), unit]
      .filter((u) => u.level === 'county' || u.level === 'township' || u.level === 'prefecture')
      .map((u) => u.name);
    return names.join(' ') || unit.name;
  }
}

function liveAlarm(a: Alarm): LiveAlarm {
  return {
    id: a.id,
    severity: a.severity,
    state: a.state,
    domain: a.domain,
    message: a.message,
    ruleName: a.ruleName,
    sensorId: a.sensorId,
    value: a.value === null || Number.isNaN(a.value) ? null : a.value,
    raisedAt: a.raisedAt,
  };
}

/** Omit over each member of a union (plain Omit would merge the members). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
