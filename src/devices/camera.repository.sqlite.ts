import type { SqliteDatabase } from '../platform/db/database.js';
import type { CameraListQuery, CameraRecord, CameraRepository } from './camera.repository.js';
import { deviceValues } from './device.js';
import { deviceFromRow, SqliteDeviceTable, type SqliteDeviceRow } from './device-table.sqlite.js';

interface Row extends SqliteDeviceRow {
  name: string | null;
}

function toRecord(row: Row): CameraRecord {
  return { ...deviceFromRow(row), name: row.name };
}

/** CameraRepository on the embedded SQLite database. */
export class SqliteCameraRepository implements CameraRepository {
  private readonly table: SqliteDeviceTable<CameraRecord, Row>;

  constructor(database: SqliteDatabase) {
    this.table = new SqliteDeviceTable(database, {
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
    const { db } = this.table;
    const insert = db.prepare(
      `INSERT INTO cameras (id, name, lon, lat, province_code, prefecture_code, county_code, township_code,
         department, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    try {
      db.transaction(() => {
        for (const c of cameras) insert.run(...deviceValues(c, c.name));
      }).immediate();
    } catch (error) {
      throw this.table.conflict(error);
    }
  }

  async update(camera: CameraRecord): Promise<CameraRecord | null> {
    const row = this.table.db
      .prepare(
        `UPDATE cameras SET name = ?, lon = ?, lat = ?, province_code = ?, prefecture_code = ?, county_code = ?,
           township_code = ?, department = ?, metadata = ?, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(...deviceValues(camera, camera.name).slice(1, 10), camera.updatedAt, camera.id) as Row | undefined;
    return row ? toRecord(row) : null;
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
