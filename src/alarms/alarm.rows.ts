import type { Alarm, AlarmComment, AlarmRule, MaintenanceWindow } from './alarm.types.js';

/**
 * Rows of the alarm tables → domain objects, for both engines. The columns are the same; what
 * differs is how JSON and booleans arrive (SQLite: text and 0/1; PostgreSQL: parsed jsonb and
 * booleans), so each repository passes its `Decode`. Numbers always go through Number(): pg
 * hands BIGINT back as a string.
 */
export type Row = Record<string, unknown>;

/** How an engine's JSON and boolean columns read back. */
export interface Decode {
  json(value: unknown): unknown;
  bool(value: unknown): boolean;
}

export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const str = (v: unknown): string => v as string;
export const strOrNull = (v: unknown): string | null =>
  v === null || v === undefined ? null : (v as string);
/** JSON goes in as text on both engines (pg would turn a JS array parameter into a PostgreSQL array). */
export const jsonOrNull = (v: unknown): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);

export function toRule(r: Row, decode: Decode): AlarmRule {
  // A column that does not decode leaves the field undefined: ruleProblems then reports the rule
  // as broken instead of one bad row failing every rule list and the engine's start.
  const json = (v: unknown): unknown => {
    try {
      return decode.json(v);
    } catch {
      return undefined;
    }
  };
  return {
    id: str(r.id),
    name: str(r.name),
    description: str(r.description),
    kind: str(r.kind),
    sensorType: strOrNull(r.sensor_type),
    jurisdiction: strOrNull(r.jurisdiction),
    sensor: strOrNull(r.sensor),
    params: json(r.params),
    severity: str(r.severity),
    schedule: json(r.schedule),
    escalation: json(r.escalation),
    enabled: decode.bool(r.enabled),
    builtin: decode.bool(r.builtin),
    version: num(r.version),
    createdBy: strOrNull(r.created_by),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  } as AlarmRule;
}

export function toAlarm(r: Row): Alarm {
  return {
    id: num(r.id),
    ruleId: str(r.rule_id),
    ruleName: str(r.rule_name),
    kind: str(r.kind) as Alarm['kind'],
    subject: str(r.subject),
    sensorId: strOrNull(r.sensor_id),
    sensorType: strOrNull(r.sensor_type),
    domain: str(r.domain),
    provinceCode: str(r.province_code),
    prefectureCode: strOrNull(r.prefecture_code),
    countyCode: strOrNull(r.county_code),
    townshipCode: strOrNull(r.township_code),
    severity: str(r.severity) as Alarm['severity'],
    initialSeverity: str(r.initial_severity) as Alarm['initialSeverity'],
    state: str(r.state) as Alarm['state'],
    message: str(r.message),
    value: numOrNull(r.value),
    firstSeenAt: num(r.first_seen_at),
    lastSeenAt: num(r.last_seen_at),
    occurrences: num(r.occurrences),
    raisedAt: num(r.raised_at),
    acknowledgedAt: numOrNull(r.acknowledged_at),
    acknowledgedBy: strOrNull(r.acknowledged_by),
    clearedAt: numOrNull(r.cleared_at),
    clearedBy: strOrNull(r.cleared_by),
    clearReason: strOrNull(r.clear_reason) as Alarm['clearReason'],
    escalatedAt: numOrNull(r.escalated_at),
    updatedAt: num(r.updated_at),
  };
}

export function toComment(r: Row): AlarmComment {
  return {
    id: num(r.id),
    alarmId: num(r.alarm_id),
    author: str(r.author),
    text: str(r.text),
    createdAt: num(r.created_at),
  };
}

export function toWindow(r: Row, decode: Decode): MaintenanceWindow {
  return {
    id: str(r.id),
    jurisdiction: strOrNull(r.jurisdiction),
    sensors: decode.json(r.sensors) as string[] | null,
    startsAt: num(r.starts_at),
    endsAt: num(r.ends_at),
    reason: str(r.reason),
    createdBy: strOrNull(r.created_by),
    createdAt: num(r.created_at),
  };
}

/** The message both engines give for a second open alarm of one rule and subject. */
export function openAlarmConflict(ruleId: string, subject: string, cause: unknown): Error {
  return new Error(`rule ${ruleId} already has an open alarm for ${subject}`, { cause });
}
