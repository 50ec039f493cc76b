import { Compile } from 'typebox/compile';
import { readImportRows, type ImportFileRow, type ImportFormat } from '../platform/import-file.js';
import { SensorCreateSchema, type ImportRowCode, type SensorCreate } from './sensor.schema.js';

/** One row of a sensor import file, read but not yet checked against the registry. */
export type ImportRow = ImportFileRow<SensorCreate, ImportRowCode>;

/**
 * CSV columns. `id,type,lon,lat` are required; `department` and `metadata` (a JSON object) are
 * optional; any number of `meta.<key>` columns add string values to metadata. Use the `metadata`
 * column for numbers or nested values.
 */
export const CSV_COLUMNS = ['id', 'type', 'lon', 'lat', 'department', 'metadata'] as const;

const SPEC = {
  noun: 'sensor',
  columns: CSV_COLUMNS,
  required: ['id', 'type', 'lon', 'lat'],
  numbers: ['lon', 'lat'],
  nullable: ['department'],
  validator: Compile(SensorCreateSchema),
  invalid: 'INVALID_SENSOR' as const,
};

/** Reads a sensor import file (CSV with a header, or a JSON array) into rows, each checked alone. */
export function readImportFile(text: string, format: ImportFormat): ImportRow[] {
  return readImportRows(text, format, SPEC);
}
