import type { SqliteDatabase } from '../platform/db/database.js';
import { AppError, type ErrorCode } from '../errors.js';
import { SCOPE_COLUMN, type DeviceRecord, type DeviceScope } from './device.js';

/** The columns every device table has, as SQLite returns them. */
export interface SqliteDeviceRow {
  id: string;
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

/** The shared fields of a device from its row. */
export function deviceFromRow(row: SqliteDeviceRow): DeviceRecord {
  return {
    id: row.id,
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

/**
 * The part of a device repository on SQLite that sensors and cameras share: one table with the
 * chain in columns, looked up by id, listed by page under a scope. `conflict` maps a taken id.
 */
export class SqliteDeviceTable<R extends DeviceRecord, Row extends SqliteDeviceRow> {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly spec: {
      /** A fixed table name (never caller text). */
      table: 'sensors' | 'cameras';
      toRecord: (row: Row) => R;
      conflict: { code: ErrorCode; message: string };
    },
  ) {}

  get db() {
    return this.database.db;
  }

  /** A unique violation as the registry's conflict error; anything else unchanged. */
  conflict(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
      ? new AppError(this.spec.conflict.code, this.spec.conflict.message)
      : error;
  }

  /** One device by id, or null. */
  get(id: string): R | null {
    const row = this.db.prepare(`SELECT * FROM ${this.spec.table} WHERE id = ?`).get(id) as Row | undefined;
    return row ? this.spec.toRecord(row) : null;
  }

  /** Deletes by id; false when there was none. */
  delete(id: string): boolean {
    return this.db.prepare(`DELETE FROM ${this.spec.table} WHERE id = ?`).run(id).changes > 0;
  }

  /** Which of these ids are registered. */
  existing(ids: readonly string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const rows = this.db
      .prepare(`SELECT id FROM ${this.spec.table} WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Adds the scope filter, if any, to `where` and `params`. */
  scopeFilter(scope: DeviceScope | undefined, where: string[], params: unknown[]): void {
    if (scope === undefined) return;
    where.push(`${SCOPE_COLUMN[scope.level]} = ?`);
    params.push(scope.code);
  }

  /** A page under the filters, ordered by id, with the total over all pages. */
  page(
    where: readonly string[],
    params: readonly unknown[],
    limit: number,
    offset: number,
  ): { items: R[]; total: number } {
    const { table } = this.spec;
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM ${table} ${clause}`).get(...params) as {
      total: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM ${table} ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as Row[];
    return { items: rows.map(this.spec.toRecord), total };
  }
}
