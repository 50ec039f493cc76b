import type { SqliteDatabase } from '../platform/db/database.js';
import type {
  NewSensorRecord,
  SensorIndexRow,
  SensorListQuery,
  SensorRecord,
  SensorRepository,
} from './sensor.repository.js';
import { deviceValues } from './device.js';
import { deviceFromRow, SqliteDeviceTable, type SqliteDeviceRow } from './device-table.sqlite.js';

interface Row extends SqliteDeviceRow {
  key: number;
  type: string;
}

const INDEX_COLUMNS =
  'key, id, type, lon, lat, province_code AS provinceCode, prefecture_code AS prefectureCode, ' +
  'county_code AS countyCode, township_code AS townshipCode';

function toRecord(row: Row): SensorRecord {
  return { key: row.key, type: row.type, ...deviceFromRow(row) };
}

/** SensorRepository on the embedded SQLite database (async like the PostgreSQL one; see jurisdictions). */
export class SqliteSensorRepository implements SensorRepository {
  private readonly table: SqliteDeviceTable<SensorRecord, Row>;

  constructor(database: SqliteDatabase) {
    this.table = new SqliteDeviceTable(database, {
      table: 'sensors',
      toRecord,
      conflict: { code: 'SENSOR_CONFLICT', message: 'A sensor id is already registered.' },
    });
  }

  private get db() {
    return this.table.db;
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
        const { lastInsertRowid } = insert.run(...deviceValues(s, s.type));
        return { ...s, key: Number(lastInsertRowid) };
      }),
    );
    try {
      return all.immediate();
    } catch (error) {
      throw this.table.conflict(error);
    }
  }

  async update(sensor: NewSensorRecord): Promise<SensorRecord | null> {
    const row = this.db
      .prepare(
        `UPDATE sensors SET type = ?, lon = ?, lat = ?, province_code = ?, prefecture_code = ?, county_code = ?,
           township_code = ?, department = ?, metadata = ?, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(...deviceValues(sensor, sensor.type).slice(1, 10), sensor.updatedAt, sensor.id) as Row | undefined;
    return row ? toRecord(row) : null;
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
      where.push(`type IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(query.types));
    }
    this.table.scopeFilter(query.scope, where, params);
    return this.table.page(where, params, query.limit, query.offset);
  }

  async listIndex(): Promise<SensorIndexRow[]> {
    return this.db.prepare(`SELECT ${INDEX_COLUMNS} FROM sensors ORDER BY key`).all() as SensorIndexRow[];
  }
}
