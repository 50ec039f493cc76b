import type { Migration } from '../platform/db/migrate.js';

/** Tables for what a city adds to the official tree: extra units, their townships, real boundaries. */
export const jurisdictionMigrations: Migration[] = [
  {
    id: '0001_jurisdictions',
    sqlite: `
      CREATE TABLE jurisdiction_units (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('prefecture', 'county', 'township')),
        parent TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE jurisdiction_takeovers (
        township TEXT PRIMARY KEY,
        unit TEXT NOT NULL REFERENCES jurisdiction_units (code) ON DELETE CASCADE
      );
      CREATE INDEX jurisdiction_takeovers_unit ON jurisdiction_takeovers (unit);
      CREATE TABLE jurisdiction_boundaries (
        code TEXT PRIMARY KEY,
        geometry TEXT NOT NULL,
        source TEXT NOT NULL,
        imported_at TEXT NOT NULL
      );`,
    postgres: `
      CREATE TABLE jurisdiction_units (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('prefecture', 'county', 'township')),
        parent TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE jurisdiction_takeovers (
        township TEXT PRIMARY KEY,
        unit TEXT NOT NULL REFERENCES jurisdiction_units (code) ON DELETE CASCADE
      );
      CREATE INDEX jurisdiction_takeovers_unit ON jurisdiction_takeovers (unit);
      CREATE TABLE jurisdiction_boundaries (
        code TEXT PRIMARY KEY,
        geometry JSONB NOT NULL,
        source TEXT NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL
      );`,
  },
];
