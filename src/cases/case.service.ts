import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { EventBus } from '../platform/bus/event-bus.js';
import { CaseCatalog } from './case-catalog.service.js';
import { caseDeps } from './case-deps.js';
import { lifecycleState } from './case-effects.js';
import { escalateOverdue } from './case-escalation.js';
import type { CaseIntake, IncomingReport, ReportOutcome, ReportSource } from './case-intake.js';
import { allowedActions, type CaseStatus } from './case-lifecycle.js';
import { decodeCursor, encodeCursor } from './case-records.js';
import { reportCase, type ReporterDeps } from './case-reporter.js';
import {
  actorKind,
  chainAt,
  effectiveScope,
  requireCase,
  scopeFilter,
  SYSTEM_ACTOR,
  type CaseActor,
} from './case-scope.js';
import { assembleStats, planStats, type CaseStats, type StatsGroup } from './case-stats-query.js';
import { dateOfDay, dayOf } from './case-stats.js';
import { transitionCase, type TransitionInput } from './case-transitions.js';
import type { CaseListSort, CaseRepository } from './case.repository.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord, RoutingReason } from './case.types.js';

// Callers import these from the service, as before the workflows had modules of their own.
export { SYSTEM_ACTOR, type CaseActor, type TransitionInput };

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

/** Options of the service. */
export interface CaseServiceOptions {
  /** Sources whose reports are registered and dispatched at once (machine-checked or entered by staff). */
  autoDispatch: readonly ReportSource[];
}

const DEFAULT_OPTIONS: CaseServiceOptions = { autoDispatch: ['alarm', 'camera', 'operator'] };

/**
 * Cases (案件): the one object routes, intake adapters and the live feed call. It reads cases
 * (one, a page, statistics) and hands each write to its workflow: intake and de-duplication
 * (case-reporter.ts), transitions with merge, split and locate (case-transitions.ts), overdue
 * escalation (case-escalation.ts), all sharing one `CaseDeps` (case-deps.ts).
 */
export class CaseService implements CaseIntake {
  private constructor(
    private readonly deps: ReporterDeps,
    /** Categories, department types and the routing table. */
    readonly catalog: CaseCatalog,
  ) {}

  /** Loads the catalog (seeding the defaults on first start) and makes the service. */
  static async create(deps: {
    repository: CaseRepository;
    jurisdictions: JurisdictionService;
    bus?: EventBus | undefined;
    clock?: (() => number) | undefined;
    options?: Partial<CaseServiceOptions> | undefined;
  }): Promise<CaseService> {
    const catalog = await CaseCatalog.load(deps.repository, deps.jurisdictions);
    const options = { ...DEFAULT_OPTIONS, ...deps.options };
    const shared = caseDeps({
      repository: deps.repository,
      catalog,
      jurisdictions: deps.jurisdictions,
      bus: deps.bus ?? null,
      clock: deps.clock ?? Date.now,
    });
    return new CaseService({ ...shared, autoDispatch: options.autoDispatch }, catalog);
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
    return this.catalog.route(
      cat,
      priority ?? cat.priority,
      chainAt(this.deps.jurisdictions, lon, lat, visible),
    );
  }

  /** Opens a case for a report or attaches it to an open one nearby (see CaseIntake). */
  report(report: IncomingReport, visible: Visibility): Promise<ReportOutcome> {
    return reportCase(this.deps, report, visible);
  }

  /** Applies one lifecycle action; 409 CASE_ACTION_NOT_ALLOWED when the table refuses it. */
  async transition(
    id: string,
    input: TransitionInput,
    actor: CaseActor,
    visible: Visibility,
  ): Promise<CaseDetail> {
    await transitionCase(this.deps, id, input, actor, visible);
    return this.getCase(id, visible, actor);
  }

  /** Escalates every case past its stage deadline (see case-escalation.ts); returns how many. */
  escalateOverdue(batch = 500): Promise<number> {
    return escalateOverdue(this.deps, batch);
  }

  /** One case with timeline, occurrences and the caller's allowed actions (none without an actor). */
  async getCase(id: string, visible: Visibility, actor?: CaseActor): Promise<CaseDetail> {
    const { repository } = this.deps;
    const record = await requireCase(repository, id, visible);
    const [timeline, occurrences] = await Promise.all([repository.events(id), repository.occurrences(id)]);
    const kind = actor ? actorKind(record, actor, visible) : null;
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
    return this.deps.repository.publicEvents(from, to, limit);
  }

  /** A page of cases, newest first, with the cursor of the next page (null on the last). */
  async list(
    input: CaseListInput,
    visible: Visibility,
  ): Promise<{ items: CaseRecord[]; nextCursor: string | null }> {
    const scope = scopeFilter(this.deps.jurisdictions, input.scope, visible);
    const statuses = input.status
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) as CaseStatus[] | undefined;
    const [departmentType, departmentUnit] = input.department?.split('@') ?? [];
    const items = await this.deps.repository.list({
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
    const tree = this.deps.jurisdictions.units;
    const scope = effectiveScope(this.deps.jurisdictions, input.scope, visible);
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
      this.deps.repository.stats(query),
      this.deps.repository.stageStats(query),
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
    return this.deps.clock();
  }

  /** Today's date in China time, for defaults. */
  today(): string {
    return dateOfDay(dayOf(this.deps.clock()));
  }
}

/** Internal callers see everything. */
export { EVERYTHING };
