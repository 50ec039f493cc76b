import type { Migration } from '../platform/db/migrate.js';
import { COUNTERS } from './case-stats.js';

// The same shape on both engines; only types differ. Times are epoch milliseconds (BIGINT), so both
// engines compare and index them alike. Event content (attachments, data) is TEXT on PostgreSQL
// too: the audit hash is over the stored text's parsed value, and JSONB would re-order nothing we
// rely on but would hide the exact stored form from a reviewer.
type Types = { real: string; big: string; text: string };
const SQLITE_TYPES: Types = { real: 'REAL', big: 'INTEGER', text: 'TEXT' };

// The cases and occurrences tables by name, with `point` the constraint on lon/lat: 0006 made them
// NOT NULL, 0017 rebuilds them (SQLite) without it. One text, so the rebuild cannot drift.
function casesTable(t: Types, name: string, point: string): string {
  return `
    CREATE TABLE ${name} (
      id ${t.text} PRIMARY KEY,
      status TEXT NOT NULL,
      is_open SMALLINT NOT NULL,
      category TEXT NOT NULL,
      kind TEXT NOT NULL,
      priority TEXT NOT NULL,
      description TEXT NOT NULL,
      address TEXT,
      lon ${t.real}${point},
      lat ${t.real}${point},
      province_code TEXT NOT NULL,
      county_code TEXT NOT NULL,
      township_code TEXT NOT NULL,
      department_type TEXT,
      department_unit TEXT,
      level TEXT NOT NULL,
      routing TEXT,
      escalation SMALLINT NOT NULL,
      source TEXT NOT NULL,
      reporter TEXT,
      occurrences INTEGER NOT NULL,
      reported_at ${t.big} NOT NULL,
      last_reported_at ${t.big} NOT NULL,
      registered_at ${t.big},
      closed_at ${t.big},
      updated_at ${t.big} NOT NULL,
      stage TEXT,
      stage_started_at ${t.big} NOT NULL,
      stage_deadline ${t.big},
      due_at ${t.big} NOT NULL,
      next_escalation_at ${t.big},
      overdue SMALLINT NOT NULL,
      rework_count INTEGER NOT NULL,
      extension_count INTEGER NOT NULL,
      extension TEXT,
      suspended_from TEXT,
      merged_into TEXT,
      version INTEGER NOT NULL
    );`;
}

const CASES_INDEXES = `
    CREATE INDEX cases_time ON cases (reported_at, id);
    CREATE INDEX cases_province ON cases (province_code, status, reported_at, id);
    CREATE INDEX cases_county ON cases (county_code, status, category, reported_at, id);
    CREATE INDEX cases_county_time ON cases (county_code, reported_at, id);
    CREATE INDEX cases_township ON cases (township_code, reported_at, id);
    CREATE INDEX cases_department ON cases (department_type, department_unit, status, reported_at, id);
    CREATE INDEX cases_dedup ON cases (category, lat) WHERE is_open = 1;
    CREATE INDEX cases_escalation ON cases (next_escalation_at) WHERE next_escalation_at IS NOT NULL;`;

function occurrencesTable(t: Types, name: string, point: string): string {
  return `
    CREATE TABLE ${name} (
      id TEXT PRIMARY KEY,
      case_id ${t.text} NOT NULL,
      source TEXT NOT NULL,
      source_ref TEXT NOT NULL,
      lon ${t.real}${point},
      lat ${t.real}${point},
      description TEXT NOT NULL,
      reporter TEXT,
      reported_at ${t.big} NOT NULL,
      attachments TEXT NOT NULL,
      raw TEXT NOT NULL,
      UNIQUE (source, source_ref)
    );`;
}

const OCCURRENCES_INDEXES = `
    CREATE INDEX case_occurrences_case ON case_occurrences (case_id, reported_at);`;

