import type { Category, DepartmentType } from './case-catalog.js';
import { supervisionLevel } from './case-deadlines.js';
import { STATUS_NAMES } from './case-lifecycle.js';
import type { CaseDto, CaseDetailDto } from './case.schema.js';
import type { CaseDetail } from './case.service.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** Names the presenter needs from the catalog. */
export interface CatalogNames {
  category(code: string): Category | undefined;
  departmentType(code: string): DepartmentType | undefined;
}

/** A case as the API shows it. */
export function toCaseDto(c: CaseRecord, names: CatalogNames): CaseDto {
  const type = c.departmentType ? names.departmentType(c.departmentType) : undefined;
  return {
    id: c.id,
    status: c.status,
    statusName: STATUS_NAMES[c.status],
    category: c.category,
    categoryName: names.category(c.category)?.zh ?? c.category,
    kind: c.kind,
    priority: c.priority,
    description: c.description,
    address: c.address,
    lon: c.lon,
    lat: c.lat,
    needsLocation: c.lon === null,
    jurisdiction: { city: c.provinceCode, county: c.countyCode, township: c.townshipCode },
    department:
      c.departmentType && c.departmentUnit
        ? {
            id: `${c.departmentType}@${c.departmentUnit}`,
            type: c.departmentType,
            unit: c.departmentUnit,
            name: type?.zh ?? c.departmentType,
          }
        : null,
    level: c.level,
    supervisionLevel: supervisionLevel(c),
    escalation: c.escalation,
    source: c.source,
    reporter: c.reporter,
    occurrences: c.occurrences,
    reportedAt: iso(c.reportedAt),
    lastReportedAt: iso(c.lastReportedAt),
    registeredAt: isoOrNull(c.registeredAt),
    closedAt: isoOrNull(c.closedAt),
    updatedAt: iso(c.updatedAt),
    stage: c.stage,
    stageDeadline: isoOrNull(c.stageDeadline),
    dueAt: iso(c.dueAt),
    overdue: c.overdue,
    reworkCount: c.reworkCount,
    extensionCount: c.extensionCount,
    extension: c.extension ? { ...c.extension, at: iso(c.extension.at) } : null,
    mergedInto: c.mergedInto,
  };
}

function toEventDto(e: CaseEventRecord): CaseDetailDto['timeline'][number] {
  return {
    seq: e.seq,
    action: e.action,
    from: e.from,
    to: e.to,
    at: iso(e.at),
    actor: e.actor,
    note: e.note,
    publicNote: e.publicNote,
    attachments: e.attachments,
    data: e.data,
  };
}

function toOccurrenceDto(o: OccurrenceRecord): CaseDetailDto['occurrences'][number] {
  return {
    id: o.id,
    source: o.source,
    sourceRef: o.sourceRef,
    lon: o.lon,
    lat: o.lat,
    description: o.description,
    reporter: o.reporter,
    reportedAt: iso(o.reportedAt),
    attachments: o.attachments,
    raw: o.raw,
  };
}

/** A case with timeline, occurrences and allowed actions. */
export function toCaseDetailDto(detail: CaseDetail, names: CatalogNames): CaseDetailDto {
  return {
    ...toCaseDto(detail.record, names),
    routing: detail.record.routing ? { ...detail.record.routing } : null,
    timeline: detail.timeline.map(toEventDto),
    occurrences: detail.occurrences.map(toOccurrenceDto),
    allowedActions: detail.allowedActions,
  };
}

const CSV_COLUMNS = [
  'id',
  'status',
  'statusName',
  'category',
  'categoryName',
  'priority',
  'county',
  'township',
  'department',
  'lon',
  'lat',
  'address',
  'description',
  'occurrences',
  'reportedAt',
  'closedAt',
  'dueAt',
  'overdue',
] as const;

function csvCell(value: unknown): string {
  let text = '';
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (value !== null && value !== undefined) text = JSON.stringify(value);
  // Quote always when needed; a leading = + - @ would be read as a formula by spreadsheets.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Cases as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese names). */
export function toCsv(cases: readonly CaseDto[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of cases) {
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      id: c.id,
      status: c.status,
      statusName: c.statusName,
      category: c.category,
      categoryName: c.categoryName,
      priority: c.priority,
      county: c.jurisdiction.county,
      township: c.jurisdiction.township,
      department: c.department?.id ?? '',
      lon: c.lon,
      lat: c.lat,
      address: c.address,
      description: c.description,
      occurrences: c.occurrences,
      reportedAt: c.reportedAt,
      closedAt: c.closedAt,
      dueAt: c.dueAt,
      overdue: c.overdue,
    };
    lines.push(CSV_COLUMNS.map((k) => csvCell(row[k])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Cases as a GeoJSON FeatureCollection of points. */
export function toGeoJson(cases: readonly CaseDto[]): unknown {
  return {
    type: 'FeatureCollection',
    features: cases.map(({ lon, lat, ...properties }) => ({
      type: 'Feature',
      id: properties.id,
      // A case without a point (待定位) is an unlocated feature, as RFC 7946 §3.2 allows.
      geometry: lon === null || lat === null ? null : { type: 'Point', coordinates: [lon, lat] },
      properties,
    })),
  };
}
