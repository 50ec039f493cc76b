import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
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

// jsonb and boolean columns arrive parsed.
const POSTGRES: Decode = { json: (v) => v ?? null, bool: (v) => v === true };

/** Rule columns and casts in the order ruleValues gives them; id is $1. */
const RULE_COLUMNS: [string, string][] = [
  ['name', 'text'],
  ['description', 'text'],
  ['kind', 'text'],
  ['sensor_type', 'text'],
  ['jurisdiction', 'text'],
  ['sensor', 'text'],
  ['params', 'jsonb'],
  ['severity', 'text'],
  ['schedule', 'jsonb'],
  ['escalation', 'jsonb'],
  ['enabled', 'boolean'],
  ['builtin', 'boolean'],
  ['version', 'integer'],
  ['created_by', 'text'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
];
const RULE_NAMES = RULE_COLUMNS.map(([c]) => c).join(', ');
const RULE_PARAMS = RULE_COLUMNS.map(([, t], i) => `$${i + 2}::${t}`).join(', ');

function ruleValues(r: AlarmRule): unknown[] {
  return [
    r.id,
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
    r.enabled,
    r.builtin,
    r.version,
    r.createdBy,
    r.createdAt,
    r.updatedAt,
  ];
}

/** A column of the alarms table: its PostgreSQL type and how to read it from an alarm. */
type AlarmColumn = [name: string, type: string, get: (a: NewAlarm) => unknown];

/** Fixed at raising: who fired it (rule, kind, subject), when, and at which severity. */
const FIXED: AlarmColumn[] = [
  ['rule_id', 'text', (a) => a.ruleId],
  ['kind', 'text', (a) => a.kind],
  ['subject', 'text', (a) => a.subject],
  ['raised_at', 'bigint', (a) => a.raisedAt],
  ['initial_severity', 'text', (a) => a.initialSeverity],
];
/** Everything an update may change. */
const MUTABLE: AlarmColumn[] = [
  ['rule_name', 'text', (a) => a.ruleName],
  ['sensor_id', 'text', (a) => a.sensorId],
  ['sensor_type', 'text', (a) => a.sensorType],
  ['domain', 'text', (a) => a.domain],
  ['province_code', 'text', (a) => a.provinceCode],
  ['prefecture_code', 'text', (a) => a.prefectureCode],
  ['county_code', 'text', (a) => a.countyCode],
  ['township_code', 'text', (a) => a.townshipCode],
  ['severity', 'text', (a) => a.severity],
  ['state', 'text', (a) => a.state],
  ['message', 'text', (a) => a.message],
  ['value', 'float8', (a) => a.value],
  ['first_seen_at', 'bigint', (a) => a.firstSeenAt],
  ['last_seen_at', 'bigint', (a) => a.lastSeenAt],
  ['occurrences', 'integer', (a) => a.occurrences],
  ['acknowledged_at', 'bigint', (a) => a.acknowledgedAt],
  ['acknowledged_by', 'text', (a) => a.acknowledgedBy],
  ['cleared_at', 'bigint', (a) => a.clearedAt],
  ['cleared_by', 'text', (a) => a.clearedBy],
  ['clear_reason', 'text', (a) => a.clearReason],
  ['escalated_at', 'bigint', (a) => a.escalatedAt],
  ['updated_at', 'bigint', (a) => a.updatedAt],
];
const ALL = [...FIXED, ...MUTABLE];

// Alarms go in and change as one unnest() per chunk: a city-wide outage can make every sensor
// stale at once, and one round trip per alarm would hold the transaction open for minutes.
const CHUNK = 1000;

/** `$1::text[], $2::bigint[], …` for the columns, numbered from `first`. */
const arrays = (columns: AlarmColumn[], first = 1): string =>
  columns.map(([, type], i) => `$${first + i}::${type}[]`).join(', ');

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown }).code === '23505';

function openConflict(error: unknown): unknown {
  if (!isUniqueViolation(error)) return error;
  // detail: Key (active_key)=(rule|subject) already exists.
  const detail = (error as { detail?: unknown }).detail;
  const key = typeof detail === 'string' ? /\)=\((.*)\) already exists/.exec(detail)?.[1] : undefined;
  const [ruleId, subject] = key?.split('|') ?? ['?', '?'];
  return openAlarmConflict(ruleId ?? '?', subject ?? '?', error);
}

/** AlarmRepository on PostgreSQL. */
export class PostgresAlarmRepository implements AlarmRepository {
  constructor(private readonly database: PostgresDatabase) {}

