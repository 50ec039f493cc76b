import type { SqliteDatabase } from '../platform/db/database.js';
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
  metadata: string;
  created_at: string;
  updated_at: string;
}

const INDEX_COLUMNS =
  'key, id, type, lon, lat, province_code AS provinceCode, prefecture_code AS prefectureCode, ' +
  'county_code AS countyCode, township_code AS townshipCode';

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
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function conflict(error: unknown): unknown {
  return isUniqueViolation(error)
    ? new AppError('SENSOR_CONFLICT', 'A sensor id is already registered.')
    : error;
}

/** SensorRepository on the embedded SQLite database (async like the PostgreSQL one; see jurisdictions). */
export class SqliteSensorRepository implements SensorRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  async insert(sensor: NewSensorRecord): Promise<SensorRecord> {
    const [inserted] = await this.insertMany([sensor]);
    if (!inserted) throw new Error('insert returned no row');
    return inserted;
  }

  async insertMany(sensors: readonly NewSensorRecord[]): Promise<SensorRecord[]> {
    const insert = this.db.prepare(
      `INSERT INTO sensors (id, type, lon, lat, province_code, prefecture_code, county_code, township_code,
         department, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const all = this.db.transaction(() =>
      sensors.map((s) => {
        const { lastInsertRowid } = insert.run(...values(s));
        return { ...s, key: Number(lastInsertRowid) };
      }),
    );
    try {
      return all.immediate();
    } catch (error) {
      throw conflict(error);
    }
  }

  async update(sensor: NewSensorRecord): Promise<SensorRecord | null> {
    const row = this.db
      .prepare(
        `UPDATE sensors SET type = ?, lon = ?, lat = ?, province_code = ?, prefecture_code = ?, county_code = ?,
           township_code = ?, department = ?, metadata = ?, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(...values(sensor).slice(1, 10), sensor.updatedAt, sensor.id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM sensors WHERE id = ?').run(id).changes > 0;
  }

  async get(id: string): Promise<SensorRecord | null> {
    const row = this.db.prepare('SELECT * FROM sensors WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async list(query: SensorListQuery): Promise<{ items: SensorRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.types !== undefined) {
      where.push(`type IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(query.types));
    }
    if (query.scope !== undefined) {
      where.push(`${SCOPE_COLUMN[query.scope.level]} = ?`);
      params.push(query.scope.code);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM sensors ${clause}`).get(...params) as {
      total: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM sensors ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    return { items: rows.map(toRecord), total };
  }

  async listIndex(): Promise<SensorIndexRow[]> {
    return this.db.prepare(`SELECT ${INDEX_COLUMNS} FROM sensors ORDER BY key`).all() as SensorIndexRow[];
  }
}

/** Insert parameters in column order: id, type, lon, lat, chain, department, metadata, times. */
function values(s: NewSensorRecord): (string | number | null)[] {
  return [
    s.id,
    s.type,
    s.lon,
    s.lat,
    s.provinceCode,
    s.prefectureCode,
    s.countyCode,
    s.townshipCode,
    s.department,
    JSON.stringify(s.metadata),
    s.createdAt,
    s.updatedAt,
  ];
}
