import { COUNTERS } from './case-stats.js';
import type { Counters, StatKey } from './case-stats.js';
import type { CaseListQuery, StatsQuery, StatsRow } from './case.repository.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';

/**
 * SQL shared by both engines: the column lists, row mapping and query building. Only placeholders
 * differ (`?` on SQLite, `$n` on PostgreSQL), so builders take a `param` function that records a
 * value and returns its placeholder. No caller text ever reaches SQL except through `param`.
 */

/** Records a parameter and returns its placeholder. */
export type Param = (value: unknown) => string;

/** Case columns in insert order, with how each field is stored. */
export const CASE_COLUMNS = [
  'id',
  'status',
  'is_open',
  'category',
  'kind',
  'priority',
  'description',
  'address',
  'lon',
  'lat',
  'province_code',
  'county_code',
  'township_code',
  'department_type',
  'department_unit',
  'level',
  'routing',
  'escalation',
  'source',
  'reporter',
  'occurrences',
  'reported_at',
  'last_reported_at',
  'registered_at',
  'closed_at',
  'updated_at',
  'stage',
  'stage_started_at',
  'stage_deadline',
  'due_at',
  'next_escalation_at',
  'overdue',
  'rework_count',
  'extension_count',
  'extension',
  'suspended_from',
  'merged_into',
  'version',
] as const;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** A case as the values of CASE_COLUMNS. */
export function caseValues(c: CaseRecord, isOpen: boolean): unknown[] {
  return [
    c.id,
    c.status,
    isOpen ? 1 : 0,
    c.category,
    c.kind,
    c.priority,
    c.description,
    c.address,
    c.lon,
    c.lat,
    c.provinceCode,
    c.countyCode,
    c.townshipCode,
    c.departmentType,
    c.departmentUnit,
    c.level,
    json(c.routing),
    c.escalation,
    c.source,
    c.reporter,
    c.occurrences,
    c.reportedAt,
    c.lastReportedAt,
    c.registeredAt,
    c.closedAt,
    c.updatedAt,
    c.stage,
    c.stageStartedAt,
    c.stageDeadline,
    c.dueAt,
    c.nextEscalationAt,
    c.overdue ? 1 : 0,
    c.reworkCount,
    c.extensionCount,
    json(c.extension),
    c.suspendedFrom,
    c.mergedInto,
    c.version,
  ];
}

/** A stored row, as either driver returns it. */
export type Row = Record<string, unknown>;

const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : (v as string));
const parsed = <T>(v: unknown): T | null =>
  v === null || v === undefined ? null : (JSON.parse(v as string) as T);

/** A stored case row as a record. */
export function toCase(r: Row): CaseRecord {
  return {
    id: str(r.id),
    status: str(r.status) as CaseRecord['status'],
    category: str(r.category),
    kind: str(r.kind) as CaseRecord['kind'],
    priority: str(r.priority) as CaseRecord['priority'],
    description: str(r.description),
    address: strOrNull(r.address),
    lon: numOrNull(r.lon),
    lat: numOrNull(r.lat),
    provinceCode: str(r.province_code),
    countyCode: str(r.county_code),
    townshipCode: str(r.township_code),
    departmentType: strOrNull(r.department_type),
    departmentUnit: strOrNull(r.department_unit),
    level: str(r.level) as CaseRecord['level'],
    routing: parsed(r.routing),
    escalation: num(r.escalation),
    source: str(r.source) as CaseRecord['source'],
    reporter: strOrNull(r.reporter),
    occurrences: num(r.occurrences),
    reportedAt: num(r.reported_at),
    lastReportedAt: num(r.last_reported_at),
    registeredAt: numOrNull(r.registered_at),
    closedAt: numOrNull(r.closed_at),
    updatedAt: num(r.updated_at),
    stage: strOrNull(r.stage) as CaseRecord['stage'],
    stageStartedAt: num(r.stage_started_at),
    stageDeadline: numOrNull(r.stage_deadline),
    dueAt: num(r.due_at),
    nextEscalationAt: numOrNull(r.next_escalation_at),
    overdue: num(r.overdue) === 1,
    reworkCount: num(r.rework_count),
    extensionCount: num(r.extension_count),
    extension: parsed(r.extension),
    suspendedFrom: strOrNull(r.suspended_from) as CaseRecord['suspendedFrom'],
    mergedInto: strOrNull(r.merged_into),
    version: num(r.version),
  };
}