  private async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.database.pool.query<Row>(sql, params)).rows;
  }
  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.database.pool.query(sql, params)).rowCount ?? 0) > 0;
  }

  async listRules(): Promise<AlarmRule[]> {
    return (await this.all('SELECT * FROM alarm_rules ORDER BY id')).map((r) => toRule(r, POSTGRES));
  }

  async getRule(id: string): Promise<AlarmRule | null> {
    const [row] = await this.all('SELECT * FROM alarm_rules WHERE id = $1', [id]);
    return row ? toRule(row, POSTGRES) : null;
  }

  async insertRule(rule: AlarmRule): Promise<void> {
    try {
      await this.database.pool.query(
        `INSERT INTO alarm_rules (id, ${RULE_NAMES}) VALUES ($1, ${RULE_PARAMS})`,
        ruleValues(rule),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('RULE_CONFLICT', `An alarm rule with id "${rule.id}" already exists.`);
      }
      throw error;
    }
  }

  async updateRule(rule: AlarmRule): Promise<boolean> {
    const set = RULE_COLUMNS.map(([c, t], i) => `${c} = $${i + 2}::${t}`).join(', ');
    return this.changed(`UPDATE alarm_rules SET ${set} WHERE id = $1`, ruleValues(rule));
  }

  async deleteRule(id: string): Promise<boolean> {
    // One statement: the delete and the tombstone of a built-in rule commit together.
    const rows = await this.all(
      `WITH gone AS (DELETE FROM alarm_rules WHERE id = $1 RETURNING id, builtin),
            remembered AS (
              INSERT INTO alarm_rule_tombstones (id) SELECT id FROM gone WHERE builtin ON CONFLICT DO NOTHING
            )
       SELECT id FROM gone`,
      [id],
    );
    return rows.length > 0;
  }

  async seedRules(rules: readonly AlarmRule[]): Promise<number> {
    if (rules.length === 0) return 0;
    return withTransaction(this.database.pool, async (client) => {
      let inserted = 0;
      for (const rule of rules) {
        // A rule whose id is stored or was deleted as a built-in is left alone.
        const result = await client.query(
          `INSERT INTO alarm_rules (id, ${RULE_NAMES})
           SELECT $1, ${RULE_PARAMS}
           WHERE NOT EXISTS (SELECT 1 FROM alarm_rule_tombstones WHERE id = $1)
           ON CONFLICT (id) DO NOTHING`,
          ruleValues(rule),
        );
        inserted += result.rowCount ?? 0;
      }
      return inserted;
    });
  }

  async applyChanges(changes: AlarmChanges): Promise<Alarm[]> {
    return withTransaction(this.database.pool, async (client) => {
      // Updates first: a batch may clear an alarm and raise a new one for the same rule and subject.
      // The last update of an id wins, as if they were applied one by one.
      const updates = [...new Map(changes.updates.map((a) => [a.id, a])).values()];
      for (let start = 0; start < updates.length; start += CHUNK) {
        const chunk = updates.slice(start, start + CHUNK);
        const set = MUTABLE.map(([c]) => `${c} = u.${c}`).join(', ');
        const names = MUTABLE.map(([c]) => c).join(', ');
        const result = await client
          .query(
            `UPDATE alarms AS a SET ${set}
             FROM unnest($1::bigint[], ${arrays(MUTABLE, 2)}) AS u (id, ${names})
             WHERE a.id = u.id`,
            [chunk.map((a) => a.id), ...MUTABLE.map(([, , get]) => chunk.map(get))],
          )
          .catch((error: unknown) => {
            throw openConflict(error);
          });
        if ((result.rowCount ?? 0) !== chunk.length) {
          const { rows } = await client.query<{ id: unknown }>(
            'SELECT id FROM alarms WHERE id = ANY($1::bigint[])',
            [chunk.map((a) => a.id)],
          );
          const found = new Set(rows.map((r) => num(r.id)));
          throw new Error(`alarm ${chunk.find((a) => !found.has(a.id))?.id} does not exist`);
        }
      }
      const inserted: Alarm[] = [];
      for (let start = 0; start < changes.inserts.length; start += CHUNK) {
        const chunk = changes.inserts.slice(start, start + CHUNK);
        const names = ALL.map(([c]) => c).join(', ');
        // WITH ORDINALITY + ORDER BY makes the identity sequence follow input order, so the
        // returned ids, sorted, line up with the chunk.
        const { rows } = await client
          .query<{ id: unknown }>(
            `INSERT INTO alarms (${names})
             SELECT ${names} FROM unnest(${arrays(ALL)}) WITH ORDINALITY AS u (${names}, n)
             ORDER BY n
             RETURNING id`,
            ALL.map(([, , get]) => chunk.map(get)),
          )
          .catch((error: unknown) => {
            throw openConflict(error);
          });
        const ids = rows.map((r) => num(r.id)).sort((a, b) => a - b);
        chunk.forEach((alarm, i) => inserted.push({ ...alarm, id: ids[i] ?? Number.NaN }));
      }
      const { checkpoint } = changes;
      if (checkpoint) {
        await client.query(
          `INSERT INTO alarm_checkpoint (id, seq, state, saved_at) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at`,
          [checkpoint.seq, checkpoint.state, checkpoint.savedAt],
        );
      }
      return inserted;
    });
  }

  async getAlarm(id: number): Promise<Alarm | null> {
    const [row] = await this.all('SELECT * FROM alarms WHERE id = $1', [id]);
    return row ? toAlarm(row) : null;
  }

  async listOpenAlarms(): Promise<Alarm[]> {
    const rows = await this.all(`SELECT * FROM alarms WHERE state IN ('active', 'acknowledged') ORDER BY id`);
    return rows.map(toAlarm);
  }

  async listAlarms(query: AlarmListQuery): Promise<{ items: Alarm[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.states !== undefined) add((p) => `state = ANY(${p}::text[])`, query.states);
    if (query.severities !== undefined) add((p) => `severity = ANY(${p}::text[])`, query.severities);
    if (query.domains !== undefined) add((p) => `domain = ANY(${p}::text[])`, query.domains);
    const { scope } = query;
    if (scope !== undefined) add((p) => `${SCOPE_COLUMN[scope.level]} = ${p}`, scope.code);
    if (query.ruleId !== undefined) add((p) => `rule_id = ${p}`, query.ruleId);
    if (query.sensorId !== undefined) add((p) => `sensor_id = ${p}`, query.sensorId);
    // The total counts every page, so the cursor joins the filters only for the page itself.
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = await this.all(`SELECT count(*) AS total FROM alarms ${clause}`, params);
    if (query.before !== undefined) add((p) => `id < ${p}`, query.before);
    const pageClause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    params.push(query.limit);
    const rows = await this.all(
      `SELECT * FROM alarms ${pageClause} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return { items: rows.map(toAlarm), total: num(count?.total ?? 0) };
  }

  async addComment(comment: Omit<AlarmComment, 'id'>): Promise<AlarmComment> {
    const [row] = await this.all(
      'INSERT INTO alarm_comments (alarm_id, author, text, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [comment.alarmId, comment.author, comment.text, comment.createdAt],
    );
    if (!row) throw new Error('insert returned no row');
    return toComment(row);
  }

  async listComments(alarmId: number): Promise<AlarmComment[]> {
    const rows = await this.all('SELECT * FROM alarm_comments WHERE alarm_id = $1 ORDER BY created_at, id', [
      alarmId,
    ]);
    return rows.map(toComment);
  }

  async insertWindow(window: MaintenanceWindow): Promise<void> {
    try {
      await this.database.pool.query(
        `INSERT INTO maintenance_windows (id, jurisdiction, sensors, starts_at, ends_at, reason, created_by,
           created_at) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)`,
        [
          window.id,
          window.jurisdiction,
          jsonOrNull(window.sensors),
          window.startsAt,
          window.endsAt,
          window.reason,
          window.createdBy,
          window.createdAt,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('WINDOW_CONFLICT', `A maintenance window with id "${window.id}" already exists.`);
      }
      throw error;
    }
  }

  async listWindows(now: number): Promise<MaintenanceWindow[]> {
    const rows = await this.all(
      'SELECT * FROM maintenance_windows WHERE ends_at > $1 ORDER BY starts_at, id',
      [now],
    );
    return rows.map((r) => toWindow(r, POSTGRES));
  }

  async getWindow(id: string): Promise<MaintenanceWindow | null> {
    const [row] = await this.all('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
    return row ? toWindow(row, POSTGRES) : null;
  }

  async deleteWindow(id: string): Promise<boolean> {
    return this.changed('DELETE FROM maintenance_windows WHERE id = $1', [id]);
  }

  async loadCheckpoint(): Promise<EvaluatorCheckpoint | null> {
    const [row] = await this.all('SELECT * FROM alarm_checkpoint WHERE id = 1');
    return row ? { seq: num(row.seq), state: str(row.state), savedAt: num(row.saved_at) } : null;
  }
}
