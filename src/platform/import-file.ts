import { deeperThan, MAX_JSON_DEPTH, nonFinitePath } from './http/json-body.js';
import { AppError, type ErrorCode } from '../errors.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv.js';
import { numericCell } from './import-text.js';

/** The two import formats of the registries (sensors, cameras). */
export type ImportFormat = 'csv' | 'json';

/** `csv` for a .csv name, `json` for .json, otherwise by the first character of the content. */
export function detectFormat(fileName: string, text: string): ImportFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  return /^\uFEFF?\s*\[/.test(text) ? 'json' : 'csv';
}

/** One row of an import file, checked against the create schema but not yet against the registry. */
export interface ImportFileRow<T, C extends string> {
  /** 1-based data row: CSV not counting the header, JSON the array index + 1. */
  row: number;
  /** CSV only: the line the record starts on. */
  line?: number;
  /** The row's id when it has a usable one, for the report. */
  id?: string;
  result: { ok: true; value: T } | { ok: false; code: C; message: string };
}

/** A compiled create schema (typebox `Compile`), as the reader uses it. */
export interface RowValidator<T> {
  Check(value: unknown): value is T;
  Errors(
    value: unknown,
  ): Iterable<{ keyword: string; instancePath: string; message: string; params: unknown }>;
}

/** What one registry's import files look like. */
export interface ImportFileSpec<T, C extends string> {
  /** 'sensor', 'camera': for messages. */
  noun: string;
  /** CSV columns allowed besides any number of `meta.<key>` ones, and those required. */
  columns: readonly string[];
  required: readonly string[];
  /** Columns read as numbers (when they look like one, full-width digits too), and text columns where empty means null. */
  numbers: readonly string[];
  nullable: readonly string[];
  validator: RowValidator<T>;
  /** The code of a row that does not match the schema. */
  invalid: C;
}

/**
 * Reads a registry import file into rows, each checked against the create schema on its own. A
 * file that cannot be read at all (bad JSON, a header without a required column) is an
 * INVALID_IMPORT_FILE. In CSV, `metadata` is a JSON object and each `meta.<key>` column adds a
 * string value to it (an empty cell adds nothing); other columns are refused, so that a misspelt
 * `deparment` cannot silently drop data.
 */
export function readImportRows<T, C extends string>(
  text: string,
  format: ImportFormat,
  spec: ImportFileSpec<T, C>,
): ImportFileRow<T, C>[] {
  const raw = format === 'csv' ? csvRows(text, spec) : jsonRows(text, spec.noun);
  return raw.map(({ row, line, value, error }) => {
    const id = idOf(value);
    const base = { row, ...(line !== undefined ? { line } : {}), ...(id !== undefined ? { id } : {}) };
    if (error) return { ...base, result: { ok: false, code: spec.invalid, message: error } };
    if (!spec.validator.Check(value)) {
      return { ...base, result: { ok: false, code: spec.invalid, message: describeErrors(value, spec) } };
    }
    return { ...base, result: { ok: true, value } };
  });
}

/** Where a row is in its file, for the report. */
export type RowPosition = Pick<ImportFileRow<unknown, string>, 'row' | 'line' | 'id'>;

/** One refused row of an import report. */
export type RowRejection<C extends string> = RowPosition & { code: C; message: string };

/**
 * Judges a file's rows for a registry: refused by the reader, a second row with an id already in
 * the file (the first occurrence wins: `conflict`), or refused by `check` — which throws an
 * AppError whose code `codeOf` turns into the row's code (undefined: a real failure, rethrown).
 * The rows `check` accepts come back with their stored form, in file order.
 */
export function judgeRows<T extends { id: string }, R, C extends string>(
  rows: readonly ImportFileRow<T, C>[],
  options: { check(value: T): R; codeOf(code: ErrorCode): C | undefined; conflict: C },
): { accepted: { at: RowPosition; record: R }[]; rejected: RowRejection<C>[] } {
  const accepted: { at: RowPosition; record: R }[] = [];
  const rejected: RowRejection<C>[] = [];
  const firstRow = new Map<string, number>();
  for (const row of rows) {
    const at: RowPosition = {
      row: row.row,
      ...(row.line !== undefined ? { line: row.line } : {}),
      ...(row.id !== undefined ? { id: row.id } : {}),
    };
    if (!row.result.ok) {
      rejected.push({ ...at, code: row.result.code, message: row.result.message });
      continue;
    }
    const value = row.result.value;
    const earlier = firstRow.get(value.id);
    if (earlier !== undefined) {
      rejected.push({
        ...at,
        code: options.conflict,
        message: `The id "${value.id}" is already in row ${earlier}.`,
      });
      continue;
    }
    try {
      accepted.push({ at, record: options.check(value) });
      firstRow.set(value.id, row.row);
    } catch (error) {
      const code = error instanceof AppError ? options.codeOf(error.code) : undefined;
      if (code === undefined) throw error;
      rejected.push({ ...at, code, message: (error as AppError).message });
    }
  }
  return { accepted, rejected };
}

