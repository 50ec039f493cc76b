import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { uuid7 } from '../platform/uuid7.js';
import { REPORT_SOURCES, type CaseEvent, type IncomingReport } from './case-intake.js';
import type { CaseChain } from './case-routing.js';
import { dateOfDay, dayOf } from './case-stats.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';
import type { CaseListSort } from './case.repository.js';

// Pure helpers of the case service: report checks, ids, boxes and lock keys, cursors, bus forms.

/** The bus form of an audit link. */
export function toBusEvent(e: CaseEventRecord, record: CaseRecord | undefined): CaseEvent {
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
    priority: record?.priority ?? null,
    department:
      record?.departmentType && record.departmentUnit
        ? `${record.departmentType}@${record.departmentUnit}`
        : null,
    note: e.note,
  };
}

export function chainOf(record: CaseRecord): CaseChain {
  return { township: record.townshipCode, county: record.countyCode, city: record.provinceCode };
}

export function validateReport(report: IncomingReport): void {
  const problems: string[] = [];
  if (!REPORT_SOURCES.includes(report.source)) problems.push('source');
  if (!report.sourceRef || report.sourceRef.length > 200) problems.push('sourceRef (1–200 characters)');
  if (report.lon === null && report.lat === null) {
    // No point: the address is all an operator has to locate it with (待定位).
    if (!report.address?.trim()) problems.push('address (required without lon and lat)');
  } else {
    if (report.lon === null || !Number.isFinite(report.lon) || Math.abs(report.lon) > 180) {
      problems.push('lon');
    }
    if (report.lat === null || !Number.isFinite(report.lat) || Math.abs(report.lat) > 90) {
      problems.push('lat');
    }
  }
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

export function occurrenceOf(caseId: string, report: IncomingReport): OccurrenceRecord {
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

/** The deadline a case is queued by (sort=deadline): its stage's, else its expected closure. */
export function deadlineOf(record: Pick<CaseRecord, 'stageDeadline' | 'dueAt'>): number {
  return record.stageDeadline ?? record.dueAt;
}

/** The keyset cursor after a case: [reportedAt, id] newest first, ['d', deadline, id] by deadline. */
export function encodeCursor(record: CaseRecord, sort: CaseListSort = 'newest'): string {
  const position =
    sort === 'deadline' ? ['d', deadlineOf(record), record.id] : [record.reportedAt, record.id];
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A cursor back to its (key, id); INVALID_CURSOR when it is malformed or of the other order. */
export function decodeCursor(cursor: string, sort: CaseListSort = 'newest'): { key: number; id: string } {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const [key, id] = sort === 'deadline' && position[0] === 'd' ? position.slice(1) : position;
    const kindMatches = (position[0] === 'd') === (sort === 'deadline');
    if (kindMatches && typeof key === 'number' && typeof id === 'string') return { key, id };
  } catch {
    // fall through
  }
  throw new AppError('INVALID_CURSOR');
}
