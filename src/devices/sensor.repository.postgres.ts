import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import { AppError } from '../errors.js';
import { SCOPE_COLUMN } from './sensor.migrations.js';
import type {
  NewSensorRecord,
  SensorIndexRow,
  SensorListQuery,
  SensorRecord,
  SensorRepository,
} from './sensor.repository.js';

interface Row {
  key: number;
  id: string;
  type: string;
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

const INDEX_COLUMNS =
  'key, id, type, lon, lat, province_code AS "provinceCode", prefecture_code AS "prefectureCode", ' +
  'county_code AS "countyCode", township_code AS "townshipCode"';

// Rows per INSERT … SELECT FROM unnest(…): one round trip per chunk keeps a 100,000-sensor import
// to about a hundred statements while each statement's arrays stay small.
const CHUNK = 1000;

function toRecord(row: Row): SensorRecord {
  return {
    key: row.key,
    id: row.id,
    type: row.type,
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
    ? new AppError('SENSOR_CONFLICT', 'A sensor id is already registered.')
    : error;
}

/** SensorRepository on PostgreSQL. */
export class PostgresSensorRepository implements SensorRepository {
  constructor(private readonly database: PostgresDatabase) {}

  async insert(sensor: NewSensorRecord): Promise<SensorRecord> {
    const [inserted] = await this.insertMany([sensor]);
    if (!inserted) throw new Error('insert returned no row');
    return inserted;
  }

  async insertMany(sensors: readonly NewSensorRecord[]): Promise<SensorRecord[]> {
    if (sensors.length === 0) return [];
    try {
      return await withTransaction(this.database.pool, async (client) => {
        const out: SensorRecord[] = [];
        for (let start = 0; start < sensors.length; start += CHUNK) {
          const chunk = sensors.slice(start, start + CHUNK);
          // WITH ORDINALITY + ORDER BY makes the identity sequence follow input order.
          const { rows } = await client.query<{ key: number; id: string }>(
            `INSERT INTO sensors (id, type, lon, lat, province_code, prefecture_code, county_code, township_code,
               department, metadata, created_at, updated_at)
             SELECT id, type, lon, lat, p, f, c, t, d, m::jsonb, cr, up
             FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[])
               WITH ORDINALITY AS u (id, type, lon, lat, p, f, c, t, d, m, cr, up, n)
             ORDER BY n
             RETURNING key, id`,
            [
              chunk.map((s) => s.id),
              chunk.map((s) => s.type),
              chunk.map((s) => s.lon),
              chunk.map((s) => s.lat),
              chunk.map((s) => s.provinceCode),
              chunk.map((s) => s.prefectureCode),
              chunk.map((s) => s.countyCode),
              chunk.map((s) => s.townshipCode),
              chunk.map((s) => s.department),
              chunk.map((s) => JSON.stringify(s.metadata)),
              chunk.map((s) => s.createdAt),
              chunk.map((s) => s.updatedAt),
            ],
          );
          const keys = new Map(rows.map((r) => [r.id, r.key]));
          for (const s of chunk) out.push({ ...s, key: keys.get(s.id) ?? Number.NaN });
        }
        return out;
      });
    } catch (error) {
      throw conflict(error);
    }
  }

  async update(sensor: NewSensorRecord): Promise<SensorRecord | null> {
    const { rows } = await this.database.pool.query<Row>(
      `UPDATE sensors SET type = $2, lon = $3, lat = $4, province_code = $5, prefecture_code = $6,
         county_code = $7, township_code = $8, department = $9, metadata = $10::jsonb, updated_at = $11
       WHERE id = $1 RETURNING *`,
      [
        sensor.id,
        sensor.type,
        sensor.lon,
        sensor.lat,
        sensor.provinceCode,
        sensor.prefectureCode,
        sensor.countyCode,
        sensor.townshipCode,
        sensor.department,
        JSON.stringify(sensor.metadata),
        sensor.updatedAt,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.database.pool.query('DELETE FROM sensors WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<SensorRecord | null> {
    const { rows } = await this.database.pool.query<Row>('SELECT * FROM sensors WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(query: SensorListQuery): Promise<{ items: SensorRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.types !== undefined) {
      params.push(query.types);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    if (query.scope !== undefined) {
      params.push(query.scope.code);
      where.push(`${SCOPE_COLUMN[query.scope.level]} = $${params.length}`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { pool } = this.database;
    const count = await pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM sensors ${clause}`,
      params,
    );
    const n = params.length;
    const { rows } = await pool.query<Row>(
      `SELECT * FROM sensors ${clause} ORDER BY id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.map(toRecord), total: count.rows[0]?.total ?? 0 };
  }

  async listIndex(): Promise<SensorIndexRow[]> {
    const { rows } = await this.database.pool.query<SensorIndexRow>(
      `SELECT ${INDEX_COLUMNS} FROM sensors ORDER BY key`,
    );
    return rows;
  }
}