/** Why a parsed JSON value may not be stored (too deep, or a number overflowed to ±Infinity). */
function jsonProblem(value: unknown): string | undefined {
  if (deeperThan(value, MAX_JSON_DEPTH)) return `it nests deeper than ${MAX_JSON_DEPTH} levels`;
  const where = nonFinitePath(value, '');
  return where === undefined ? undefined : `${where || '/'} must be a finite number`;
}

interface RawRow {
  row: number;
  line?: number;
  value: unknown;
  error?: string;
}

function jsonRows(text: string, noun: string): RawRow[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new AppError('INVALID_IMPORT_FILE', `The file is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) {
    throw new AppError('INVALID_IMPORT_FILE', `A JSON import is an array of ${noun} objects.`);
  }
  // The same bounds as a JSON request body (platform/http/json-body.ts), row by row.
  return json.map((value: unknown, index) => ({ row: index + 1, value, error: jsonProblem(value) }));
}

/**
 * An import file's CSV: the header's (trimmed) column names and the data records. A file that is
 * not CSV, or has no header, is an INVALID_IMPORT_FILE.
 */
export function readCsvTable(text: string): { columns: string[]; data: CsvRecord[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new AppError('INVALID_IMPORT_FILE', `CSV ${error.message}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new AppError('INVALID_IMPORT_FILE', 'The CSV file is empty; it needs a header row.');
  return { columns: header.fields.map((f) => f.trim()), data };
}

function csvRows(text: string, spec: ImportFileSpec<unknown, string>): RawRow[] {
  const { columns, data } = readCsvTable(text);
  checkHeader(columns, spec);
  return data.map(({ line, fields }, index) => {
    const row = index + 1;
    if (fields.length !== columns.length) {
      const value = { id: fields[columns.indexOf('id')]?.trim() };
      return { row, line, value, error: `has ${fields.length} fields; the header has ${columns.length}` };
    }
    return { row, line, ...csvObject(columns, fields, spec) };
  });
}

function checkHeader(columns: string[], spec: ImportFileSpec<unknown, string>): void {
  const invalid = (message: string) => new AppError('INVALID_IMPORT_FILE', `CSV header: ${message}`);
  const missing = spec.required.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw invalid(`missing column(s) ${missing.join(', ')}`);
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw invalid(`column "${column}" appears twice`);
    seen.add(column);
    const known = spec.columns.includes(column) || /^meta\.[^\s]+$/.test(column);
    if (!known) {
      throw invalid(`unknown column "${column}"; use ${spec.columns.join(', ')} or meta.<key> columns`);
    }
  }
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** One CSV record as a create body; numbers parsed, empty optional cells left out. */
function csvObject(
  columns: string[],
  fields: string[],
  spec: ImportFileSpec<unknown, string>,
): { value: unknown; error?: string } {
  const value: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [i, column] of columns.entries()) {
    const cell = (fields[i] ?? '').trim();
    if (column.startsWith('meta.')) {
      if (cell !== '') meta[column.slice(5)] = cell;
    } else if (spec.numbers.includes(column)) {
      const number = numericCell(cell);
      if (number !== '') value[column] = DECIMAL.test(number) ? Number(number) : cell;
    } else if (spec.nullable.includes(column)) {
      value[column] = cell === '' ? null : cell;
    } else if (column === 'metadata') {
      if (cell === '') continue;
      try {
        value.metadata = JSON.parse(cell);
      } catch {
        return { value, error: 'the metadata cell is not valid JSON' };
      }
      const problem = jsonProblem(value.metadata);
      if (problem) return { value, error: `the metadata cell: ${problem}` };
    } else if (cell !== '') {
      value[column] = cell;
    }
  }
  if (Object.keys(meta).length > 0) {
    const base = value.metadata ?? {};
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      return { value, error: 'the metadata cell must hold a JSON object' };
    }
    const clash = Object.keys(meta).find((k) => Object.hasOwn(base, k));
    if (clash) return { value, error: `metadata key "${clash}" is given twice (metadata and meta.${clash})` };
    value.metadata = { ...base, ...meta };
  }
  return { value };
}

function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The schema errors of one row as one line: the first problem per field. */
function describeErrors(value: unknown, spec: ImportFileSpec<unknown, string>): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const error of spec.validator.Errors(value)) {
    if (error.keyword === 'boolean' || seen.has(error.instancePath)) continue;
    seen.add(error.instancePath);
    const field = error.instancePath.slice(1);
    if (error.keyword === 'additionalProperties') {
      const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      parts.push(`unknown field(s) ${names.join(', ')}`);
    } else if (error.keyword === 'required') {
      const names = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      parts.push(`missing ${names.join(', ')}`);
    } else if (field === 'id' && error.keyword === 'pattern') {
      parts.push('id may only hold letters, digits and . _ : - and must start with a letter or digit');
    } else {
      parts.push(`${field || 'row'}: ${error.message}`);
    }
  }
  return parts.join('; ') || `does not match the ${spec.noun} schema`;
}
