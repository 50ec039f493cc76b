import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
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
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
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
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function conflict(error: unknown): unknown {
  return (error as { code?: unknown }).code === '23505'
    ? new AppError('CAMERA_CONFLICT', 'A camera id is already registered.')
    : error;
}

const INSERT = `INSERT INTO cameras (id, name, lon, lat, province_code, prefecture_code, county_code,
  township_code, department, metadata, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`;

/** CameraRepository on PostgreSQL. */
export class PostgresCameraRepository implements CameraRepository {
  constructor(private readonly database: PostgresDatabase) {}

  async insert(camera: CameraRecord): Promise<CameraRecord> {
    await this.insertMany([camera]);
    return camera;
  }

  async insertMany(cameras: readonly CameraRecord[]): Promise<void> {
    if (cameras.length === 0) return;
    try {
      await withTransaction(this.database.pool, async (client) => {
        for (const c of cameras) await client.query(INSERT, values(c));
      });
    } catch (error) {
      throw conflict(error);
    }
  }

  async update(camera: CameraRecord): Promise<CameraRecord | null> {
    const { rows } = await this.database.pool.query<Row>(
      `UPDATE cameras SET name = $2, lon = $3, lat = $4, province_code = $5, prefecture_code = $6,
         county_code = $7, township_code = $8, department = $9, metadata = $10::jsonb, updated_at = $11
       WHERE id = $1 RETURNING *`,
      [...values(camera).slice(0, 10), camera.updatedAt],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.database.pool.query('DELETE FROM cameras WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<CameraRecord | null> {
    const { rows } = await this.database.pool.query<Row>('SELECT * FROM cameras WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.database.pool.query<{ id: string }>(
      'SELECT id FROM cameras WHERE id = ANY($1::text[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async list(query: CameraListQuery): Promise<{ items: CameraRecord[]; total: number }> {
    const clause = query.scope ? `WHERE ${SCOPE_COLUMN[query.scope.level]} = $1` : '';
    const params: unknown[] = query.scope ? [query.scope.code] : [];
    const { pool } = this.database;
    const count = await pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM cameras ${clause}`,
      params,
    );
    const n = params.length;
    const { rows } = await pool.query<Row>(
      `SELECT * FROM cameras ${clause} ORDER BY id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.map(toRecord), total: count.rows[0]?.total ?? 0 };
  }
}

/** Parameters in column order ($1 … $12). */
function values(c: CameraRecord): unknown[] {
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