/** Occurrence columns in insert order. */
export const OCCURRENCE_COLUMNS = [
  'id',
  'case_id',
  'source',
  'source_ref',
  'lon',
  'lat',
  'description',
  'reporter',
  'reported_at',
  'attachments',
  'raw',
] as const;

/** An occurrence as the values of OCCURRENCE_COLUMNS. */
export function occurrenceValues(o: OccurrenceRecord): unknown[] {
  return [
    o.id,
    o.caseId,
    o.source,
    o.sourceRef,
    o.lon,
    o.lat,
    o.description,
    o.reporter,
    o.reportedAt,
    JSON.stringify(o.attachments),
    JSON.stringify(o.raw ?? null),
  ];
}

/** A stored occurrence row as a record. */
export function toOccurrence(r: Row): OccurrenceRecord {
  return {
    id: str(r.id),
    caseId: str(r.case_id),
    source: str(r.source) as OccurrenceRecord['source'],
    sourceRef: str(r.source_ref),
    lon: numOrNull(r.lon),
    lat: numOrNull(r.lat),
    description: str(r.description),
    reporter: strOrNull(r.reporter),
    reportedAt: num(r.reported_at),
    attachments: JSON.parse(r.attachments as string) as string[],
    raw: JSON.parse(r.raw as string) as unknown,
  };
}

/** Event columns in insert order. */
export const EVENT_COLUMNS = [
  'seq',
  'case_id',
  'action',
  'from_status',
  'to_status',
  'at',
  'actor',
  'note',
  'attachments',
  'data',
  'prev_hash',
  'hash',
  'public_note',
] as const;

/** An event as the values of EVENT_COLUMNS. */
export function eventValues(e: CaseEventRecord): unknown[] {
  return [
    e.seq,
    e.caseId,
    e.action,
    e.from,
    e.to,
    e.at,
    e.actor,
    e.note,
    JSON.stringify(e.attachments),
    JSON.stringify(e.data),
    e.prevHash,
    e.hash,
    e.publicNote,
  ];
}

