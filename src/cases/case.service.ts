import { randomBytes } from 'node:crypto';
import { EVERYTHING, type Visibility } from '../access/principal.js';
import { AppError } from '../errors.js';
import { uuid7 } from '../platform/uuid7.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { EventBus } from '../platform/bus/event-bus.js';
import {
  DEFAULT_CATEGORIES,
  DEFAULT_DEPARTMENT_TYPES,
  DEFAULT_ROUTING_RULES,
  HANDLING_LEVELS,
  type Category,
  type DepartmentType,
  type HandlingLevel,
  type RoutingRule,
} from './case-catalog.js';
import { findDuplicate } from './case-dedup.js';
import {
  applyAction,
  dueFrom,
  enterStage,
  lifecycleState,
  stageLimit,
  supervisionLevel,
  type ActionInput,
} from './case-effects.js';
import {
  CASE_EVENTS,
  CASE_OVERDUE,
  REPORT_SOURCES,
  type CaseEvent,
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
import { routeCase, type CaseChain } from './case-routing.js';
import { assembleStats, planStats, type CaseStats, type StatsGroup } from './case-stats-query.js';
import { dateOfDay, dayOf } from './case-stats.js';
import type { CaseChange, CaseRepository, ScopeFilter } from './case.repository.js';
import type {
  CaseEventRecord,
  CaseRecord,
  NewCaseEvent,
  OccurrenceRecord,
  RoutingReason,
} from './case.types.js';
import { KeyedMutex } from './keyed-mutex.js';

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
  q?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A transition request. */
export interface TransitionInput extends ActionInput {
  action: string;
  /** dispatch / reassign: `type` or `type@unit`. */
  department?: string | undefined;
  /** merge: the case to merge into. */
  into?: string | undefined;
}

/** Options of the service. */
export interface CaseServiceOptions {
  /** Sources whose reports are registered and dispatched at once (machine-checked or entered by staff). */
  autoDispatch: readonly ReportSource[];
}

const DEFAULT_OPTIONS: CaseServiceOptions = { autoDispatch: ['alarm', 'camera', 'operator'] };

/**
 * Cases (案件): intake from every source, de-duplication, routing (派遣), the lifecycle, deadlines
 * and escalation, statistics and the catalog. Holds the catalog in memory; writes go through the
 * repository, each change in one transaction with its audit links and statistics.
 */
export class CaseService implements CaseIntake {
  private categories = new Map<string, Category>();
  private departmentTypes = new Map<string, DepartmentType>();
  private rules: RoutingRule[] = [];
  private readonly locks = new KeyedMutex();

  private constructor(
    private readonly repository: CaseRepository,
    private readonly jurisdictions: JurisdictionService,
    private readonly bus: EventBus | null,
    private readonly clock: () => number,
    private readonly options: CaseServiceOptions,
  ) {}

  /** Seeds the default catalog on first start and loads it. */
  static async create(deps: {
    repository: CaseRepository;
    jurisdictions: JurisdictionService;
    bus?: EventBus | undefined;
    clock?: (() => number) | undefined;
    options?: Partial<CaseServiceOptions> | undefined;
  }): Promise<CaseService> {
    const service = new CaseService(
      deps.repository,
      deps.jurisdictions,
      deps.bus ?? null,
      deps.clock ?? Date.now,
      { ...DEFAULT_OPTIONS, ...deps.options },
    );
    await deps.repository.seedCatalog({
      categories: [...DEFAULT_CATEGORIES],
      departmentTypes: [...DEFAULT_DEPARTMENT_TYPES],
      rules: [...DEFAULT_ROUTING_RULES],
    });
    await service.reloadCatalog();
    return service;
  }

  /** Re-reads the catalog (categories, department types, routing rules). */
  async reloadCatalog(): Promise<void> {
    const snapshot = await this.repository.catalog();
    this.categories = new Map(snapshot.categories.map((c) => [c.code, c]));
    this.departmentTypes = new Map(snapshot.departmentTypes.map((t) => [t.code, t]));
    this.rules = snapshot.rules;
  }

  // ── catalog ──────────────────────────────────────────────────────────────────────────────────

  /** The category catalog. */
  listCategories(): Category[] {
    return [...this.categories.values()];
  }

  /** One category, or UNKNOWN_CASE_CATEGORY. */
  category(code: string): Category {
    const category = this.categories.get(code);
    if (!category) {
      throw new AppError(
        'UNKNOWN_CASE_CATEGORY',
        `"${code}" is not a case category; GET /api/v1/cases/categories lists them.`,
      );
    }
    return category;
  }

  /** Adds or replaces a category. */
  async putCategory(category: Category): Promise<Category> {
    if (!this.departmentTypes.has(category.departmentType)) {
      throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${category.departmentType}".`);
    }
    await this.repository.putCategory(category);
    this.categories.set(category.code, category);
    return category;
  }

  /** The department types. */
  listDepartmentTypes(): DepartmentType[] {
    return [...this.departmentTypes.values()];
  }

  /** Adds or replaces a department type. */
  async putDepartmentType(type: DepartmentType): Promise<DepartmentType> {
    await this.repository.putDepartmentType(type);
    this.departmentTypes.set(type.code, type);
    return type;
  }

  /**
   * The departments at a unit (部门名录): one per type that exists at the unit's level. They are
   * resolved, not stored: "water bureau of 北碚区" is the type `water` at unit 500109.
   */
  departmentsAt(
    unit: string,
    visible: Visibility,
  ): { id: string; type: DepartmentType; unit: string; level: HandlingLevel }[] {
    const tree = this.jurisdictions.units;
    const node = tree.get(unit);
    if (!node || !(visible.contains(unit) || (visible.root !== null && tree.isWithin(visible.root, unit)))) {
      throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${unit}".`);
    }
    const level: HandlingLevel | undefined =
      node.level === 'township'
        ? 'township'
        : node.level === 'county'
          ? 'county'
          : node.level === 'province'
            ? 'city'
            : undefined;
    if (!level) return [];
    return this.listDepartmentTypes()
      .filter((t) => t.levels.includes(level))
      .map((type) => ({ id: `${type.code}@${unit}`, type, unit, level }));
  }

  /** The routing table. */
  listRoutingRules(): RoutingRule[] {
    return [...this.rules];
  }

  /** Adds or replaces a routing rule. */
  async putRoutingRule(rule: RoutingRule): Promise<RoutingRule> {
    if (rule.category !== '*') this.category(rule.category);
    if (rule.departmentType !== null && !this.departmentTypes.has(rule.departmentType)) {
      throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${rule.departmentType}".`);
    }
    await this.repository.putRoutingRule(rule);
    this.rules = [...this.rules.filter((r) => r.id !== rule.id), rule];
    return rule;
  }

  /** Removes a routing rule; removing one that is not there is not an error (idempotent). */
  async deleteRoutingRule(id: string): Promise<void> {
    await this.repository.deleteRoutingRule(id);
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** What routing would decide for a category and priority at a point (for the routing screen). */
  previewRouting(
    category: string,
    priority: CaseRecord['priority'] | undefined,
    lon: number,
    lat: number,
    visible: Visibility,
  ): RoutingReason {
    const cat = this.category(category);
    return this.route(cat, priority ?? cat.priority, this.chainAt(lon, lat, visible));
  }

  // ── intake ───────────────────────────────────────────────────────────────────────────────────

  /** Opens a case for a report or attaches it to an open one nearby (see CaseIntake). */
  async report(report: IncomingReport, visible: Visibility): Promise<ReportOutcome> {
    const category = this.category(report.category);
    if (!category.enabled) {
      throw new AppError('UNKNOWN_CASE_CATEGORY', `The category "${category.code}" is disabled.`);
    }
    validateReport(report);
    const chain = this.chainAt(report.lon, report.lat, visible);
    const box = boxAround(report.lon, report.lat, category.dedupRadiusM);
    return this.locks.runAll(dedupCells(category.code, box), async () => {
      // Sources deliver at least once: the same source record lands on the case it made.
      const known = await this.repository.findBySource(report.source, report.sourceRef);
      if (known) {
        const existing = await this.repository.get(known);
        return { caseId: known, attached: true, status: existing?.status ?? 'reported' };
      }
      const near = await this.repository.findOpenNear(
        category.code,
        box,
        report.reportedAt - category.dedupWindowMin * 60_000,
      );
      const duplicate = findDuplicate(near, report, category);
      if (duplicate) return this.attach(duplicate, report);
      return this.open(report, category, chain);
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

  private async open(report: IncomingReport, category: Category, chain: CaseChain): Promise<ReportOutcome> {
    const now = this.clock();
    const priority = report.priority ?? category.priority;
    const routing = this.route(category, priority, chain);
    const id = newCaseId(report.reportedAt);
    let record: CaseRecord = enterStage(
      {
        id,
        status: 'reported',
        category: category.code,
        kind: category.kind,
        priority,
        description: report.description,
        address: report.address ?? null,
        lon: report.lon,
        lat: report.lat,
        provinceCode: chain.city,
        countyCode: chain.county,
        townshipCode: chain.township,
        departmentType: null,
        departmentUnit: null,
        level: routing.level,
        routing,
        escalation: 0,
        source: report.source,
        reporter: report.reporter ?? null,
        occurrences: 1,
        reportedAt: report.reportedAt,
        lastReportedAt: report.reportedAt,
        registeredAt: null,
        closedAt: null,
        updatedAt: now,
        stage: null,
        stageStartedAt: now,
        stageDeadline: null,
        dueAt: dueFrom(category, priority, 'register', report.reportedAt),
        nextEscalationAt: null,
        overdue: false,
        reworkCount: 0,
        extensionCount: 0,
        extension: null,
        suspendedFrom: null,
        mergedInto: null,
        version: 1,
      },
      'register',
      report.reportedAt,
      category,
    );
    const occurrence = occurrenceOf(id, report);
    const events: NewCaseEvent[] = [
      this.event(
        record,
        'report',
        null,
        now,
        report.reporter ?? report.source,
        report.description,
        report.attachments ?? [],
        {
          source: report.source,
          sourceRef: report.sourceRef,
          occurrence: occurrence.id,
          routing,
        },
      ),
    ];
    const writes: CaseChange['writes'] = [{ before: null, after: record }];
    if (this.options.autoDispatch.includes(report.source)) {
      // Automatic 立案 and 派遣: each a recorded transition by the system, with the routing reason.
      for (const action of ['register', 'dispatch'] as const) {
        const result = applyAction(record, action, {}, { now, actor: 'system', category, routing });
        // One insert of the final state: the versions in between never reach the database.
        writes[0] = {
          before: null,
          after: { ...result.after, version: 1 },
          stageTimes: [...(writes[0]!.stageTimes ?? []), ...result.stageTimes],
        };
        events.push(
          this.event(result.after, action, record.status, now, 'system', routing.text, [], result.data),
        );
        record = { ...result.after, version: 1 };
      }
    }
    await this.commit([{ writes, events, occurrences: [occurrence] }]);
    return { caseId: id, attached: false, status: record.status };
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
      q: input.q,
      from: input.from,
      to: input.to,
      after: input.cursor ? decodeCursor(input.cursor) : undefined,
      limit: input.limit + 1,
    });
    const more = items.length > input.limit;
    const page = more ? items.slice(0, input.limit) : items;
    const last = page.at(-1);
    return { items: page, nextCursor: more && last ? encodeCursor(last) : null };
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
    const category = this.category(record.category);
    const now = this.clock();
    let routing: RoutingReason | undefined;
    if (input.action === 'dispatch' || input.action === 'reassign') {
      routing = input.department
        ? this.manualRouting(record, category, input.department, actor.name)
        : (record.routing ?? this.route(category, record.priority, chainOf(record)));
    }
    const changes: CaseChange[] = [];
    if (input.action === 'merge') {
      changes.push(await this.mergeTarget(record, input.into, actor, visible, now));
    }
    const result = applyAction(record, input.action, input, {
      now,
      actor: actor.name,
      category,
      routing,
      mergedInto: input.into,
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
        const category = this.categories.get(record.category);
        const top = HANDLING_LEVELS.length - 1 - HANDLING_LEVELS.indexOf(record.level);
        const escalation = Math.min(record.escalation + 1, top);
        const stage = record.stage;
        const after: CaseRecord = {
          ...record,
          escalation,
          overdue: true,
          // Another level up after one more stage limit, until the city supervises it.
          nextEscalationAt:
            escalation < top && category && stage
              ? now + stageLimit(category, record.priority, stage) * 60_000
              : null,
          updatedAt: now,
          version: record.version + 1,
        };
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
  ): NewCaseEvent {
    return { caseId: record.id, action, from, to: record.status, at, actor, note, attachments, data };
  }

  private route(
    category: Category,
    priority: CaseRecord['priority'],
    chain: CaseChain,
    crossCounty = false,
  ): RoutingReason {
    return routeCase({
      category,
      priority,
      chain,
      rules: this.rules,
      departmentTypes: this.departmentTypes,
      crossCounty,
    });
  }

  /** An operator's explicit choice (`type` or `type@unit`), checked against the case's chain. */
  private manualRouting(
    record: CaseRecord,
    category: Category,
    department: string,
    by: string,
  ): RoutingReason {
    const [typeCode, unit] = department.split('@');
    const type = this.departmentTypes.get(typeCode ?? '');
    if (!type) throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${typeCode}".`);
    const chain = chainOf(record);
    let level: HandlingLevel;
    if (unit !== undefined) {
      const found = (['township', 'county', 'city'] as const).find(
        (l) => (l === 'township' ? chain.township : l === 'county' ? chain.county : chain.city) === unit,
      );
      if (!found || !type.levels.includes(found)) {
        throw new AppError(
          'UNKNOWN_DEPARTMENT',
          `"${department}" is not a department over this case's location.`,
        );
      }
      level = found;
    } else {
      const auto = routeCase({
        category,
        priority: record.priority,
        chain,
        rules: [
          {
            id: 'manual',
            category: '*',
            priority: '*',
            level: record.level,
            departmentType: type.code,
            note: '',
          },
        ],
        departmentTypes: this.departmentTypes,
      });
      level = auto.level;
    }
    const target = level === 'township' ? chain.township : level === 'county' ? chain.county : chain.city;
    return {
      rule: null,
      category: category.code,
      priority: record.priority,
      level,
      departmentType: type.code,
      unit: target,
      text: `人工指定 chosen by ${by}: ${type.zh} ${target}`,
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

/** The bus form of an audit link. */
function toBusEvent(e: CaseEventRecord, record: CaseRecord | undefined): CaseEvent {
  return {
    caseId: e.caseId,
    action: e.action,
    from: e.from,
    to: e.to,
    at: e.at,
    actor: e.actor,
    township: record?.townshipCode ?? '',
    county: record?.countyCode ?? '',
    category: record?.category ?? '',
    department:
      record?.departmentType && record.departmentUnit
        ? `${record.departmentType}@${record.departmentUnit}`
        : null,
    note: e.note,
  };
}

function chainOf(record: CaseRecord): CaseChain {
  return { township: record.townshipCode, county: record.countyCode, city: record.provinceCode };
}

function validateReport(report: IncomingReport): void {
  const problems: string[] = [];
  if (!REPORT_SOURCES.includes(report.source)) problems.push('source');
  if (!report.sourceRef || report.sourceRef.length > 200) problems.push('sourceRef (1–200 characters)');
  if (!Number.isFinite(report.lon) || Math.abs(report.lon) > 180) problems.push('lon');
  if (!Number.isFinite(report.lat) || Math.abs(report.lat) > 90) problems.push('lat');
  if (!Number.isFinite(report.reportedAt)) problems.push('reportedAt');
  if (typeof report.description !== 'string' || report.description.length > 4000) {
    problems.push('description (at most 4000 characters)');
  }
  if (report.attachments && report.attachments.length > 20) problems.push('attachments (at most 20)');
  if (problems.length) {
    throw new AppError('INVALID_CASE', `The report has invalid fields: ${problems.join(', ')}.`, {
      fields: problems,
    });
  }
}

function occurrenceOf(caseId: string, report: IncomingReport): OccurrenceRecord {
  return {
    id: uuid7(),
    caseId,
    source: report.source,
    sourceRef: report.sourceRef,
    lon: report.lon,
    lat: report.lat,
    description: report.description,
    reporter: report.reporter ?? null,
    reportedAt: report.reportedAt,
    attachments: report.attachments ?? [],
    raw: report.raw ?? null,
  };
}

const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A case number: C + report date (China time) + 8 random characters, e.g. C20240501X7K2M9QA. */
export function newCaseId(reportedAt: number): string {
  const date = dateOfDay(dayOf(reportedAt)).replaceAll('-', '');
  const bytes = randomBytes(8);
  let suffix = '';
  for (const byte of bytes) suffix += ID_ALPHABET[byte % 32];
  return `C${date}${suffix}`;
}

/** A box of about `radiusM` metres around a point (de-duplication candidates). */
export function boxAround(
  lon: number,
  lat: number,
  radiusM: number,
): { minLon: number; maxLon: number; minLat: number; maxLat: number } {
  const dLat = radiusM / 111_320;
  const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  return { minLon: lon - dLon, maxLon: lon + dLon, minLat: lat - dLat, maxLat: lat + dLat };
}

/** Grid cell size of the de-duplication locks, in degrees (about 2 km). */
const DEDUP_CELL_DEG = 0.02;

/**
 * The lock keys of a report: its category and every grid cell its de-duplication box touches.
 * Two reports within the radius of each other share a cell (each box holds the other's point),
 * so they queue; reports farther apart, or of other categories, proceed in parallel.
 */
export function dedupCells(
  category: string,
  box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
): string[] {
  const keys: string[] = [];
  for (let x = Math.floor(box.minLon / DEDUP_CELL_DEG); x <= Math.floor(box.maxLon / DEDUP_CELL_DEG); x++) {
    for (let y = Math.floor(box.minLat / DEDUP_CELL_DEG); y <= Math.floor(box.maxLat / DEDUP_CELL_DEG); y++) {
      keys.push(`${category}:${x}:${y}`);
    }
  }
  return keys;
}

function encodeCursor(record: CaseRecord): string {
  return Buffer.from(JSON.stringify([record.reportedAt, record.id])).toString('base64url');
}

function decodeCursor(cursor: string): { reportedAt: number; id: string } {
  try {
    const [reportedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof reportedAt === 'number' && typeof id === 'string') return { reportedAt, id };
  } catch {
    // fall through
  }
  throw new AppError('INVALID_CURSOR');
}

/** Internal callers see everything. */
export { EVERYTHING };
