import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import { AppError } from '../errors.js';
import type { MultiPolygon } from './geo.types.js';
import type { CustomUnit, JurisdictionRepository, StoredBoundary } from './jurisdiction.repository.js';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

/** JurisdictionRepository on PostgreSQL. */
export class PostgresJurisdictionRepository implements JurisdictionRepository {
  constructor(private readonly database: PostgresDatabase) {}

  async listCustomUnits(): Promise<CustomUnit[]> {
    const { pool } = this.database;
    const units = await pool.query<{
      code: string;
      name: string;
      level: CustomUnit['level'];
      parent: string;
      created_at: Date;
    }>('SELECT * FROM jurisdiction_units ORDER BY code');
    const takeovers = await pool.query<{ township: string; unit: string }>(
      'SELECT township, unit FROM jurisdiction_takeovers ORDER BY township',
    );
    return units.rows.map((row) => ({
      code: row.code,
      name: row.name,
      level: row.level,
      parent: row.parent,
      takesOver: takeovers.rows.filter((t) => t.unit === row.code).map((t) => t.township),
      createdAt: row.created_at.toISOString(),
    }));
  }

  async insertCustomUnit(unit: CustomUnit): Promise<void> {
    try {
      await withTransaction(this.database.pool, async (client) => {
        await client.query(
          'INSERT INTO jurisdiction_units (code, name, level, parent, created_at) VALUES ($1, $2, $3, $4, $5)',
          [unit.code, unit.name, unit.level, unit.parent, unit.createdAt],
        );
        if (unit.takesOver.length > 0) {
          await client.query(
            'INSERT INTO jurisdiction_takeovers (township, unit) SELECT t, $2 FROM unnest($1::text[]) AS t',
            [unit.takesOver, unit.code],
          );
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('JURISDICTION_CONFLICT', 'The code, or one of the townships, is already taken.');
      }
      throw error;
    }
  }

  async deleteCustomUnit(code: string): Promise<boolean> {
    const result = await this.database.pool.query('DELETE FROM jurisdiction_units WHERE code = $1', [code]);
    return (result.rowCount ?? 0) > 0;
  }

  async listBoundaries(): Promise<StoredBoundary[]> {
    const { rows } = await this.database.pool.query<{
      code: string;
      geometry: MultiPolygon;
      source: string;
      imported_at: Date;
    }>('SELECT * FROM jurisdiction_boundaries ORDER BY code');
    return rows.map((row) => ({
      code: row.code,
      polygons: row.geometry,
      source: row.source,
      importedAt: row.imported_at.toISOString(),
    }));
  }

  async upsertBoundaries(boundaries: StoredBoundary[]): Promise<void> {
    await withTransaction(this.database.pool, async (client) => {
      for (const b of boundaries) {
        await client.query(
          `INSERT INTO jurisdiction_boundaries (code, geometry, source, imported_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry, source = excluded.source,
             imported_at = excluded.imported_at`,
          [b.code, JSON.stringify(b.polygons), b.source, b.importedAt],
        );
      }
    });
  }

  async deleteBoundary(code: string): Promise<boolean> {
    const result = await this.database.pool.query('DELETE FROM jurisdiction_boundaries WHERE code = $1', [
      code,
    ]);
    return (result.rowCount ?? 0) > 0;
  }
}
