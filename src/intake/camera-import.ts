import { Compile } from 'typebox/compile';
import { AppError } from '../errors.js';
import { CsvSyntaxError, parseCsv } from '../telemetry/sensor-csv.js';
import type { ImportFormat } from '../telemetry/sensor-import.js';
import { CameraCreateSchema, type CameraCreate, type CameraImportCode } from './camera.schema.js';

/** One row of a camera import file, checked against the create schema but not the registry. */
export interface CameraImportRow {
  row: number;
  line?: number;
  id?: string;
  result: { ok: true; camera: CameraCreate } | { ok: false; code: CameraImportCode; message: string };
}

/** CSV columns: `id,lon,lat` required; `name`, `department`, `metadata` (JSON) and `meta.<key>` optional. */
export const CAMERA_CSV_COLUMNS = ['id', 'name', 'lon', 'lat', 'department', 'metadata'] as const;
const REQUIRED = ['id', 'lon', 'lat'] as const;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const validator = Compile(CameraCreateSchema);

/**
 * Reads a camera import file (CSV with a header, or a JSON array) into rows, each checked alone.
 * A file that cannot be read at all is an INVALID_IMPORT_FILE. Same rules as the sensor import.
 */
export function readCameraFile(text: string, format: ImportFormat): CameraImportRow[] {
  const raw = format === 'csv' ? csvRows(text) : jsonRows(text);
  return raw.map(({ row, line, value, error }) => {
    const id = (value as { id?: unknown } | null)?.id;
    const base = {
      row,
      ...(line !== undefined ? { line } : {}),
      ...(typeof id === 'string' && id !== '' ? { id } : {}),
    };
    if (error) return { ...base, result: { ok: false, code: 'INVALID_CAMERA', message: error } };
    if (!validator.Check(value)) {
      const first = [...validator.Errors(value)].find((e) => e.keyword !== 'boolean');
      const where = first?.instancePath.slice(1) || 'row';
      return {
        ...base,
        result: { ok: false, code: 'INVALID_CAMERA', message: `${where}: ${first?.message ?? 'invalid'}` },
      };
    }
    return { ...base, result: { ok: true, camera: value } };
  });
}

interface RawRow {
  row: number;
  line?: number;
  value: unknown;
  error?: string;
}

function jsonRows(text: string): RawRow[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new AppError('INVALID_IMPORT_FILE', `The file is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) {
    throw new AppError('INVALID_IMPORT_FILE', 'A JSON import is an array of camera objects.');
  }
  return json.map((value: unknown, index) => ({ row: index + 1, value }));
}

function csvRows(text: string): RawRow[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new AppError('INVALID_IMPORT_FILE', `CSV ${error.message}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new AppError('INVALID_IMPORT_FILE', 'The CSV file is empty; it needs a header row.');
  const columns = header.fields.map((f) => f.trim());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new AppError('INVALID_IMPORT_FILE', `CSV header: missing column(s) ${missing.join(', ')}`);
  }
  const unknown = columns.find(
    (c) => !(CAMERA_CSV_COLUMNS as readonly string[]).includes(c) && !/^meta\.\S+$/.test(c),
  );
  if (unknown !== undefined || new Set(columns).size !== columns.length) {
    throw new AppError(
      'INVALID_IMPORT_FILE',
      `CSV header: ${unknown !== undefined ? `unknown column "${unknown}"` : 'a column appears twice'}; use ${CAMERA_CSV_COLUMNS.join(', ')} or meta.<key>`,
    );
  }
  return data.map(({ line, fields }, index) => {
    const row = index + 1;
    if (fields.length !== columns.length) {
      const value = { id: fields[columns.indexOf('id')]?.trim() };
      return { row, line, value, error: `has ${fields.length} fields; the header has ${columns.length}` };
    }
    return { row, line, ...csvObject(columns, fields) };
  });
}

function csvObject(columns: string[], fields: string[]): { value: unknown; error?: string } {
  const value: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [i, column] of columns.entries()) {
    const cell = (fields[i] ?? '').trim();
    if (column.startsWith('meta.')) {
      if (cell !== '') meta[column.slice(5)] = cell;
    } else if (column === 'lon' || column === 'lat') {
      if (cell !== '') value[column] = DECIMAL.test(cell) ? Number(cell) : cell;
    } else if (column === 'department' || column === 'name') {
      value[column] = cell === '' ? null : cell;
    } else if (column === 'metadata') {
      if (cell === '') continue;
      try {
        value.metadata = JSON.parse(cell);
      } catch {
        return { value, error: 'the metadata cell is not valid JSON' };
      }
    } else if (cell !== '') {
      value[column] = cell;
    }
  }
  if (Object.keys(meta).length > 0) {
    const base = value.metadata ?? {};
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      return { value, error: 'the metadata cell must hold a JSON object' };
    }
    value.metadata = { ...base, ...meta };
  }
  return { value };
}
