import type { Visibility } from '../access/principal.js';
import { AppError } from '../errors.js';
import type { ImportRow } from './sensor-import.js';
import type { NewSensorRecord, SensorRecord } from './sensor.repository.js';
import {
  IMPORT_ROW_CODES,
  type ImportRejection,
  type ImportReport,
  type ImportRowCode,
} from './sensor.schema.js';
import { alreadyRegistered, type SensorService } from './sensor.service.js';

/** Where a row is in its file, for the report. */
type RowPosition = Pick<ImportRejection, 'row' | 'line' | 'id'>;

/** What one import needs; `rows` come from `readImportFile`. */
export interface ImportSensorsProps {
  registry: Pick<SensorService, 'check' | 'registerMany' | 'reload' | 'resolve'>;
  rows: readonly ImportRow[];
  visible: Visibility;
  /** Creation time stamped on every imported sensor. */
  now: string;
  dryRun: boolean;
}

/**
 * The import workflow: check every row on its own (schema, type, map, registry, duplicates within
 * the file — the first occurrence wins), insert the valid ones in one transaction, report the rest.
 * If another process registered one of the ids meanwhile, the registry is reloaded and those rows
 * are reported as SENSOR_CONFLICT instead of failing the whole file.
 */
export async function importSensors(props: ImportSensorsProps): Promise<ImportReport> {
  const { registry, visible, now } = props;
  const rejected: ImportRejection[] = [];
  let accepted: { at: RowPosition; record: NewSensorRecord }[] = [];
  const firstRow = new Map<string, number>();
  for (const row of props.rows) {
    const at: RowPosition = {
      row: row.row,
      ...(row.line !== undefined ? { line: row.line } : {}),
      ...(row.id !== undefined ? { id: row.id } : {}),
    };
    if (!row.result.ok) {
      rejected.push({ ...at, code: row.result.code, message: row.result.message });
      continue;
    }
    const sensor = row.result.value;
    const earlier = firstRow.get(sensor.id);
    if (earlier !== undefined) {
      rejected.push({
        ...at,
        code: 'SENSOR_CONFLICT',
        message: `The id "${sensor.id}" is already in row ${earlier}.`,
      });
      continue;
    }
    try {
      accepted.push({ at, record: registry.check(sensor, visible, now) });
      firstRow.set(sensor.id, row.row);
    } catch (error) {
      if (!(error instanceof AppError) || !isRowCode(error.code)) throw error;
      rejected.push({ ...at, code: error.code, message: error.message });
    }
  }
  let inserted: SensorRecord[] = [];
  if (!props.dryRun) {
    for (let attempt = 0; accepted.length > 0; attempt += 1) {
      try {
        inserted = await registry.registerMany(accepted.map((a) => a.record));
        break;
      } catch (error) {
        if (attempt > 0 || !(error instanceof AppError) || error.code !== 'SENSOR_CONFLICT') throw error;
        await registry.reload();
        const taken = (a: { record: NewSensorRecord }) => registry.resolve(a.record.id) !== undefined;
        for (const a of accepted.filter(taken)) {
          rejected.push({ ...a.at, code: 'SENSOR_CONFLICT', message: alreadyRegistered(a.record.id) });
        }
        accepted = accepted.filter((a) => !taken(a));
      }
    }
  }
  return {
    imported: props.dryRun ? accepted.length : inserted.length,
    rejected: rejected.sort((a, b) => a.row - b.row),
  };
}

function isRowCode(code: string): code is ImportRowCode {
  return (IMPORT_ROW_CODES as readonly string[]).includes(code);
}
