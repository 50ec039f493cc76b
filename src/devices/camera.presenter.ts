import type { CameraRecord } from './camera.repository.js';
import type { CameraDto } from './camera.schema.js';
import { chainDto } from '../jurisdictions/geo.types.js';

/** A stored camera as the API shows it: the chain grouped. */
export function toCamera(record: CameraRecord): CameraDto {
  return {
    id: record.id,
    name: record.name,
    lon: record.lon,
    lat: record.lat,
    jurisdiction: chainDto(record),
    department: record.department,
    metadata: record.metadata,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
