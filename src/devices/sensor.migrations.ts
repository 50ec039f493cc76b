import type { Migration } from '../platform/db/migrate.js';

/**
 * The sensor registry. `key` is the dense integer the telemetry engine stores readings by:
 * AUTOINCREMENT (SQLite) and an identity sequence (PostgreSQL) both guarantee a deleted sensor's
 * key is never handed out again. The jurisdiction chain is stored in columns so that a scope
 * filter ("everything in 渝中区") is an index range, not a lookup per row. Ids sort bytewise on both
 * engines (COLLATE "C" on PostgreSQL), so pages come in the same order.
 */
export const sensorMigrations: Migration[] = [
  {
    id: '0002_sensors',
    sqlite: `
      CREATE TABLE sensors (
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
        province_code TEXT NOT NULL,
        prefecture_code TEXT,
        county_code TEXT,
        township_code TEXT,
        department TEXT,
        metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX sensors_province ON sensors (province_code, id);
      CREATE INDEX sensors_prefecture ON sensors (prefecture_code, id);
      CREATE INDEX sensors_county ON sensors (county_code, id);
      CREATE INDEX sensors_township ON sensors (township_code, id);
      CREATE INDEX sensors_type ON sensors (type, id);`,
    postgres: `
      CREATE TABLE sensors (
        key INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        type TEXT NOT NULL,
        lon DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
        province_code TEXT NOT NULL,
        prefecture_code TEXT,
        county_code TEXT,
        township_code TEXT,
        department TEXT,
        metadata JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX sensors_province ON sensors (province_code, id);
      CREATE INDEX sensors_prefecture ON sensors (prefecture_code, id);
      CREATE INDEX sensors_county ON sensors (county_code, id);
      CREATE INDEX sensors_township ON sensors (township_code, id);
      CREATE INDEX sensors_type ON sensors (type, id);`,
  },
];
