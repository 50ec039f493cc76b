import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { EventBus } from '../platform/bus/event-bus.js';
import type { Category } from './case-catalog.js';
import { findDuplicate } from './case-dedup.js';
import {
  applyAction,
  escalated,
  lifecycleState,
  openingRecord,
  type OpeningFacts,
  supervisionLevel,
  type ActionInput,
  type EffectContext,
} from './case-effects.js';
import {
  CASE_EVENTS,
  CASE_OVERDUE,
  type CaseIntake,
  type IncomingReport,
  type ReportOutcome,
  type ReportSource,
} from './case-intake.js';
import {
  allowedActions,
  isOpen,
  refusal,
  ruleFor,
  type ActorKind,
  type CaseStatus,
} from './case-lifecycle.js';
import type { CaseChain } from './case-routing.js';
import { assembleStats, planStats, type CaseStats, type StatsGroup } from './case-stats-query.js';
import { dateOfDay, dayOf } from './case-stats.js';
import type { CaseChange, CaseListSort, CaseRepository, DedupCheck, ScopeFilter } from './case.repository.js';
import type {
  CaseEventRecord,
  CaseRecord,
  NewCaseEvent,
  OccurrenceRecord,
  RoutingReason,
} from './case.types.js';
import { CaseCatalog } from './case-catalog.service.js';
import {
  boxAround,
  chainOf,
  decodeCursor,
  dedupCells,
  encodeCursor,
  newCaseId,
  occurrenceOf,
  toBusEvent,
  validateReport,
} from './case-records.js';

/** Who acts on a case, as the service sees it. */
export interface CaseActor {
  kind: 'command' | 'handler' | 'system';
  name: string;
  /** A handler's department type. */
  department: string | null;
}

/** The system itself (intake, routing, escalation). */
export const SYSTEM_ACTOR: CaseActor = { kind: 'system', name: 'system', department: null };

/** A case with its timeline, occurrences and what the caller may do next. */
export interface CaseDetail {
  record: CaseRecord;
  timeline: CaseEventRecord[];
  occurrences: OccurrenceRecord[];
  allowedActions: string[];
}

/** Filters of the case list (API query, parsed). */
export interface CaseListInput {
  scope?: string | undefined;
  status?: string | undefined;
  category?: string | undefined;
  department?: string | undefined;
  overdue?: boolean | undefined;
  /** true: only cases waiting for a point (待定位). */
  needsLocation?: boolean | undefined;
  q?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  cursor?: string | undefined;
  /** `deadline`: open cases, soonest deadline first (default: newest first). */
  sort?: CaseListSort | undefined;
  limit: number;
}

/** A transition request. */
export interface TransitionInput extends ActionInput {
  action: string;
  /** dispatch / reassign: `type` or `type@unit`. */
  department?: string | undefined;
  /** merge: the case to merge into. */
  into?: string | undefined;
  /** split: the occurrences that become a new case. */
  occurrences?: string[] | undefined;
  /** split: the new case's category (default: the same). */
  category?: string | undefined;
  /** locate: the point (WGS84) of a case reported without one. */
  lon?: number | undefined;
  lat?: number | undefined;
}

/** Options of the service. */
export interface CaseServiceOptions {
  /** Sources whose reports are registered and dispatched at once (machine-checked or entered by staff). */
  autoDispatch: readonly ReportSource[];
}

const DEFAULT_OPTIONS: CaseServiceOptions = { autoDispatch: ['alarm', 'camera', 'operator'] };

/**
 * Cases (案件): intake from every source, de-duplication, the lifecycle with merge and split,
 * deadlines and escalation, and statistics. The catalog and routing live in `catalog`; writes go
 * through the repository, each change in one transaction with its audit links and statistics.
 */
export class CaseService implements CaseIntake {
  private constructor(
    private readonly repository: CaseRepository,
    private readonly jurisdictions: JurisdictionService,
    /** Categories, department types and the routing table. */
    readonly catalog: CaseCatalog,
    private readonly bus: EventBus | null,
    private readonly clock: () => number,
    private readonly options: CaseServiceOptions,
  ) {}

