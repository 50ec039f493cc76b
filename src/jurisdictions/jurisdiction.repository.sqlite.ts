import type { SqliteDatabase } from '../platform/db/database.js';
import { AppError } from '../errors.js';
import type { MultiPolygon } from './geo.types.js';
import type { CustomUnit, JurisdictionRepository, StoredBoundary } from './jurisdiction.repository.js';

interface UnitRow {
  code: string;
  name: string;
  level: CustomUnit['level'];
  parent: string;
  created_at: string;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * JurisdictionRepository on the embedded SQLite database. better-sqlite3 is synchronous; the
 * methods are async anyway so that a failure is a rejected promise, as on PostgreSQL.
 */
export class SqliteJurisdictionRepository implements JurisdictionRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async listCustomUnits(): Promise<CustomUnit[]> {
    const { db } = this.database;
    const units = db.prepare('SELECT * FROM jurisdiction_units ORDER BY code').all() as UnitRow[];
    const takeovers = db
      .prepare('SELECT township, unit FROM jurisdiction_takeovers ORDER BY township')
      .all() as {
      township: string;
      unit: string;
    }[];
    return units.map((row) => ({
      code: row.code,
      name: row.name,
      level: row.level,
      parent: row.parent,
      takesOver: takeovers.filter((t) => t.unit === row.code).map((t) => t.township),
      createdAt: row.created_at,
    }));
  }

  async insertCustomUnit(unit: CustomUnit): Promise<void> {
    const { db } = this.database;
    const insert = db.transaction(() => {
      db.prepare(
        'INSERT INTO jurisdiction_units (code, name, level, parent, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(unit.code, unit.name, unit.level, unit.parent, unit.createdAt);
      const takeover = db.prepare('INSERT INTO jurisdiction_takeovers (township, unit) VALUES (?, ?)');
      for (const township of unit.takesOver) takeover.run(township, unit.code);
    });
    try {
      insert.immediate();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('JURISDICTION_CONFLICT', 'The code, or one of the townships, is already taken.');
      }
      throw error;
    }
  }

  async deleteCustomUnit(code: string): Promise<boolean> {
    const result = this.database.db.prepare('DELETE FROM jurisdiction_units WHERE code = ?').run(code);
    return result.changes > 0;
  }

  async listBoundaries(): Promise<StoredBoundary[]> {
    const rows = this.database.db.prepare('SELECT * FROM jurisdiction_boundaries ORDER BY code').all() as {
      code: string;
      geometry: string;
      source: string;
      imported_at: string;
    }[];
    return rows.map((row) => ({
      code: row.code,
      polygons: JSON.parse(row.geometry) as MultiPolygon,
      source: row.source,
      importedAt: row.imported_at,
    }));
  }

  async upsertBoundaries(boundaries: StoredBoundary[]): Promise<void> {
    const { db } = this.database;
    const upsert = db.prepare(
      `INSERT INTO jurisdiction_boundaries (code, geometry, source, imported_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry, source = excluded.source,
         imported_at = excluded.imported_at`,
    );
    db.transaction(() => {
      for (const b of boundaries) upsert.run(b.code, JSON.stringify(b.polygons), b.source, b.importedAt);
    }).immediate();
  }

  async deleteBoundary(code: string): Promise<boolean> {
    const result = this.database.db.prepare('DELETE FROM jurisdiction_boundaries WHERE code = ?').run(code);
    return result.changes > 0;
  }
}
