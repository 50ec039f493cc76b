import type { SqliteDatabase } from '../platform/db/database.js';
import { AppError } from '../errors.js';
import { SCOPE_COLUMN } from '../devices/device.js';
import type { AlarmRepository } from './alarm.repository.js';
import type {
  Alarm,
  AlarmChanges,
  AlarmComment,
  AlarmListQuery,
  AlarmRule,
  EvaluatorCheckpoint,
  MaintenanceWindow,
  NewAlarm,
} from './alarm.types.js';
import {
  jsonOrNull,
  num,
  openAlarmConflict,
  str,
  toAlarm,
  toComment,
  toRule,
  toWindow,
  type Decode,
  type Row,
} from './alarm.rows.js';

type Value = string | number | null;

// SQLite keeps JSON as text and booleans as 0/1.
const SQLITE: Decode = {
  json: (v): unknown => (v === null || v === undefined ? null : (JSON.parse(v as string) as unknown)),
  bool: (v) => v === 1,
};

/** Rule columns after id, in the order ruleValues gives them. */
const RULE_COLUMNS = `
  name description kind sensor_type jurisdiction sensor params severity schedule escalation
  enabled builtin version created_by created_at updated_at`
  .trim()
  .split(/\s+/);

function ruleValues(r: AlarmRule): Value[] {
  return [
    r.name,
    r.description,
    r.kind,
    r.sensorType,
    r.jurisdiction,
    r.sensor,
    JSON.stringify(r.params),
    r.severity,
    jsonOrNull(r.schedule),
    jsonOrNull(r.escalation),
    r.enabled ? 1 : 0,
    r.builtin ? 1 : 0,
    r.version,
    r.createdBy,
    r.createdAt,
    r.updatedAt,
  ];
}

/** Fixed at raising: who fired it (rule, kind, subject), when, and at which severity. */
const ALARM_FIXED_COLUMNS = ['rule_id', 'kind', 'subject', 'raised_at', 'initial_severity'];
/** Everything an update may change, in the order mutableValues gives them. */
const ALARM_MUTABLE_COLUMNS = `
  rule_name sensor_id sensor_type domain province_code prefecture_code county_code
  township_code severity state message value first_seen_at last_seen_at occurrences
  acknowledged_at acknowledged_by cleared_at cleared_by clear_reason escalated_at updated_at`
  .trim()
  .split(/\s+/);

function fixedValues(a: NewAlarm): Value[] {
  return [a.ruleId, a.kind, a.subject, a.raisedAt, a.initialSeverity];
}

