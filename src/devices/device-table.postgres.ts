import type { PostgresDatabase } from '../platform/db/database.js';
import { AppError, type ErrorCode } from '../errors.js';
import { SCOPE_COLUMN, type DeviceRecord, type DeviceScope } from './device.js';

/** The columns every device table has, as PostgreSQL returns them. */
export interface PostgresDeviceRow {
  id: string;
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

/** The shared fields of a device from its row. */
export function deviceFromRow(row: PostgresDeviceRow): DeviceRecord {
  return {
    id: row.id,
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

/**
 * The part of a device repository on PostgreSQL that sensors and cameras share (the SQLite twin is
 * device-table.sqlite.ts): one table with the chain in columns, by id, by page under a scope.
 */
export class PostgresDeviceTable<R extends DeviceRecord, Row extends PostgresDeviceRow> {
  constructor(
    private readonly database: PostgresDatabase,
    private readonly spec: {
      /** A fixed table name (never caller text). */
      table: 'sensors' | 'cameras';
      toRecord: (row: Row) => R;
      conflict: { code: ErrorCode; message: string };
    },
  ) {}

  get pool() {
    return this.database.pool;
  }

  /** A unique violation as the registry's conflict error; anything else unchanged. */
  conflict(error: unknown): unknown {
    return (error as { code?: unknown }).code === '23505'
      ? new AppError(this.spec.conflict.code, this.spec.conflict.message)
      : error;
  }

  /** One device by id, or null. */
  async get(id: string): Promise<R | null> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${this.spec.table} WHERE id = $1`, [id]);
    return rows[0] ? this.spec.toRecord(rows[0]) : null;
  }

  /** Deletes by id; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.spec.table} WHERE id = $1`, [id]);
    return (result.rowCount ?? 0) > 0;
  }

  /** Which of these ids are registered. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM ${this.spec.table} WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Adds the scope filter, if any, to `where` and `params` (numbered after the params so far). */
  scopeFilter(scope: DeviceScope | undefined, where: string[], params: unknown[]): void {
    if (scope === undefined) return;
    params.push(scope.code);
    where.push(`${SCOPE_COLUMN[scope.level]} = $${params.length}`);
  }

  /** A page under the filters, ordered by id, with the total over all pages. */
  async page(
    where: readonly string[],
    params: readonly unknown[],
    limit: number,
    offset: number,
  ): Promise<{ items: R[]; total: number }> {
    const { table } = this.spec;
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM ${table} ${clause}`,
      [...params],
    );
    const n = params.length;
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${table} ${clause} ORDER BY id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, limit, offset],
    );
    return { items: rows.map(this.spec.toRecord), total: count.rows[0]?.total ?? 0 };
  }
}