function tables(t: Types): string {
  return `
    CREATE TABLE case_catalog (kind TEXT NOT NULL, code TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, code));
    CREATE TABLE case_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    ${casesTable(t, 'cases', ' NOT NULL')}
    ${CASES_INDEXES}
    ${occurrencesTable(t, 'case_occurrences', ' NOT NULL')}
    ${OCCURRENCES_INDEXES}
    CREATE TABLE case_events (
      seq ${t.big} PRIMARY KEY,
      case_id ${t.text} NOT NULL,
      action TEXT NOT NULL,
      from_status TEXT,
      to_status TEXT NOT NULL,
      at ${t.big} NOT NULL,
      actor TEXT NOT NULL,
      note TEXT,
      attachments TEXT NOT NULL,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX case_events_case ON case_events (case_id, seq);
    CREATE TABLE case_audit_head (id SMALLINT PRIMARY KEY CHECK (id = 1), seq ${t.big} NOT NULL, hash TEXT NOT NULL);
    INSERT INTO case_audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
    CREATE TABLE case_stats (
      level TEXT NOT NULL, unit TEXT NOT NULL, grain TEXT NOT NULL, bucket INTEGER NOT NULL,
      category TEXT NOT NULL, department TEXT NOT NULL,
      reported INTEGER NOT NULL, registered INTEGER NOT NULL, cancelled INTEGER NOT NULL,
      closed INTEGER NOT NULL, closed_on_time INTEGER NOT NULL, reworked INTEGER NOT NULL,
      extended INTEGER NOT NULL, open INTEGER NOT NULL, overdue INTEGER NOT NULL, escalated INTEGER NOT NULL,
      PRIMARY KEY (level, unit, grain, bucket, category, department)
    );
    CREATE TABLE case_stage_stats (
      level TEXT NOT NULL, unit TEXT NOT NULL, grain TEXT NOT NULL, bucket INTEGER NOT NULL,
      category TEXT NOT NULL, department TEXT NOT NULL, stage TEXT NOT NULL, bin SMALLINT NOT NULL,
      n INTEGER NOT NULL, total_ms ${t.big} NOT NULL,
      PRIMARY KEY (level, unit, grain, bucket, category, department, stage, bin)
    );`;
}

/**
 * Work queues by deadline (GET /cases?sort=deadline): open cases in the order of the deadline that
 * matters now (the stage's, else the expected closure), per scope column. Partial indexes: only
 * open cases, a few percent of all, are in them, so keeping them costs little per write.
 */
const DEADLINE_INDEXES = `
  CREATE INDEX cases_open_deadline ON cases ((COALESCE(stage_deadline, due_at)), id) WHERE is_open = 1;
  CREATE INDEX cases_open_province ON cases (province_code, (COALESCE(stage_deadline, due_at)), id) WHERE is_open = 1;
  CREATE INDEX cases_open_county ON cases (county_code, (COALESCE(stage_deadline, due_at)), id) WHERE is_open = 1;
  CREATE INDEX cases_open_township ON cases (township_code, (COALESCE(stage_deadline, due_at)), id) WHERE is_open = 1;
  CREATE INDEX cases_open_department ON cases (department_type, department_unit, (COALESCE(stage_deadline, due_at)), id)
    WHERE is_open = 1;`;

const AUDIT_ALGORITHM = `ALTER TABLE case_audit_head ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';`;

/**
 * Public replies (公开回复) beside the staff's private notes. Every existing event gets NULL: what
 * staff wrote before could hold names, phone numbers or dispatch reasons, so none of it becomes
 * public. The partial index serves Open311 servicerequestupdates (public replies by time).
 */
const PUBLIC_NOTES = `
  ALTER TABLE case_events ADD COLUMN public_note TEXT;
  CREATE INDEX case_events_public ON case_events (at, seq) WHERE public_note IS NOT NULL;`;

/**
 * Cases reported by address alone (待定位, needs location: Open311 `address_string` without a
 * point) have no lon/lat until command staff `locate` them. PostgreSQL drops the NOT NULLs in
 * place; SQLite cannot, so it rebuilds both tables with the same columns in the same order
 * (0006's DDL with the constraint left out; no later migration added columns to either, so
 * `SELECT *` copies them one to one) and recreates their indexes (0006, 0009). One pass over the
 * tables, in the migration's transaction. The partial index keeps the 待定位 queue cheap.
 */