/** A stored event row as a record. */
export function toEvent(r: Row): CaseEventRecord {
  return {
    seq: num(r.seq),
    caseId: str(r.case_id),
    action: str(r.action),
    from: strOrNull(r.from_status) as CaseEventRecord['from'],
    to: str(r.to_status) as CaseEventRecord['to'],
    at: num(r.at),
    actor: str(r.actor),
    note: strOrNull(r.note),
    publicNote: strOrNull(r.public_note),
    attachments: JSON.parse(r.attachments as string) as string[],
    data: JSON.parse(r.data as string) as Record<string, unknown>,
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

/** The INSERT of a case. */
export function insertCaseSql(param: Param, c: CaseRecord, isOpen: boolean): string {
  const values = caseValues(c, isOpen).map(param);
  return `INSERT INTO cases (${CASE_COLUMNS.join(', ')}) VALUES (${values.join(', ')})`;
}

/**
 * The UPDATE of a case from `before` (no row updated = someone else changed it meanwhile). Only
 * the columns that changed are set: SQLite and PostgreSQL then leave alone every index that
 * holds none of them (an occurrence attached touches no index at all).
 */
export function updateCaseSql(
  param: Param,
  before: { record: CaseRecord; isOpen: boolean },
  after: { record: CaseRecord; isOpen: boolean },
): string {
  const old = caseValues(before.record, before.isOpen);
  const values = caseValues(after.record, after.isOpen);
  const sets: string[] = [];
  for (let i = 1; i < CASE_COLUMNS.length; i++) {
    if (values[i] !== old[i]) {
      sets.push(`${CASE_COLUMNS[i]} = ${param(values[i])}`);
    }
  }
  return `UPDATE cases SET ${sets.join(', ')} WHERE id = ${param(after.record.id)} AND version = ${param(before.record.version)}`;
}

/** The upsert adding a delta to one statistics row. */
export function statUpsertSql(param: Param, key: StatKey, delta: Record<string, number>): string {
  const keys = [key.level, key.unit, key.grain, key.bucket, key.category, key.department].map(param);
  const values = COUNTERS.map((c) => param(delta[c]));
  const sets = COUNTERS.map((c) => `${c} = case_stats.${c} + excluded.${c}`).join(', ');
  return `INSERT INTO case_stats (level, unit, grain, bucket, category, department, ${COUNTERS.join(', ')})
    VALUES (${[...keys, ...values].join(', ')})
    ON CONFLICT (level, unit, grain, bucket, category, department) DO UPDATE SET ${sets}`;
}

/** The upsert adding `n` stage times (summing to `ms`) to one histogram row. */
export function stageUpsertSql(
  param: Param,
  key: StatKey,
  stage: string,
  bin: number,
  n: number,
  ms: number,
): string {
  const values = [
    key.level,
    key.unit,
    key.grain,
    key.bucket,
    key.category,
    key.department,
    stage,
    bin,
    n,
    ms,
  ];
  return `INSERT INTO case_stage_stats (level, unit, grain, bucket, category, department, stage, bin, n, total_ms)
    VALUES (${values.map(param).join(', ')})
    ON CONFLICT (level, unit, grain, bucket, category, department, stage, bin)
    DO UPDATE SET n = case_stage_stats.n + excluded.n, total_ms = case_stage_stats.total_ms + excluded.total_ms`;
}

const SCOPE_COLUMN = { province: 'province_code', county: 'county_code', township: 'township_code' } as const;

/** De-duplication candidates (SQLite placeholders): category, lat range, lon range, since. */
export const OPEN_NEAR_SQL = `SELECT * FROM cases WHERE category = ? AND is_open = 1
  AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND last_reported_at >= ? LIMIT 50`;

/** The deadline that matters now, as the deadline queue orders and indexes it. */
const DEADLINE = 'COALESCE(stage_deadline, due_at)';

/** The case list query in its sort order. `like` is the case-insensitive LIKE of the engine. */
export function listSql(param: Param, q: CaseListQuery, like: string): string {
  const where: string[] = [];
  if (q.scope) {
    const column = SCOPE_COLUMN[q.scope.column];
    where.push(
      q.scope.codes.length === 1
        ? `${column} = ${param(q.scope.codes[0])}`
        : `${column} IN (${q.scope.codes.map(param).join(', ')})`,
    );
  }
  if (q.statuses?.length) {
    where.push(
      q.statuses.length === 1
        ? `status = ${param(q.statuses[0])}`
        : `status IN (${q.statuses.map(param).join(', ')})`,
    );
  }
  if (q.category) where.push(`category = ${param(q.category)}`);
  if (q.departmentType) where.push(`department_type = ${param(q.departmentType)}`);
  if (q.departmentUnit) where.push(`department_unit = ${param(q.departmentUnit)}`);
  if (q.overdue !== undefined) where.push(`overdue = ${param(q.overdue ? 1 : 0)}`);
  // 待定位: no point yet (migration 0017 indexes these few rows).
  if (q.needsLocation !== undefined) where.push(q.needsLocation ? 'lon IS NULL' : 'lon IS NOT NULL');
  if (q.from !== undefined) where.push(`reported_at >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`reported_at < ${param(q.to)}`);
  if (q.q) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const match = (column: string) => `${column} ${like} ${param(pattern)} ESCAPE '\\'`;
    where.push(`(${match('id')} OR ${match('description')} OR ${match('address')})`);
  }
  if (q.sort === 'deadline') {
    // Written exactly as in the cases_open_* indexes (migration 0009), so both engines use them.
    where.push('is_open = 1');
    if (q.after) {
      // Spelled out rather than as a row value: SQLite seeks the index range on the first term.
      const key = q.after.key;
      where.push(
        `${DEADLINE} >= ${param(key)} AND (${DEADLINE} > ${param(key)} OR id > ${param(q.after.id)})`,
      );
    }
    return `SELECT * FROM cases WHERE ${where.join(' AND ')}
      ORDER BY ${DEADLINE}, id LIMIT ${param(q.limit)}`;
  }
  if (q.after) where.push(`(reported_at, id) < (${param(q.after.key)}, ${param(q.after.id)})`);
  return `SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY reported_at DESC, id DESC LIMIT ${param(q.limit)}`;
}

/** The group expression of a statistics question. */
function statsGroup(q: StatsQuery): string {
  return q.groupBy === 'unit'
    ? 'unit'
    : q.groupBy === 'category'
      ? 'category'
      : q.groupBy === 'department'
        ? 'department'
        : q.groupBy === 'bucket'
          ? 'CAST(bucket AS TEXT)'
          : `''`;
}

/**
 * The rows of a statistics question, one SELECT per bucket range joined by UNION ALL: each is an
 * index range over the primary key (level, unit, grain, bucket …). One WHERE with the ranges
 * OR-ed together made SQLite read every row of the units instead (all their day rows of all
 * years for a month-to-date question).
 */
function statsRows(param: Param, q: StatsQuery, table: string, columns: string): string {
  if (q.ranges.length === 0) return `SELECT ${columns} FROM ${table} WHERE 1 = 0`;
  return q.ranges
    .map((r) => {
      const where = [
        `level = ${param(q.level)}`,
        `unit IN (${q.units.map(param).join(', ')})`,
        `grain = ${param(r.grain)}`,
        `bucket BETWEEN ${param(r.from)} AND ${param(r.to)}`,
      ];
      if (q.category) where.push(`category = ${param(q.category)}`);
      if (q.department) {
        where.push(
          q.department.includes('@')
            ? `department = ${param(q.department)}`
            : `department LIKE ${param(`${q.department}@%`)}`,
        );
      }
      return `SELECT ${columns} FROM ${table} WHERE ${where.join(' AND ')}`;
    })
    .join(' UNION ALL ');
}

/** Summed counters per group. */
export function statsSql(param: Param, q: StatsQuery): string {
  const group = statsGroup(q);
  const rows = statsRows(
    param,
    q,
    'case_stats',
    `unit, category, department, bucket, ${COUNTERS.join(', ')}`,
  );
  const sums = COUNTERS.map((c) => `SUM(${c}) AS ${c}`).join(', ');
  const groupBy = q.groupBy ? ` GROUP BY ${group}` : '';
  return `SELECT ${group} AS grp, ${sums} FROM (${rows}) AS r${groupBy}`;
}

/** Summed stage bins per group. */
export function stageStatsSql(param: Param, q: StatsQuery): string {
  const group = statsGroup(q);
  const rows = statsRows(
    param,
    q,
    'case_stage_stats',
    'unit, category, department, bucket, stage, bin, n, total_ms',
  );
  return `SELECT ${group} AS grp, stage, bin, SUM(n) AS n, SUM(total_ms) AS total_ms FROM (${rows}) AS r
    GROUP BY ${q.groupBy ? `${group}, ` : ''}stage, bin`;
}

/** A summed statistics row as counters. */
export function toStatsRow(r: Row): StatsRow {
  const counters = Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c] ?? 0)])) as Counters;
  return { group: String(r.grp), counters };
}
