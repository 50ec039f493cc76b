import type { AuditHash, ChainCursor } from './case-audit.js';
import type { Category, DepartmentType, RoutingRule } from './case-catalog.js';
import type { ReportSource } from './case-intake.js';
import type { CaseStatus } from './case-lifecycle.js';
import type { Counters, Grain, StageSample, StatLevel } from './case-stats.js';
import type { CaseEventRecord, CaseRecord, NewCaseEvent, OccurrenceRecord } from './case.types.js';

/** The catalog documents: categories, department types and routing rules. */
export interface CatalogSnapshot {
  categories: Category[];
  departmentTypes: DepartmentType[];
  rules: RoutingRule[];
}

/**
 * One atomic change: case rows written (before null = insert; else the update must find
 * `before.version`, or the whole change fails with CASE_CONFLICT), events appended to the audit
 * chain, occurrences inserted or moved, stage times recorded. Statistics follow in the same
 * transaction.
 */
export interface CaseChange {
  writes: { before: CaseRecord | null; after: CaseRecord; stageTimes?: StageSample[] }[];
  events: NewCaseEvent[];
  occurrences?: OccurrenceRecord[];
  /** Occurrences re-homed by merge and split. */
  moves?: { ids: string[] | 'all'; from: string; to: string }[];
  /**
   * A change that opens a case for a report found no open duplicate when it read. A writer that
   * another process may have written beside (SQLite) checks again in its transaction, and refuses
   * the change with CASE_CONFLICT when a duplicate is there now; the service then reports again.
   */
  opens?: DedupCheck;
}

/** What de-duplication looked for when it decided to open a case (see CaseChange.opens). */
export interface DedupCheck {
  report: { category: string; lon: number; lat: number; reportedAt: number };
  box: { minLon: number; maxLon: number; minLat: number; maxLat: number };
  since: number;
  radiusM: number;
  windowMin: number;
}

/** Which jurisdiction column a scope filters on. */
export type ScopeFilter = { column: 'province' | 'county' | 'township'; codes: string[] } | undefined;

/** The orders of the case list: newest first, or open cases by the deadline that matters now. */
export type CaseListSort = 'newest' | 'deadline';

/** Filters for the case list, keyset-paged in `sort` order (newest first by default). */
export interface CaseListQuery {
  scope: ScopeFilter;
  statuses?: CaseStatus[] | undefined;
  category?: string | undefined;
  departmentType?: string | undefined;
  departmentUnit?: string | undefined;
  overdue?: boolean | undefined;
  /** true: only cases without a point (待定位); false: only cases with one. */
  needsLocation?: boolean | undefined;
  /** Case id, description or address containing this text. */
  q?: string | undefined;
  /** Only cases reported at or after / before these instants. */
  from?: number | undefined;
  to?: number | undefined;
  /** `deadline`: open cases only, soonest deadline (stage deadline, else due) first. */
  sort?: CaseListSort | undefined;
  /** Continue after this (sort key, id): reportedAt for newest, the deadline for deadline. */
  after?: { key: number; id: string } | undefined;
  limit: number;
}

/** What the statistics sum: rows of one level and units, over bucket ranges, grouped. */
export interface StatsQuery {
  level: StatLevel;
  units: string[];
  ranges: { grain: Grain; from: number; to: number }[];
  category?: string | undefined;
  /** `type` or `type@unit`. */
  department?: string | undefined;
  groupBy: 'unit' | 'category' | 'department' | 'bucket' | null;
}

/** Summed counters of one group. */
export interface StatsRow {
  group: string;
  counters: Counters;
}

/** Summed stage-time bins of one group. */
export interface StageStatsRow {
  group: string;
  stage: string;
  bin: number;
  n: number;
  totalMs: number;
}

/** Storage for cases, their catalog, the audit chain and the statistics aggregates. */
export interface CaseRepository {
  /** The catalog documents. */
  catalog(): Promise<CatalogSnapshot>;
  /** Inserts the defaults the first time only (a later start keeps the city's edits and deletions). */
  seedCatalog(defaults: CatalogSnapshot): Promise<boolean>;
  putCategory(category: Category): Promise<void>;
  putDepartmentType(type: DepartmentType): Promise<void>;
  putRoutingRule(rule: RoutingRule): Promise<void>;
  /** False when there was no such rule. */
  deleteRoutingRule(id: string): Promise<boolean>;

  /**
   * Runs `fn` holding the de-duplication locks named by `keys` (see dedupCells) against every
   * other writer of this database that takes them: every process on PostgreSQL (advisory locks);
   * this process on SQLite, where a change that opens a case is checked again as it is written
   * whenever another process wrote cases meanwhile (CaseChange.opens).
   */
  exclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
  /** Applies changes atomically, each in order; returns the appended events with seq and hashes. */
  commit(changes: readonly CaseChange[]): Promise<CaseEventRecord[]>;
  get(id: string): Promise<CaseRecord | null>;
  /** The case that holds the occurrence a source reported under its own id. */
  findBySource(source: ReportSource, sourceRef: string): Promise<string | null>;
  /** Open cases of a category inside a box, last reported at or after `since`. */
  findOpenNear(
    category: string,
    box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
    since: number,
  ): Promise<CaseRecord[]>;
  /** One page of cases, newest first. */
  list(query: CaseListQuery): Promise<CaseRecord[]>;
  occurrences(caseId: string): Promise<OccurrenceRecord[]>;
  events(caseId: string): Promise<CaseEventRecord[]>;
  /** Cases whose next escalation time has come, oldest first. */
  dueForEscalation(now: number, limit: number): Promise<CaseRecord[]>;
  /** Summed counters per group. */
  stats(query: StatsQuery): Promise<StatsRow[]>;
  /** Summed stage-time bins per group and stage. */
  stageStats(query: StatsQuery): Promise<StageStatsRow[]>;
  /** Events carrying a public reply with from ≤ at < to, oldest first, at most `limit`. */
  publicEvents(from: number, to: number, limit: number): Promise<CaseEventRecord[]>;
  /** Audit links after `seq`, in order, at most `limit`. */
  auditLinks(afterSeq: number, limit: number): Promise<CaseEventRecord[]>;
  /** The audit chain's head: last seq and hash, and the hash function new links use. */
  auditHead(): Promise<Required<ChainCursor>>;
  /** Makes new audit links use `algorithm`; the links already stored keep theirs. */
  setAuditHash(algorithm: AuditHash): Promise<void>;
}