  /** Loads the catalog (seeding the defaults on first start) and makes the service. */
  static async create(deps: {
    repository: CaseRepository;
    jurisdictions: JurisdictionService;
    bus?: EventBus | undefined;
    clock?: (() => number) | undefined;
    options?: Partial<CaseServiceOptions> | undefined;
  }): Promise<CaseService> {
    return new CaseService(
      deps.repository,
      deps.jurisdictions,
      await CaseCatalog.load(deps.repository, deps.jurisdictions),
      deps.bus ?? null,
      deps.clock ?? Date.now,
      { ...DEFAULT_OPTIONS, ...deps.options },
    );
  }

  /** What routing would decide for a category and priority at a point (for the routing screen). */
  previewRouting(
    category: string,
    priority: CaseRecord['priority'] | undefined,
    lon: number,
    lat: number,
    visible: Visibility,
  ): RoutingReason {
    const cat = this.catalog.category(category);
    return this.catalog.route(cat, priority ?? cat.priority, this.chainAt(lon, lat, visible));
  }

  // ── intake ───────────────────────────────────────────────────────────────────────────────────

  /** Opens a case for a report or attaches it to an open one nearby (see CaseIntake). */
  async report(report: IncomingReport, visible: Visibility): Promise<ReportOutcome> {
    const category = this.catalog.category(report.category);
    if (!category.enabled) {
      throw new AppError('UNKNOWN_CASE_CATEGORY', `The category "${category.code}" is disabled.`);
    }
    validateReport(report);
    if (report.lon === null || report.lat === null) return this.openUnlocated(report, category, visible);
    const located = { ...report, lon: report.lon, lat: report.lat };
    const chain = this.chainAt(located.lon, located.lat, visible);
    try {
      return await this.intake(located, category, chain);
    } catch (error) {
      // Another writer got there between our read and our write (a second process on the same
      // SQLite file, or a change to the case we attach to): the second look sees what it wrote.
      if (!lostRace(error)) throw error;
      return this.intake(located, category, chain);
    }
  }

  /**
   * A report with an address and no point (待定位): a new case in the reporter's scope (the key's
   * jurisdiction, or the city), routed at that scope's level, never de-duplicated (there is no
   * distance to compare), waiting for command staff to `locate` it. Sources still deliver at least
   * once, so the source record finds the case it made.
   */
  private async openUnlocated(
    report: IncomingReport,
    category: Category,
    visible: Visibility,
  ): Promise<ReportOutcome> {
    const known = await this.repository.findBySource(report.source, report.sourceRef);
    if (known) {
      const existing = await this.repository.get(known);
      return { caseId: known, attached: true, status: existing?.status ?? 'reported' };
    }
    return this.open(report, category, this.chainOfScope(visible), undefined);
  }

  /** De-duplication under the place's locks: the source's case, an open duplicate, or a new case. */
  private intake(
    report: IncomingReport & { lon: number; lat: number },
    category: Category,
    chain: CaseChain,
  ): Promise<ReportOutcome> {
    const box = boxAround(report.lon, report.lat, category.dedupRadiusM);
    return this.repository.exclusive(dedupCells(category.code, box), async () => {
      // Sources deliver at least once: the same source record lands on the case it made.
      const known = await this.repository.findBySource(report.source, report.sourceRef);
      if (known) {
        const existing = await this.repository.get(known);
        return { caseId: known, attached: true, status: existing?.status ?? 'reported' };
      }
      const since = report.reportedAt - category.dedupWindowMin * 60_000;
      const near = await this.repository.findOpenNear(category.code, box, since);
      const duplicate = findDuplicate(near, report, category);
      if (duplicate) return this.attach(duplicate, report);
      return this.open(report, category, chain, {
        // Only what the check needs: this goes to the writer thread with the change.
        report: {
          category: report.category,
          lon: report.lon,
          lat: report.lat,
          reportedAt: report.reportedAt,
        },
        box,
        since,
        radiusM: category.dedupRadiusM,
        windowMin: category.dedupWindowMin,
      });
    });
  }

