import type { Visibility } from '../jurisdictions/visibility.js';
import { PRIORITIES, type Priority } from '../cases/case-intake.js';
import { AppError, type ErrorCode } from '../errors.js';
import { readCsvTable } from '../platform/import-file.js';
import { numericCell } from '../platform/import-text.js';
import type { CasePort } from './case-port.js';
import type { IntakeRepository } from './intake.repository.js';

/** One refused hotline row: where it is, a stable code, why. */
export interface HotlineRejection {
  row: number;
  line: number;
  recordNo?: string;
  code: ErrorCode;
  message: string;
}

/** Outcome of a hotline import. */
export interface HotlineReport {
  /** Rows that became new cases. */
  opened: number;
  /** Rows de-duplicated onto an open case. */
  attached: number;
  rejected: HotlineRejection[];
}

/**
 * Columns of a 12345 export, by our name and the Chinese header a 12345 system writes. Required:
 * record_no, category, lon, lat, description, reported_at; optional: address, reporter, priority.
 */
export const HOTLINE_COLUMNS: Record<string, string> = {
  record_no: '工单编号',
  category: '事件类别',
  lon: '经度',
  lat: '纬度',
  address: '地址',
  description: '诉求内容',
  reported_at: '来电时间',
  reporter: '来电人',
  priority: '紧急程度',
};
const REQUIRED = ['record_no', 'category', 'lon', 'lat', 'description', 'reported_at'];
const ALIASES = new Map(
  Object.entries(HOTLINE_COLUMNS).flatMap(([k, zh]) => [[k, k] as const, [zh, k] as const]),
);
const ROW_CODES = new Set<ErrorCode>(['UNKNOWN_CASE_CATEGORY', 'OUTSIDE_JURISDICTION', 'INVALID_CASE']);
// 12345 exports carry local time without a zone: Chongqing is UTC+8 all year.
const LOCAL = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** What the hotline import needs. */
export interface HotlineImportDeps {
  repository: Pick<IntakeRepository, 'hotline' | 'insertHotline'>;
  cases: Pick<CasePort, 'report'>;
  clock?: () => number;
}

/**
 * Batch import of 12345 hotline records (12345 热线工单) from CSV. Each row is checked and reported
 * on its own (source `hotline`, record number as sourceRef), so a bad row is refused with its row
 * and line number and never costs the valid ones. Record numbers already imported are refused as
 * DUPLICATE_HOTLINE_RECORD: importing the same export twice opens nothing new.
 */
export class HotlineImport {
  private readonly clock: () => number;

  constructor(private readonly deps: HotlineImportDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Imports a CSV export; `onRow` is told after each data row (for a progress bar). */
  async import(
    text: string,
    visible: Visibility,
    onRow?: (done: number, total: number) => void,
  ): Promise<HotlineReport> {
    const { columns: names, data } = readCsvTable(text);
    const columns = names.map((name) => ALIASES.get(name) ?? name);
    const unknown = names.find((name) => !ALIASES.has(name));
    if (unknown !== undefined) {
      throw new AppError('INVALID_IMPORT_FILE', `CSV header: unknown column "${unknown.slice(0, 40)}"`);
    }
    const missing = REQUIRED.filter((c) => !columns.includes(c));
    if (missing.length > 0) {
      throw new AppError('INVALID_IMPORT_FILE', `CSV header: missing column(s) ${missing.join(', ')}`);
    }
    const report: HotlineReport = { opened: 0, attached: 0, rejected: [] };
    const seen = new Map<string, number>();
    for (const [index, record] of data.entries()) {
      const row = index + 1;
      const fields = Object.fromEntries(columns.map((c, i) => [c, (record.fields[i] ?? '').trim()]));
      const recordNo = fields.record_no || undefined;
      const reject = (code: ErrorCode, message: string) =>
        report.rejected.push({ row, line: record.line, ...(recordNo ? { recordNo } : {}), code, message });
      try {
        if (record.fields.length !== columns.length) {
          throw new AppError(
            'INVALID_HOTLINE_RECORD',
            `has ${record.fields.length} fields; the header has ${columns.length}`,
          );
        }
        const checked = check(fields);
        const earlier = seen.get(checked.recordNo);
        if (earlier !== undefined) {
          throw new AppError(
            'DUPLICATE_HOTLINE_RECORD',
            `record ${checked.recordNo} is already in row ${earlier}`,
          );
        }
        seen.set(checked.recordNo, row);
        if ((await this.deps.repository.hotline(checked.recordNo)) !== null) {
          throw new AppError('DUPLICATE_HOTLINE_RECORD', `record ${checked.recordNo} was imported before`);
        }
        const outcome = await this.deps.cases.report(
          {
            source: 'hotline',
            sourceRef: checked.recordNo,
            category: checked.category,
            lon: checked.lon,
            lat: checked.lat,
            address: checked.address,
            description: checked.description,
            reportedAt: checked.reportedAt,
            reporter: checked.reporter,
            priority: checked.priority,
            raw: fields,
          },
          visible,
        );
        await this.deps.repository.insertHotline({
          recordNo: checked.recordNo,
          caseId: outcome.caseId,
          importedAt: this.clock(),
          raw: fields,
        });
        if (outcome.attached) report.attached += 1;
        else report.opened += 1;
      } catch (error) {
        if (!(error instanceof AppError) || !(isRowCode(error.code) || error.status === 422)) throw error;
        reject(error.code, error.message);
      }
      onRow?.(row, data.length);
    }
    return report;
  }
}

function isRowCode(code: ErrorCode): boolean {
  return ROW_CODES.has(code) || code === 'INVALID_HOTLINE_RECORD' || code === 'DUPLICATE_HOTLINE_RECORD';
}

function check(fields: Record<string, string>) {
  const invalid = (message: string) => new AppError('INVALID_HOTLINE_RECORD', message);
  const recordNo = fields.record_no ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(recordNo)) {
    throw invalid('record_no is 1–64 letters, digits or . _ : -');
  }
  const category = fields.category ?? '';
  if (category === '') throw invalid('category is required (a code of the case catalog)');
  const lon = number(fields.lon, 'lon', -180, 180);
  const lat = number(fields.lat, 'lat', -90, 90);
  const description = fields.description ?? '';
  if (description === '' || description.length > 4000) {
    throw invalid('description is required (at most 4000 characters)');
  }
  const reportedAt = time(numericCell(fields.reported_at ?? ''));
  if (reportedAt === null) {
    throw invalid('reported_at is "YYYY-MM-DD HH:mm[:ss]" (Beijing time) or ISO-8601 with a zone');
  }
  const priority = fields.priority || undefined;
  if (priority !== undefined && !(PRIORITIES as readonly string[]).includes(priority)) {
    throw invalid(`priority is one of ${PRIORITIES.join(', ')}`);
  }
  return {
    recordNo,
    category,
    lon,
    lat,
    description,
    reportedAt,
    address: fields.address || undefined,
    reporter: fields.reporter || undefined,
    priority: priority as Priority | undefined,
  };
}

function number(cell: string | undefined, name: string, min: number, max: number): number {
  const text = numericCell(cell ?? '');
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new AppError('INVALID_HOTLINE_RECORD', `${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

function time(text: string): number | null {
  const local = LOCAL.exec(text);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h) - 8, Number(mi), Number(s ?? 0));
    return Number.isNaN(ms) ? null : ms;
  }
  if (!ZONED.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
