import type { SensorRecord } from './sensor.repository.js';
import type { SensorDto } from './sensor.schema.js';
import { sensorType } from './sensor-types.js';
import { chainDto } from '../jurisdictions/geo.types.js';

/** A stored sensor as the API shows it: the chain grouped, the domain taken from its type. */
export function toSensor(record: SensorRecord): SensorDto {
  const type = sensorType(record.type);
  // The service only stores catalog types and catalog codes are never removed.
  if (!type) throw new Error(`sensor ${record.id} has type "${record.type}", which is not in the catalog`);
  return {
    id: record.id,
    key: record.key,
    type: record.type,
    domain: type.domain,
    lon: record.lon,
    lat: record.lat,
    jurisdiction: chainDto(record),
    department: record.department,
    metadata: record.metadata,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
