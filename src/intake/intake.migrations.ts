import type { Migration } from '../platform/db/migrate.js';

/**
 * The intake adapters' tables. Cameras mirror the sensor registry (chain in columns, so a scope
 * filter is an index range). Every source keeps its own raw record next to the case it fed:
 * detections (all of them, also those below threshold), Open311 requests, hotline records, and the
 * alarm → case links that make the alarm policy idempotent. Times are epoch milliseconds (BIGINT)
 * except the camera registry's, which follow the sensors' ISO-8601 / TIMESTAMPTZ.
 */
export const intakeMigrations: Migration[] = [
  {
    id: '0007_intake',
    sqlite: `
      CREATE TABLE cameras (
        id TEXT PRIMARY KEY,
        name TEXT,
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
      CREATE INDEX cameras_province ON cameras (province_code, id);
      CREATE INDEX cameras_prefecture ON cameras (prefecture_code, id);
      CREATE INDEX cameras_county ON cameras (county_code, id);
      CREATE INDEX cameras_township ON cameras (township_code, id);
      CREATE TABLE detections (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id TEXT NOT NULL,
        class TEXT NOT NULL,
        confidence REAL NOT NULL,
        ts INTEGER NOT NULL,
        snapshot_url TEXT,
        qualified INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        case_id TEXT,
        received_at INTEGER NOT NULL,
        raw TEXT NOT NULL
      );
      CREATE INDEX detections_window ON detections (camera_id, class, ts);
      CREATE INDEX detections_case ON detections (case_id) WHERE case_id IS NOT NULL;
      CREATE TABLE camera_cases (
        camera_id TEXT NOT NULL,
        class TEXT NOT NULL,
        case_id TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (camera_id, class)
      );
      CREATE TABLE alarm_cases (
        alarm_id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE open311_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token TEXT NOT NULL UNIQUE,
        case_id TEXT NOT NULL,
        service_code TEXT NOT NULL,
        description TEXT NOT NULL,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        address TEXT,
        media_url TEXT,
        requested_at INTEGER NOT NULL,
        raw TEXT NOT NULL
      );
      CREATE INDEX open311_requested ON open311_requests (requested_at);
      CREATE TABLE hotline_records (
        record_no TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        raw TEXT NOT NULL
      );`,
    postgres: `
      CREATE TABLE cameras (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT,
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
      CREATE INDEX cameras_province ON cameras (province_code, id);
      CREATE INDEX cameras_prefecture ON cameras (prefecture_code, id);
      CREATE INDEX cameras_county ON cameras (county_code, id);
      CREATE INDEX cameras_township ON cameras (township_code, id);
      CREATE TABLE detections (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        camera_id TEXT NOT NULL,
        class TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        ts BIGINT NOT NULL,
        snapshot_url TEXT,
        qualified BOOLEAN NOT NULL,
        outcome TEXT NOT NULL,
        case_id TEXT,
        received_at BIGINT NOT NULL,
        raw JSONB NOT NULL
      );
      CREATE INDEX detections_window ON detections (camera_id, class, ts);
      CREATE INDEX detections_case ON detections (case_id) WHERE case_id IS NOT NULL;
      CREATE TABLE camera_cases (
        camera_id TEXT NOT NULL,
        class TEXT NOT NULL,
        case_id TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (camera_id, class)
      );
      CREATE TABLE alarm_cases (
        alarm_id BIGINT PRIMARY KEY,
        case_id TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE open311_requests (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        case_id TEXT NOT NULL,
        service_code TEXT NOT NULL,
        description TEXT NOT NULL,
        lon DOUBLE PRECISION NOT NULL,
        lat DOUBLE PRECISION NOT NULL,
        address TEXT,
        media_url TEXT,
        requested_at BIGINT NOT NULL,
        raw JSONB NOT NULL
      );
      CREATE INDEX open311_requested ON open311_requests (requested_at);
      CREATE TABLE hotline_records (
        record_no TEXT COLLATE "C" PRIMARY KEY,
        case_id TEXT NOT NULL,
        imported_at BIGINT NOT NULL,
        raw JSONB NOT NULL
      );`,
  },
  // Open311 servicerequestupdates finds the requests of the cases a public reply was written on.
  {
    id: '0011_open311_by_case',
    sqlite: 'CREATE INDEX open311_case ON open311_requests (case_id);',
    postgres: 'CREATE INDEX open311_case ON open311_requests (case_id);',
  },
  // A request may give address_string alone (its case is 待定位, needs location): no point. SQLite
  // cannot drop a NOT NULL, so it rebuilds the table with 0007's columns in 0007's order; copying
  // the ids keeps them, and AUTOINCREMENT's counter follows the copied maximum.
  {
    id: '0018_open311_without_point',
    sqlite: `
      CREATE TABLE open311_requests_0018 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token TEXT NOT NULL UNIQUE,
        case_id TEXT NOT NULL,
        service_code TEXT NOT NULL,
        description TEXT NOT NULL,
        lon REAL,
        lat REAL,
        address TEXT,
        media_url TEXT,
        requested_at INTEGER NOT NULL,
        raw TEXT NOT NULL
      );
      INSERT INTO open311_requests_0018 SELECT * FROM open311_requests;
      DROP TABLE open311_requests;
      ALTER TABLE open311_requests_0018 RENAME TO open311_requests;
      CREATE INDEX open311_requested ON open311_requests (requested_at);
      CREATE INDEX open311_case ON open311_requests (case_id);`,
    postgres: 'ALTER TABLE open311_requests ALTER COLUMN lon DROP NOT NULL, ALTER COLUMN lat DROP NOT NULL;',
  },
];
