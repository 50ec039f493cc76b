import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import type {
  NewSensorRecord,
  SensorIndexRow,
  SensorListQuery,
  SensorRecord,
  SensorRepository,
} from './sensor.repository.js';
import { deviceFromRow, PostgresDeviceTable, type PostgresDeviceRow } from './device-table.postgres.js';

interface Row extends PostgresDeviceRow {
  key: number;
  type: string;
}

const INDEX_COLUMNS =
  'key, id, type, lon, lat, province_code AS "provinceCode", prefecture_code AS "prefectureCode", ' +
  'county_code AS "countyCode", township_code AS "townshipCode"';

// Rows per INSERT … SELECT FROM unnest(…): one round trip per chunk keeps a 100,000-sensor import
// to about a hundred statements while each statement's arrays stay small.
const CHUNK = 1000;

function toRecord(row: Row): SensorRecord {
  return { key: row.key, type: row.type, ...deviceFromRow(row) };
}

/** SensorRepository on PostgreSQL. */
export class PostgresSensorRepository implements SensorRepository {
  private readonly table: PostgresDeviceTable<SensorRecord, Row>;

  constructor(private readonly database: PostgresDatabase) {
    this.table = new PostgresDeviceTable(database, {
      table: 'sensors',
      toRecord,
      conflict: { code: 'SENSOR_CONFLICT', message: 'A sensor id is already registered.' },
    });
  }

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
      throw this.table.conflict(error);
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
    return this.table.delete(id);
  }

  async get(id: string): Promise<SensorRecord | null> {
    return this.table.get(id);
  }

  async list(query: SensorListQuery): Promise<{ items: SensorRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.types !== undefined) {
      params.push(query.types);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    this.table.scopeFilter(query.scope, where, params);
    return this.table.page(where, params, query.limit, query.offset);
  }

  async listIndex(): Promise<SensorIndexRow[]> {
    const { rows } = await this.database.pool.query<SensorIndexRow>(
      `SELECT ${INDEX_COLUMNS} FROM sensors ORDER BY key`,
    );
    return rows;
  }
}
