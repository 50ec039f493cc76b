import type { SqliteDatabase } from '../platform/db/database.js';
import { AppError } from '../errors.js';
import { SCOPE_COLUMN } from './sensor.migrations.js';
import type { CameraListQuery, CameraRecord, CameraRepository } from './camera.repository.js';

interface Row {
  id: string;
  name: string | null;
  lon: number;
  lat: number;
  province_code: string;
  prefecture_code: string | null;
  county_code: string | null;
  township_code: string | null;
  department: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: Row): CameraRecord {
  return {
    id: row.id,
    name: row.name,
    lon: row.lon,
    lat: row.lat,
    provinceCode: row.province_code,
    prefectureCode: row.prefecture_code,
    countyCode: row.county_code,
    townshipCode: row.township_code,
    department: row.department,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function conflict(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
    ? new AppError('CAMERA_CONFLICT', 'A camera id is already registered.')
    : error;
}

/** CameraRepository on the embedded SQLite database. */
export class SqliteCameraRepository implements CameraRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  async insert(camera: CameraRecord): Promise<CameraRecord> {
    await this.insertMany([camera]);
    return camera;
  }

  async insertMany(cameras: readonly CameraRecord[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO cameras (id, name, lon, lat, province_code, prefecture_code, county_code, township_code,
         department, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    try {
      this.db
        .transaction(() => {
          for (const c of cameras) insert.run(...values(c));
        })
        .immediate();
    } catch (error) {
      throw conflict(error);
    }
  }

  async update(camera: CameraRecord): Promise<CameraRecord | null> {
    const row = this.db
      .prepare(
        `UPDATE cameras SET name = ?, lon = ?, lat = ?, province_code = ?, prefecture_code = ?, county_code = ?,
           township_code = ?, department = ?, metadata = ?, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(...values(camera).slice(1, 10), camera.updatedAt, camera.id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM cameras WHERE id = ?').run(id).changes > 0;
  }

  async get(id: string): Promise<CameraRecord | null> {
    const row = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.db
      .prepare('SELECT id FROM cameras WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  async list(query: CameraListQuery): Promise<{ items: CameraRecord[]; total: number }> {
    const clause = query.scope ? `WHERE ${SCOPE_COLUMN[query.scope.level]} = ?` : '';
    const params = query.scope ? [query.scope.code] : [];
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM cameras ${clause}`).get(...params) as {
      total: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM cameras ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    return { items: rows.map(toRecord), total };
  }
}

/** Insert parameters in column order. */
function values(c: CameraRecord): (string | number | null)[] {
  return [
    c.id,
    c.name,
    c.lon,
    c.lat,
    c.provinceCode,
    c.prefectureCode,
    c.countyCode,
    c.townshipCode,
    c.department,
    JSON.stringify(c.metadata),
    c.createdAt,
    c.updatedAt,
  ];
}