function mutableValues(a: NewAlarm): Value[] {
  return [
    a.ruleName,
    a.sensorId,
    a.sensorType,
    a.domain,
    a.provinceCode,
    a.prefectureCode,
    a.countyCode,
    a.townshipCode,
    a.severity,
    a.state,
    a.message,
    a.value,
    a.firstSeenAt,
    a.lastSeenAt,
    a.occurrences,
    a.acknowledgedAt,
    a.acknowledgedBy,
    a.clearedAt,
    a.clearedBy,
    a.clearReason,
    a.escalatedAt,
    a.updatedAt,
  ];
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function openConflict(error: unknown, alarm: NewAlarm): unknown {
  return isUniqueViolation(error) ? openAlarmConflict(alarm.ruleId, alarm.subject, error) : error;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** AlarmRepository on the embedded SQLite database (async like the PostgreSQL one). */
export class SqliteAlarmRepository implements AlarmRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  async listRules(): Promise<AlarmRule[]> {
    return (this.db.prepare('SELECT * FROM alarm_rules ORDER BY id').all() as Row[]).map((r) =>
      toRule(r, SQLITE),
    );
  }

  async getRule(id: string): Promise<AlarmRule | null> {
    const row = this.db.prepare('SELECT * FROM alarm_rules WHERE id = ?').get(id) as Row | undefined;
    return row ? toRule(row, SQLITE) : null;
  }

  async insertRule(rule: AlarmRule): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO alarm_rules (id, ${RULE_COLUMNS.join(', ')})
           VALUES (${placeholders(RULE_COLUMNS.length + 1)})`,
        )
        .run(rule.id, ...ruleValues(rule));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('RULE_CONFLICT', `An alarm rule with id "${rule.id}" already exists.`);
      }
      throw error;
    }
  }

  async updateRule(rule: AlarmRule): Promise<boolean> {
    const set = RULE_COLUMNS.map((c) => `${c} = ?`).join(', ');
    const result = this.db
      .prepare(`UPDATE alarm_rules SET ${set} WHERE id = ?`)
      .run(...ruleValues(rule), rule.id);
    return result.changes > 0;
  }

  async deleteRule(id: string): Promise<boolean> {
    const remove = this.db.prepare('DELETE FROM alarm_rules WHERE id = ? RETURNING builtin');
    const remember = this.db.prepare(
      'INSERT INTO alarm_rule_tombstones (id) VALUES (?) ON CONFLICT DO NOTHING',
    );
    return this.db
      .transaction(() => {
        const row = remove.get(id) as { builtin: number } | undefined;
        if (row?.builtin === 1) remember.run(id);
        return row !== undefined;
      })
      .immediate();
  }

  async seedRules(rules: readonly AlarmRule[]): Promise<number> {
    // A rule whose id is stored or was deleted as a built-in is left alone.
    const insert = this.db.prepare(
      `INSERT INTO alarm_rules (id, ${RULE_COLUMNS.join(', ')})
       SELECT ${placeholders(RULE_COLUMNS.length + 1)}
       WHERE NOT EXISTS (SELECT 1 FROM alarm_rule_tombstones WHERE id = ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    return this.db
      .transaction(() => rules.reduce((n, r) => n + insert.run(r.id, ...ruleValues(r), r.id).changes, 0))
      .immediate();
  }

  async applyChanges(changes: AlarmChanges): Promise<Alarm[]> {
    const insert = this.db.prepare(
      `INSERT INTO alarms (${[...ALARM_FIXED_COLUMNS, ...ALARM_MUTABLE_COLUMNS].join(', ')})
       VALUES (${placeholders(ALARM_FIXED_COLUMNS.length + ALARM_MUTABLE_COLUMNS.length)})`,
    );
    const update = this.db.prepare(
      `UPDATE alarms SET ${ALARM_MUTABLE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    );
    const save = this.db.prepare(
      `INSERT INTO alarm_checkpoint (id, seq, state, saved_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at`,
    );
    const apply = this.db.transaction(() => {
      // Updates first: a batch may clear an alarm and raise a new one for the same rule and subject.
      for (const alarm of changes.updates) {
        let changed: number;
        try {
          changed = update.run(...mutableValues(alarm), alarm.id).changes;
        } catch (error) {
          throw openConflict(error, alarm);
        }
        if (changed === 0) throw new Error(`alarm ${alarm.id} does not exist`);
      }
      const inserted = changes.inserts.map((alarm): Alarm => {
        try {
          const { lastInsertRowid } = insert.run(...fixedValues(alarm), ...mutableValues(alarm));
          return { ...alarm, id: Number(lastInsertRowid) };
        } catch (error) {
          throw openConflict(error, alarm);
        }
      });
      const { checkpoint } = changes;
      if (checkpoint) save.run(checkpoint.seq, checkpoint.state, checkpoint.savedAt);
      return inserted;
    });
    return apply.immediate();
  }

  async getAlarm(id: number): Promise<Alarm | null> {
    const row = this.db.prepare('SELECT * FROM alarms WHERE id = ?').get(id) as Row | undefined;
    return row ? toAlarm(row) : null;
  }

  async listOpenAlarms(): Promise<Alarm[]> {
    const rows = this.db
      .prepare(`SELECT * FROM alarms WHERE state IN ('active', 'acknowledged') ORDER BY id`)
      .all() as Row[];
    return rows.map(toAlarm);
  }

  async listAlarms(query: AlarmListQuery): Promise<{ items: Alarm[]; total: number }> {
    const where: string[] = [];
    const params: Value[] = [];
    const inList = (column: string, values: readonly string[] | undefined) => {
      if (values === undefined) return;
      where.push(`${column} IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(values));
    };
    inList('state', query.states);
    inList('severity', query.severities);
    inList('domain', query.domains);
    if (query.scope !== undefined) {
      where.push(`${SCOPE_COLUMN[query.scope.level]} = ?`);
      params.push(query.scope.code);
    }
    if (query.ruleId !== undefined) {
      where.push('rule_id = ?');
      params.push(query.ruleId);
    }
    if (query.sensorId !== undefined) {
      where.push('sensor_id = ?');
      params.push(query.sensorId);
    }
    // The total counts every page, so the cursor joins the filters only for the page itself.
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM alarms ${clause}`).get(...params) as {
      total: number;
    };
    const page = query.before === undefined ? where : [...where, 'id < ?'];
    const pageParams = query.before === undefined ? params : [...params, query.before];
    const pageClause = page.length > 0 ? `WHERE ${page.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM alarms ${pageClause} ORDER BY id DESC LIMIT ?`)
      .all(...pageParams, query.limit) as Row[];
    return { items: rows.map(toAlarm), total };
  }

  async addComment(comment: Omit<AlarmComment, 'id'>): Promise<AlarmComment> {
    const row = this.db
      .prepare(
        'INSERT INTO alarm_comments (alarm_id, author, text, created_at) VALUES (?, ?, ?, ?) RETURNING *',
      )
      .get(comment.alarmId, comment.author, comment.text, comment.createdAt) as Row;
    return toComment(row);
  }

  async listComments(alarmId: number): Promise<AlarmComment[]> {
    const rows = this.db
      .prepare('SELECT * FROM alarm_comments WHERE alarm_id = ? ORDER BY created_at, id')
      .all(alarmId) as Row[];
    return rows.map(toComment);
  }

  async insertWindow(window: MaintenanceWindow): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO maintenance_windows (id, jurisdiction, sensors, starts_at, ends_at, reason, created_by,
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          window.id,
          window.jurisdiction,
          jsonOrNull(window.sensors),
          window.startsAt,
          window.endsAt,
          window.reason,
          window.createdBy,
          window.createdAt,
        );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('WINDOW_CONFLICT', `A maintenance window with id "${window.id}" already exists.`);
      }
      throw error;
    }
  }

  async listWindows(now: number): Promise<MaintenanceWindow[]> {
    const rows = this.db
      .prepare('SELECT * FROM maintenance_windows WHERE ends_at > ? ORDER BY starts_at, id')
      .all(now) as Row[];
    return rows.map((r) => toWindow(r, SQLITE));
  }

  async getWindow(id: string): Promise<MaintenanceWindow | null> {
    const row = this.db.prepare('SELECT * FROM maintenance_windows WHERE id = ?').get(id) as Row | undefined;
    return row ? toWindow(row, SQLITE) : null;
  }

  async deleteWindow(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM maintenance_windows WHERE id = ?').run(id).changes > 0;
  }

  async loadCheckpoint(): Promise<EvaluatorCheckpoint | null> {
    const row = this.db.prepare('SELECT * FROM alarm_checkpoint WHERE id = 1').get() as Row | undefined;
    return row ? { seq: num(row.seq), state: str(row.state), savedAt: num(row.saved_at) } : null;
  }
}
