import type { Migration } from '../platform/db/migrate.js';

/**
 * Rules, alarms, comments, maintenance windows and the evaluator checkpoint. Times are epoch
 * milliseconds (INTEGER / BIGINT), as everywhere inside the alarm domain.
 *
 * `active_key` is a generated column (rule_id|subject while the alarm is not cleared, NULL once it
 * is) under a unique index: the database itself refuses a second open alarm for the same rule and
 * subject, and no code path can forget to set or clear the key. Alarms keep the jurisdiction chain
 * in columns, like sensors, so a scope filter is an index range. Newest-first paging walks the
 * primary key backwards, so it needs no index of its own; every list filter has one ending in id.
 * Ids sort bytewise on both engines (COLLATE "C" on PostgreSQL).
 */
export const alarmMigrations: Migration[] = [
  {
    id: '0005_alarms',
    sqlite: `
      CREATE TABLE alarm_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        kind TEXT NOT NULL,
        sensor_type TEXT,
        jurisdiction TEXT,
        sensor TEXT,
        params TEXT NOT NULL CHECK (json_type(params) = 'object'),
        severity TEXT NOT NULL,
        schedule TEXT CHECK (schedule IS NULL OR json_type(schedule) = 'object'),
        escalation TEXT CHECK (escalation IS NULL OR json_type(escalation) = 'object'),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        builtin INTEGER NOT NULL CHECK (builtin IN (0, 1)),
        version INTEGER NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE alarm_rule_tombstones (id TEXT PRIMARY KEY);
      CREATE TABLE alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule_id TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        sensor_id TEXT,
        sensor_type TEXT,
        domain TEXT NOT NULL,
        province_code TEXT NOT NULL,
        prefecture_code TEXT,
        county_code TEXT,
        township_code TEXT,
        severity TEXT NOT NULL,
        initial_severity TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
        message TEXT NOT NULL,
        value REAL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        occurrences INTEGER NOT NULL,
        raised_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        cleared_at INTEGER,
        cleared_by TEXT,
        clear_reason TEXT,
        escalated_at INTEGER,
        updated_at INTEGER NOT NULL,
        active_key TEXT GENERATED ALWAYS AS
          (CASE WHEN state <> 'cleared' THEN rule_id || '|' || subject END) STORED
      );
      CREATE UNIQUE INDEX alarms_active_key ON alarms (active_key);
      CREATE INDEX alarms_state ON alarms (state, id);
      CREATE INDEX alarms_severity ON alarms (severity, id);
      CREATE INDEX alarms_domain ON alarms (domain, id);
      CREATE INDEX alarms_rule ON alarms (rule_id, id);
      CREATE INDEX alarms_sensor ON alarms (sensor_id, id);
      CREATE INDEX alarms_province ON alarms (province_code, id);
      CREATE INDEX alarms_prefecture ON alarms (prefecture_code, id);
      CREATE INDEX alarms_county ON alarms (county_code, id);
      CREATE INDEX alarms_township ON alarms (township_code, id);
      CREATE TABLE alarm_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alarm_id INTEGER NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX alarm_comments_alarm ON alarm_comments (alarm_id, created_at, id);
      CREATE TABLE maintenance_windows (
        id TEXT PRIMARY KEY,
        jurisdiction TEXT,
        sensors TEXT CHECK (sensors IS NULL OR json_type(sensors) = 'array'),
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);
      CREATE TABLE alarm_checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );`,
    postgres: `
      CREATE TABLE alarm_rules (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        kind TEXT NOT NULL,
        sensor_type TEXT,
        jurisdiction TEXT,
        sensor TEXT,
        params JSONB NOT NULL CHECK (jsonb_typeof(params) = 'object'),
        severity TEXT NOT NULL,
        schedule JSONB CHECK (schedule IS NULL OR jsonb_typeof(schedule) = 'object'),
        escalation JSONB CHECK (escalation IS NULL OR jsonb_typeof(escalation) = 'object'),
        enabled BOOLEAN NOT NULL,
        builtin BOOLEAN NOT NULL,
        version INTEGER NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE alarm_rule_tombstones (id TEXT COLLATE "C" PRIMARY KEY);
      CREATE TABLE alarms (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rule_id TEXT COLLATE "C" NOT NULL,
        rule_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT COLLATE "C" NOT NULL,
        sensor_id TEXT COLLATE "C",
        sensor_type TEXT,
        domain TEXT NOT NULL,
        province_code TEXT NOT NULL,
        prefecture_code TEXT,
        county_code TEXT,
        township_code TEXT,
        severity TEXT NOT NULL,
        initial_severity TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
        message TEXT NOT NULL,
        value DOUBLE PRECISION,
        first_seen_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        occurrences INTEGER NOT NULL,
        raised_at BIGINT NOT NULL,
        acknowledged_at BIGINT,
        acknowledged_by TEXT,
        cleared_at BIGINT,
        cleared_by TEXT,
        clear_reason TEXT,
        escalated_at BIGINT,
        updated_at BIGINT NOT NULL,
        active_key TEXT COLLATE "C" GENERATED ALWAYS AS
          (CASE WHEN state <> 'cleared' THEN rule_id || '|' || subject END) STORED
      );
      CREATE UNIQUE INDEX alarms_active_key ON alarms (active_key);
      CREATE INDEX alarms_state ON alarms (state, id);
      CREATE INDEX alarms_severity ON alarms (severity, id);
      CREATE INDEX alarms_domain ON alarms (domain, id);
      CREATE INDEX alarms_rule ON alarms (rule_id, id);
      CREATE INDEX alarms_sensor ON alarms (sensor_id, id);
      CREATE INDEX alarms_province ON alarms (province_code, id);
      CREATE INDEX alarms_prefecture ON alarms (prefecture_code, id);
      CREATE INDEX alarms_county ON alarms (county_code, id);
      CREATE INDEX alarms_township ON alarms (township_code, id);
      CREATE TABLE alarm_comments (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        alarm_id BIGINT NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX alarm_comments_alarm ON alarm_comments (alarm_id, created_at, id);
      CREATE TABLE maintenance_windows (
        id TEXT COLLATE "C" PRIMARY KEY,
        jurisdiction TEXT,
        sensors JSONB CHECK (sensors IS NULL OR jsonb_typeof(sensors) = 'array'),
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);
      CREATE TABLE alarm_checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        state TEXT NOT NULL,
        saved_at BIGINT NOT NULL
      );`,
  },
];
