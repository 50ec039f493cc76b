import { Compile } from 'typebox/compile';
import { readImportRows, type ImportFileRow, type ImportFormat } from '../platform/import-file.js';
import { CameraCreateSchema, type CameraCreate, type CameraImportCode } from './camera.schema.js';

/** One row of a camera import file, checked against the create schema but not the registry. */
export type CameraImportRow = ImportFileRow<CameraCreate, CameraImportCode>;

/** CSV columns: `id,lon,lat` required; `name`, `department`, `metadata` (JSON) and `meta.<key>` optional. */
export const CAMERA_CSV_COLUMNS = ['id', 'name', 'lon', 'lat', 'department', 'metadata'] as const;

const SPEC = {
  noun: 'camera',
  columns: CAMERA_CSV_COLUMNS,
  required: ['id', 'lon', 'lat'],
  numbers: ['lon', 'lat'],
  nullable: ['name', 'department'],
  validator: Compile(CameraCreateSchema),
  invalid: 'INVALID_CAMERA' as const,
};

/** Reads a camera import file (CSV with a header, or a JSON array) into rows, each checked alone. */
export function readCameraFile(text: string, format: ImportFormat): CameraImportRow[] {
  return readImportRows(text, format, SPEC);
}
