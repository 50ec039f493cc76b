import { nextStep, type CaseView, type StageLimits, type Step } from './case-plans.js';
import type { SimHttp, Session } from './http-client.js';
import type { DepartmentBehaviour } from './scenario.types.js';
import { unit } from './sim-random.js';

/** What the simulated staff did. */
export interface StaffCounters {
  actions: Record<string, number>;
  alarmsAcknowledged: number;
  /** Another actor (a person in the dashboard) moved the case first: 409, nothing lost. */
  conflicts: number;
  errors: number;
  lastError: string | null;
}

interface Tracked {
  key: string;
  since: number;
  step: Step | null;
  seen: number;
}

// The command center's own queue; what it decides on cases with a department (an extension to
// approve, a case to put on hold) it sees in the departments' queues, so it never lists those twice.
const COMMAND = 'reported,registered,handled,verified';
const WORKING = 'dispatched,in_progress,rework';
const MAX_PAGES = 10;

/**
 * The command center (指挥中心) and the departments (职能部门) at work: each polls its queue through
 * the cases API as its own user, remembers when it first saw each case in its current state, and
 * takes the step `nextStep` decides once that step's delay (simulated minutes) has passed. The
 * command center also acknowledges major and critical alarms a few minutes after they appear.
 */
export class Staff {
  readonly counters: StaffCounters = {
    actions: {},
    alarmsAcknowledged: 0,
    conflicts: 0,
    errors: 0,
    lastError: null,
  };
  private readonly tracked = new Map<string, Tracked>();
  private readonly returned = new Set<string>();
  private readonly extensionAsked = new Set<string>();
  private readonly acks = new Map<number, number>();
  private round = 0;

  constructor(
    private readonly http: SimHttp,
    private readonly options: {
      command: Session | null;
      handlers: ReadonlyMap<string, Session>;
      behaviour: DepartmentBehaviour;
      seed: number;
      /** Which cases and alarms to touch (all, or the fleet's own). */
      mine: { case(c: CaseView): boolean; alarm(a: AlarmView): boolean };
      limitsOf(category: string, priority: string): StageLimits;
    },
  ) {}

  /** One round: every queue read once, every due step taken. `now` is simulated time. */
  async tick(now: number): Promise<void> {
    this.round++;
    const { command, handlers } = this.options;
    await Promise.all([
      command ? this.work(command, 'command', `status=${COMMAND}`, now) : undefined,
      command && this.options.behaviour.acknowledgeAlarms ? this.acknowledge(command, now) : undefined,
      ...[...handlers].map(([type, session]) =>
        this.work(session, 'handler', `status=${WORKING}&department=${type}`, now),
      ),
    ]);
    for (const [id, t] of this.tracked) if (this.round - t.seen > 5) this.tracked.delete(id);
  }

  private async work(
    session: Session,
    role: 'command' | 'handler',
    filter: string,
    now: number,
  ): Promise<void> {
    for (const c of await this.list(session, filter)) {
      if (!this.options.mine.case(c)) continue;
      const key = `${c.status}|${c.reworkCount}|${c.extensionCount}|${c.extension ? 1 : 0}`;
      let t = this.tracked.get(c.id);
      if (!t || t.key !== key) {
        const limits = this.options.limitsOf(c.category, c.priority);
        t = {
          key,
          since: now,
          step: nextStep(c, limits, this.options.behaviour, this.options.seed, {
            returned: this.returned.has(c.id),
            extensionAsked: this.extensionAsked.has(c.id),
          }),
          seen: this.round,
        };
        this.tracked.set(c.id, t);
      }
      t.seen = this.round;
      const step = t.step;
      if (!step || now < t.since + step.afterMinutes * 60_000) continue;
      const actor = step.by === role ? session : step.by === 'command' ? this.options.command : null;
      if (!actor) continue;
      t.step = null; // taken (or refused): the next poll re-plans from what the case became
      await this.act(actor, c.id, step);
    }
  }

  private async act(session: Session, id: string, step: Step): Promise<void> {
    const answer = await this.http.send<{ error?: { code: string; message: string } }>(
      'POST',
      `/api/v1/cases/${id}/transitions`,
      {
        auth: { session },
        json: {
          action: step.action,
          ...(step.note ? { note: step.note } : {}),
          ...(step.minutes ? { minutes: step.minutes } : {}),
          ...(step.attachments ? { attachments: step.attachments } : {}),
        },
      },
    );
    if (answer.status === 200) {
      this.counters.actions[step.action] = (this.counters.actions[step.action] ?? 0) + 1;
      if (step.action === 'return') this.returned.add(id);
      if (step.action === 'request_extension') this.extensionAsked.add(id);
    } else if (answer.status === 409 || answer.status === 404) {
      this.counters.conflicts++;
    } else {
      this.counters.errors++;
      this.counters.lastError =
        `${step.action} on ${id}: HTTP ${answer.status} ${answer.body.error?.code ?? ''} ${answer.body.error?.message ?? ''}`.trim();
    }
  }

  private async list(session: Session, filter: string): Promise<CaseView[]> {
    const items: CaseView[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer: { status: number; body: { items?: CaseView[]; nextCursor?: string | null } } =
        await this.http.send(
          'GET',
          `/api/v1/cases?${filter}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { auth: { session } },
        );
      if (answer.status !== 200) {
        this.counters.errors++;
        this.counters.lastError = `listing cases as ${session.username}: HTTP ${answer.status}`;
        break;
      }
      items.push(...(answer.body.items ?? []));
      cursor = answer.body.nextCursor ?? null;
      if (!cursor) break;
    }
    return items;
  }

  private async acknowledge(session: Session, now: number): Promise<void> {
    const answer = await this.http.send<{ items?: AlarmView[] }>(
      'GET',
      '/api/v1/alarms?state=active&severity=major,critical&limit=500',
      {
        auth: { session },
      },
    );
    if (answer.status !== 200) return;
    const open = new Set<number>();
    for (const alarm of answer.body.items ?? []) {
      open.add(alarm.id);
      if (!this.options.mine.alarm(alarm)) continue;
      // The duty officer looks at a new alarm within 2–10 minutes.
      const due = this.acks.get(alarm.id) ?? now + (2 + 8 * unit(this.options.seed, alarm.id, 0xac)) * 60_000;
      this.acks.set(alarm.id, due);
      if (now < due) continue;
      const ack = await this.http.send('POST', `/api/v1/alarms/${alarm.id}/ack`, {
        auth: { session },
        json: { note: '已收到，正在调度处置' },
      });
      if (ack.status === 200) this.counters.alarmsAcknowledged++;
      else if (ack.status === 409) this.counters.conflicts++;
      this.acks.delete(alarm.id);
      open.delete(alarm.id);
    }
    for (const id of this.acks.keys()) if (!open.has(id)) this.acks.delete(id);
  }
}

/** The part of an alarm the command center looks at. */
export interface AlarmView {
  id: number;
  ruleId: string;
  sensorId: string | null;
  severity: string;
  countyCode: string | null;
  townshipCode: string | null;
  raisedAt: string;
}