  private async attach(target: CaseRecord, report: IncomingReport): Promise<ReportOutcome> {
    const now = this.clock();
    const after: CaseRecord = {
      ...target,
      occurrences: target.occurrences + 1,
      lastReportedAt: Math.max(target.lastReportedAt, report.reportedAt),
      updatedAt: now,
      version: target.version + 1,
    };
    const occurrence = occurrenceOf(target.id, report);
    const event = this.event(
      after,
      'occurrence',
      target.status,
      now,
      report.reporter ?? report.source,
      report.description,
      report.attachments ?? [],
      {
        source: report.source,
        sourceRef: report.sourceRef,
        occurrence: occurrence.id,
      },
    );
    await this.commit([{ writes: [{ before: target, after }], events: [event], occurrences: [occurrence] }]);
    return { caseId: target.id, attached: true, status: after.status };
  }

  private async open(
    report: IncomingReport,
    category: Category,
    chain: CaseChain,
    opens: DedupCheck | undefined,
  ): Promise<ReportOutcome> {
    const now = this.clock();
    const occurrence = occurrenceOf('', report);
    const { record, change } = this.draft(
      {
        ...report,
        address: report.address ?? null,
        reporter: report.reporter ?? null,
        priority: report.priority ?? category.priority,
        lastReportedAt: report.reportedAt,
        occurrences: 1,
      },
      category,
      chain,
      now,
      {
        action: 'report',
        actor: report.reporter ?? report.source,
        note: report.description,
        attachments: report.attachments ?? [],
        data: { source: report.source, sourceRef: report.sourceRef, occurrence: occurrence.id },
      },
      this.options.autoDispatch.includes(report.source),
    );
    change.occurrences = [{ ...occurrence, caseId: record.id }];
    if (opens) change.opens = opens;
    await this.commit([change]);
    return { caseId: record.id, attached: false, status: record.status };
  }

