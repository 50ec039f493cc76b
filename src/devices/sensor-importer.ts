import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { judgeRows } from '../platform/import-file.js';
import type { ImportRow } from './sensor-import.js';
import type { NewSensorRecord, SensorRecord } from './sensor.repository.js';
import {
  IMPORT_ROW_CODES,
  type ImportRejection,
  type ImportReport,
  type ImportRowCode,
} from './sensor.schema.js';
import { alreadyRegistered, type SensorService } from './sensor.service.js';

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
  const judged = judgeRows(props.rows, {
    check: (sensor) => registry.check(sensor, visible, now),
    codeOf: (code) => (isRowCode(code) ? code : undefined),
    conflict: 'SENSOR_CONFLICT',
  });
  const rejected: ImportRejection[] = judged.rejected;
  let accepted = judged.accepted;
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
