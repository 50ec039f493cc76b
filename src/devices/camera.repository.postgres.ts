import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import type { CameraListQuery, CameraRecord, CameraRepository } from './camera.repository.js';
import { deviceValues } from './device.js';
import { deviceFromRow, PostgresDeviceTable, type PostgresDeviceRow } from './device-table.postgres.js';

interface Row extends PostgresDeviceRow {
  name: string | null;
}

function toRecord(row: Row): CameraRecord {
  return { ...deviceFromRow(row), name: row.name };
}

const INSERT = `INSERT INTO cameras (id, name, lon, lat, province_code, prefecture_code, county_code,
  township_code, department, metadata, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`;

/** CameraRepository on PostgreSQL. */
export class PostgresCameraRepository implements CameraRepository {
  private readonly table: PostgresDeviceTable<CameraRecord, Row>;

  constructor(private readonly database: PostgresDatabase) {
    this.table = new PostgresDeviceTable(database, {
      table: 'cameras',
      toRecord,
      conflict: { code: 'CAMERA_CONFLICT', message: 'A camera id is already registered.' },
    });
  }

  async insert(camera: CameraRecord): Promise<CameraRecord> {
    await this.insertMany([camera]);
    return camera;
  }

  async insertMany(cameras: readonly CameraRecord[]): Promise<void> {
    if (cameras.length === 0) return;
    try {
      await withTransaction(this.database.pool, async (client) => {
        for (const c of cameras) await client.query(INSERT, deviceValues(c, c.name));
      });
    } catch (error) {
      throw this.table.conflict(error);
    }
  }

  async update(camera: CameraRecord): Promise<CameraRecord | null> {
    const { rows } = await this.database.pool.query<Row>(
      `UPDATE cameras SET name = $2, lon = $3, lat = $4, province_code = $5, prefecture_code = $6,
         county_code = $7, township_code = $8, department = $9, metadata = $10::jsonb, updated_at = $11
       WHERE id = $1 RETURNING *`,
      [...deviceValues(camera, camera.name).slice(0, 10), camera.updatedAt],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    return this.table.delete(id);
  }

  async get(id: string): Promise<CameraRecord | null> {
    return this.table.get(id);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    return this.table.existing(ids);
  }

  async list(query: CameraListQuery): Promise<{ items: CameraRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    this.table.scopeFilter(query.scope, where, params);
    return this.table.page(where, params, query.limit, query.offset);
  }
}