  /**
   * A new case as one insert, with its first timeline entry and, when `autoDispatch`, the
   * automatic 立案 and 派遣: each a recorded transition by the system, with the routing reason.
   */
  private draft(
    facts: OpeningFacts,
    category: Category,
    chain: CaseChain,
    now: number,
    first: Pick<NewCaseEvent, 'action' | 'actor' | 'note' | 'attachments' | 'data'>,
    autoDispatch: boolean,
  ): { record: CaseRecord; change: CaseChange } {
    const routing = this.catalog.route(category, facts.priority, chain);
    let record = openingRecord(facts, newCaseId(facts.reportedAt), category, chain, routing, now);
    const events: NewCaseEvent[] = [
      this.event(record, first.action, null, now, first.actor, first.note, first.attachments, {
        ...first.data,
        routing,
      }),
    ];
    let stageTimes: CaseChange['writes'][number]['stageTimes'] = [];
    if (autoDispatch) {
      for (const action of ['register', 'dispatch'] as const) {
        const result = applyAction(record, action, {}, { now, actor: 'system', category, routing });
        stageTimes = [...stageTimes, ...result.stageTimes];
        events.push(
          this.event(result.after, action, record.status, now, 'system', routing.text, [], result.data),
        );
        // One insert of the final state: the versions in between never reach the database.
        record = { ...result.after, version: 1 };
      }
    }
    return { record, change: { writes: [{ before: null, after: record, stageTimes }], events } };
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────

  /** One case with timeline, occurrences and the caller's allowed actions (none without an actor). */
  async getCase(id: string, visible: Visibility, actor?: CaseActor): Promise<CaseDetail> {
    const record = await this.require(id, visible);
    const [timeline, occurrences] = await Promise.all([
      this.repository.events(id),
      this.repository.occurrences(id),
    ]);
    const kind = actor ? this.actorKind(record, actor, visible) : null;
    return {
      record,
      timeline,
      occurrences,
      allowedActions: kind
        ? allowedActions(lifecycleState(record), kind).filter((a) => a !== 'escalate')
        : [],
    };
  }

  /**
   * Public replies (公开回复) written with from ≤ at < to, oldest first: what Open311 publishes as
   * service request updates. Not filtered by visibility: public replies are public by intent.
   */
  async publicEvents(from: number, to: number, limit: number): Promise<CaseEventRecord[]> {
    return this.repository.publicEvents(from, to, limit);
  }

  /** A page of cases, newest first, with the cursor of the next page (null on the last). */
  async list(
    input: CaseListInput,
    visible: Visibility,
  ): Promise<{ items: CaseRecord[]; nextCursor: string | null }> {
    const scope = this.scopeFilter(input.scope, visible);
    const statuses = input.status
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) as CaseStatus[] | undefined;
    const [departmentType, departmentUnit] = input.department?.split('@') ?? [];
    const items = await this.repository.list({
      scope,
      statuses,
      category: input.category,
      departmentType,
      departmentUnit,
      overdue: input.overdue,
      needsLocation: input.needsLocation,
      q: input.q,
      from: input.from,
      to: input.to,
      sort: input.sort,
      after: input.cursor ? decodeCursor(input.cursor, input.sort) : undefined,
      limit: input.limit + 1,
    });
    const more = items.length > input.limit;
    const page = more ? items.slice(0, input.limit) : items;
    const last = page.at(-1);
    return { items: page, nextCursor: more && last ? encodeCursor(last, input.sort) : null };
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Applies one lifecycle action; 409 CASE_ACTION_NOT_ALLOWED when the table refuses it. */
  async transition(
    id: string,
    input: TransitionInput,
    actor: CaseActor,
    visible: Visibility,
  ): Promise<CaseDetail> {
    const record = await this.require(id, visible);
    const kind = this.actorKind(record, actor, visible);
    const state = lifecycleState(record);
    const why =
      input.action === 'escalate' && actor.kind !== 'system' ? 'actor' : refusal(state, input.action, kind);
    if (why === 'unknown') throw new AppError('INVALID_CASE_TRANSITION', `Unknown action "${input.action}".`);
    if (why !== null) {
      const allowed = allowedActions(state, kind).filter((a) => a !== 'escalate');
      throw new AppError(
        'CASE_ACTION_NOT_ALLOWED',
        `"${input.action}" (${ruleFor(input.action)?.zh}) is not allowed on case ${id} in status ${record.status} for you.`,
        { action: input.action, status: record.status, reason: why, allowed },
      );
    }
    const publicNote = input.publicNote?.trim() || null;
    // A public reply speaks for the city: the command center or the department holding the case,
    // not an observer from another department.
    if (publicNote !== null && kind === 'observer') {
      throw new AppError(
        'CASE_ACTION_NOT_ALLOWED',
        `Only the command center or the department holding case ${id} may write a public reply.`,
        { action: input.action, status: record.status, reason: 'public_note', allowed: [] },
      );
    }
    const category = this.catalog.category(record.category);
    const now = this.clock();
    let routing: RoutingReason | undefined;
    if (input.action === 'dispatch' || input.action === 'reassign') {
      routing = input.department
        ? this.catalog.manualRouting(record, category, input.department, actor.name)
        : (record.routing ?? this.catalog.route(category, record.priority, chainOf(record)));
    }
    let location: EffectContext['location'];
    if (input.action === 'locate') {
      if (input.lon === undefined || input.lat === undefined) {
        throw new AppError('INVALID_CASE_TRANSITION', 'A locate (定位) needs "lon" and "lat" (WGS84).');
      }
      const chain = this.chainAt(input.lon, input.lat, visible);
      const located = this.catalog.route(category, record.priority, chain);
      location = { lon: input.lon, lat: input.lat, chain, routing: located };
    }
    const changes: CaseChange[] = [];
    if (input.action === 'merge') {
      changes.push(await this.mergeTarget(record, input.into, actor, visible, now));
    }
    let splitOff: { id: string; occurrences: string[] } | undefined;
    if (input.action === 'split') {
      const split = await this.splitOff(record, input, actor, visible, now);
      changes.push(split.change);
      splitOff = { id: split.id, occurrences: split.occurrences };
    }
    const result = applyAction(record, input.action, input, {
      now,
      actor: actor.name,
      category,
      routing,
      mergedInto: input.into,
      splitOff,
      location,
    });
    const event = this.event(
      result.after,
      input.action,
      record.status,
      now,
      actor.name,
      input.note ?? null,
      input.attachments ?? [],
      result.data,
      publicNote,
    );
    changes.unshift({
      writes: [{ before: record, after: result.after, stageTimes: result.stageTimes }],
      events: [event],
    });
    await this.commit(changes);
    return this.getCase(id, visible, actor);
  }

  /** The change to the case a merge folds into: it takes the occurrences. */
  private async mergeTarget(
    source: CaseRecord,
    into: string | undefined,
    actor: CaseActor,
    visible: Visibility,
    now: number,
  ): Promise<CaseChange> {
    if (!into || into === source.id) {
      throw new AppError('INVALID_CASE_TRANSITION', 'A merge needs "into", another open case.');
    }
    const target = await this.require(into, visible);
    if (!isOpen(target.status)) {
      throw new AppError('CASE_ACTION_NOT_ALLOWED', `Case ${into} is not open.`, { status: target.status });
    }
    const after: CaseRecord = {
      ...target,
      occurrences: target.occurrences + source.occurrences,
      lastReportedAt: Math.max(target.lastReportedAt, source.lastReportedAt),
      updatedAt: now,
      version: target.version + 1,
    };
    return {
      writes: [{ before: target, after }],
      events: [
        this.event(after, 'merge_in', target.status, now, actor.name, null, [], {
          from: source.id,
          occurrences: source.occurrences,
        }),
      ],
      moves: [{ ids: 'all', from: source.id, to: target.id }],
    };
  }

  /**
   * The new case a split (拆分) makes from some of a case's occurrences: a report that turned out
   * to be another problem, or the same problem somewhere else. It opens where its earliest moved
   * occurrence was made, in `input.category` (or the same category), routed afresh; registered
   * and dispatched at once unless the case it leaves was still waiting for registration.
   */
  private async splitOff(
    source: CaseRecord,
    input: TransitionInput,
    actor: CaseActor,
    visible: Visibility,
    now: number,
  ): Promise<{ id: string; occurrences: string[]; change: CaseChange }> {
    const wanted = new Set(input.occurrences ?? []);
    const all = await this.repository.occurrences(source.id);
    const moved = all.filter((o) => wanted.has(o.id));
    if (wanted.size === 0 || moved.length !== wanted.size || moved.length >= all.length) {
      throw new AppError(
        'INVALID_CASE_TRANSITION',
        `A split needs "occurrences": ids of some, not all, of case ${source.id}'s occurrences (it has ${all.length}).`,
        { unknown: [...wanted].filter((id) => !all.some((o) => o.id === id)) },
      );
    }
    const category = this.catalog.category(input.category ?? source.category);
    const first = moved[0]!;
    // The split-off case opens where its first report was made; a report without a point takes
    // the case's point, or, when the case has none either, its place (and stays 待定位).
    const point =
      first.lon !== null && first.lat !== null
        ? { lon: first.lon, lat: first.lat }
        : source.lon !== null && source.lat !== null
          ? { lon: source.lon, lat: source.lat }
          : null;
    const { record, change } = this.draft(
      {
        description: first.description,
        address: point ? null : source.address,
        lon: point?.lon ?? null,
        lat: point?.lat ?? null,
        source: first.source,
        reporter: first.reporter,
        priority: input.category ? category.priority : source.priority,
        reportedAt: first.reportedAt,
        lastReportedAt: Math.max(...moved.map((o) => o.reportedAt)),
        occurrences: moved.length,
      },
      category,
      point ? this.chainAt(point.lon, point.lat, visible) : chainOf(source),
      now,
      {
        action: 'split_in',
        actor: actor.name,
        note: input.note ?? null,
        attachments: input.attachments ?? [],
        data: { from: source.id, occurrences: moved.map((o) => o.id) },
      },
      source.status !== 'reported',
    );
    change.moves = [{ ids: moved.map((o) => o.id), from: source.id, to: record.id }];
    return { id: record.id, occurrences: moved.map((o) => o.id), change };
  }

  // ── deadlines ────────────────────────────────────────────────────────────────────────────────

  /**
   * Escalates every case whose stage deadline has passed (超期升级): one level up (township →
   * county → city) per stage limit overdue, and a notification on `cases.overdue`. Returns how
   * many cases it escalated. Run periodically; the clock is the service's.
   */
  async escalateOverdue(batch = 500): Promise<number> {
    const now = this.clock();
    let done = 0;
    for (;;) {
      const due = await this.repository.dueForEscalation(now, batch);
      if (due.length === 0) return done;
      for (const record of due) {
        const after = escalated(record, this.catalog.find(record.category), now);
        const stage = record.stage;
        const event = this.event(
          after,
          'escalate',
          record.status,
          now,
          'system',
          `超期 overdue in stage ${stage ?? '-'}`,
          [],
          {
            stage,
            deadline: record.stageDeadline,
            from: supervisionLevel(record),
            to: supervisionLevel(after),
          },
        );
        try {
          const [linked] = await this.commit([{ writes: [{ before: record, after }], events: [event] }]);
          if (linked && this.bus) await this.bus.publish(CASE_OVERDUE, [toBusEvent(linked, after)]);
          done += 1;
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'CASE_CONFLICT')) throw error;
        }
      }
      if (due.length < batch) return done;
    }
  }

  // ── statistics ───────────────────────────────────────────────────────────────────────────────

  /** National metrics for a scope, period, category and department, optionally grouped. */
  async stats(
    input: {
      scope?: string | undefined;
      from?: string | undefined;
      to?: string | undefined;
      category?: string | undefined;
      department?: string | undefined;
      groupBy?: StatsGroup | undefined;
    },
    visible: Visibility,
  ): Promise<CaseStats> {
    const tree = this.jurisdictions.units;
    const scope = this.effectiveScope(input.scope, visible);
    const scopes = scope ? [scope] : tree.all('province').map((u) => u.code);
    const plan = planStats(tree, scopes, input, input.groupBy, input.department !== undefined);
    const groupBy =
      input.groupBy === 'township' || input.groupBy === 'county'
        ? 'unit'
        : input.groupBy === 'day' || input.groupBy === 'month'
          ? 'bucket'
          : (input.groupBy ?? null);
    const query = { ...plan, category: input.category, department: input.department, groupBy } as const;
    const [rows, stageRows] = await Promise.all([
      this.repository.stats(query),
      this.repository.stageStats(query),
    ]);
    return assembleStats(rows, stageRows, {
      scope: scope ?? null,
      from: input.from ?? null,
      to: input.to ?? null,
      groupBy: input.groupBy ?? null,
    });
  }

  /** The service's clock (tests drive it). */
  now(): number {
    return this.clock();
  }

  /** Today's date in China time, for defaults. */
  today(): string {
    return dateOfDay(dayOf(this.clock()));
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  private async commit(changes: CaseChange[]): Promise<CaseEventRecord[]> {
    const linked = await this.repository.commit(changes);
    if (this.bus && linked.length > 0) {
      const byId = new Map(changes.flatMap((c) => c.writes.map((w) => [w.after.id, w.after] as const)));
      await this.bus.publish(
        CASE_EVENTS,
        linked.map((e) => toBusEvent(e, byId.get(e.caseId))),
      );
    }
    return linked;
  }

  private event(
    record: CaseRecord,
    action: string,
    from: CaseStatus | null,
    at: number,
    actor: string,
    note: string | null,
    attachments: string[],
    data: Record<string, unknown>,
    publicNote: string | null = null,
  ): NewCaseEvent {
    return {
      caseId: record.id,
      action,
      from,
      to: record.status,
      at,
      actor,
      note,
      publicNote,
      attachments,
      data,
    };
  }

  private actorKind(record: CaseRecord, actor: CaseActor, visible: Visibility): ActorKind {
    if (actor.kind !== 'handler') return actor.kind;
    const owns =
      record.departmentType !== null &&
      record.departmentType === actor.department &&
      (visible.contains(record.departmentUnit) || visible.root === record.departmentUnit);
    return owns ? 'handler' : 'observer';
  }

  /**
   * The chain of a case with no point: the reporter's scope as far down as it goes (a county key:
   * that county, no township), or the city for an unscoped reporter. Codes repeat upwards-down
   * as chainAt does for a point in a county without townships, so scope filters and statistics
   * count the case at every level it is known at.
   */
  private chainOfScope(visible: Visibility): CaseChain {
    const tree = this.jurisdictions.units;
    const root = visible.root ?? tree.all('province')[0]?.code;
    if (root === undefined) {
      throw new AppError('OUTSIDE_JURISDICTION', 'No jurisdiction is loaded to place the case in.');
    }
    const chain = tree.chain(root);
    const city = chain.province?.code ?? root;
    const county = chain.county?.code ?? chain.prefecture?.code ?? city;
    const township = chain.township?.code ?? county;
    return { township, county, city };
  }

  private chainAt(lon: number, lat: number, visible: Visibility): CaseChain {
    const code = this.jurisdictions.locate(lon, lat);
    if (code === null) {
      throw new AppError(
        'OUTSIDE_JURISDICTION',
        `The point (${lon}, ${lat}) lies outside every jurisdiction.`,
        { lon, lat },
      );
    }
    const chain = this.jurisdictions.units.chain(code);
    const township = chain.township?.code ?? chain.county?.code ?? code;
    const county = chain.county?.code ?? chain.prefecture?.code ?? township;
    const city = chain.province?.code ?? county;
    if (!visible.contains(township)) {
      throw new AppError(
        'OUTSIDE_JURISDICTION',
        `The point (${lon}, ${lat}) lies outside your jurisdiction.`,
        { lon, lat },
      );
    }
    return { township, county, city };
  }

  private effectiveScope(asked: string | undefined, visible: Visibility): string | undefined {
    if (asked === undefined) return visible.root ?? undefined;
    const tree = this.jurisdictions.units;
    if (!tree.get(asked)) {
      throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${asked}".`);
    }
    if (visible.root === null || visible.contains(asked)) return asked;
    if (tree.isWithin(visible.root, asked)) return visible.root;
    throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${asked}".`);
  }

  private scopeFilter(asked: string | undefined, visible: Visibility): ScopeFilter {
    const scope = this.effectiveScope(asked, visible);
    if (scope === undefined) return undefined;
    const tree = this.jurisdictions.units;
    const unit = tree.require(scope);
    switch (unit.level) {
      case 'province':
        return { column: 'province', codes: [scope] };
      case 'county':
        return { column: 'county', codes: [scope] };
      case 'township':
        return { column: 'township', codes: [scope] };
      case 'prefecture':
        return { column: 'county', codes: tree.descendants(scope, 'county').map((u) => u.code) };
    }
  }

  private async require(id: string, visible: Visibility): Promise<CaseRecord> {
    const record = await this.repository.get(id);
    if (!record || !visible.contains(record.townshipCode)) {
      throw new AppError('CASE_NOT_FOUND', `No case has the id "${id}".`);
    }
    return record;
  }
}

/**
 * A write that lost to another writer: CASE_CONFLICT (the case changed, or a duplicate was opened
 * meanwhile), or the source record's occurrence stored meanwhile (unique (source, source_ref)).
 */
function lostRace(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'CASE_CONFLICT';
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  return unique && typeof message === 'string' && /source/.test(message);
}

/** Internal callers see everything. */
export { EVERYTHING };