const UNLOCATED_INDEX = 'CREATE INDEX cases_unlocated ON cases (reported_at, id) WHERE lon IS NULL;';
const POINTLESS_SQLITE = `
  ${casesTable(SQLITE_TYPES, 'cases_0017', '')}
  INSERT INTO cases_0017 SELECT * FROM cases;
  DROP TABLE cases;
  ALTER TABLE cases_0017 RENAME TO cases;
  ${CASES_INDEXES}
  ${DEADLINE_INDEXES}
  ${occurrencesTable(SQLITE_TYPES, 'case_occurrences_0017', '')}
  INSERT INTO case_occurrences_0017 SELECT * FROM case_occurrences;
  DROP TABLE case_occurrences;
  ALTER TABLE case_occurrences_0017 RENAME TO case_occurrences;
  ${OCCURRENCES_INDEXES}
  ${UNLOCATED_INDEX}`;
const POINTLESS_POSTGRES = `
  ALTER TABLE cases ALTER COLUMN lon DROP NOT NULL, ALTER COLUMN lat DROP NOT NULL;
  ALTER TABLE case_occurrences ALTER COLUMN lon DROP NOT NULL, ALTER COLUMN lat DROP NOT NULL;
  ${UNLOCATED_INDEX}`;

/**
 * Cases: the catalog (categories, department types, routing rules as JSON documents), cases with
 * their jurisdiction chain in columns (scope filters are index ranges), occurrences (one per
 * report, raw record kept), the event log that is also the audit chain, and the maintained
 * statistics aggregates. See docs/cases.md.
 */
export const caseMigrations: Migration[] = [
  {
    id: '0006_cases',
    sqlite: tables(SQLITE_TYPES),
    postgres: tables({ real: 'DOUBLE PRECISION', big: 'BIGINT', text: 'TEXT COLLATE "C"' }),
  },
  { id: '0008_case_stats_by_level', sqlite: foldDepartmentsSql(), postgres: foldDepartmentsSql() },
  { id: '0009_case_deadline_queues', sqlite: DEADLINE_INDEXES, postgres: DEADLINE_INDEXES },
  { id: '0010_case_public_notes', sqlite: PUBLIC_NOTES, postgres: PUBLIC_NOTES },
  // The hash function new audit links use (sha256 | sm3), kept with the head it applies to, so the
  // writer reads it in the same transaction as the head; each link's hash says its own.
  {
    id: '0015_case_audit_algorithm',
    sqlite: AUDIT_ALGORITHM,
    postgres: AUDIT_ALGORITHM,
  },
  { id: '0017_case_without_point', sqlite: POINTLESS_SQLITE, postgres: POINTLESS_POSTGRES },
];

/**
 * County and city aggregate rows stop carrying the department (statKeys): each level's rows of
 * one (unit, bucket, category) are summed into the row with department '' and removed.
 */
export function foldDepartmentsSql(): string {
  const counters = COUNTERS.join(', ');
  const sums = COUNTERS.map((c) => `SUM(${c})`).join(', ');
  const adds = COUNTERS.map((c) => `${c} = case_stats.${c} + excluded.${c}`).join(', ');
  const key = 'level, unit, grain, bucket, category';
  return `
    INSERT INTO case_stats (${key}, department, ${counters})
      SELECT ${key}, '', ${sums} FROM case_stats
      WHERE level <> 'township' AND department <> '' GROUP BY ${key}
      ON CONFLICT (${key}, department) DO UPDATE SET ${adds};
    DELETE FROM case_stats WHERE level <> 'township' AND department <> '';
    INSERT INTO case_stage_stats (${key}, department, stage, bin, n, total_ms)
      SELECT ${key}, '', stage, bin, SUM(n), SUM(total_ms) FROM case_stage_stats
      WHERE level <> 'township' AND department <> '' GROUP BY ${key}, stage, bin
      ON CONFLICT (${key}, department, stage, bin)
      DO UPDATE SET n = case_stage_stats.n + excluded.n, total_ms = case_stage_stats.total_ms + excluded.total_ms;
    DELETE FROM case_stage_stats WHERE level <> 'township' AND department <> '';`;
}
