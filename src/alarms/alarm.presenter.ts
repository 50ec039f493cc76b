import type { Alarm, AlarmComment, AlarmRule, MaintenanceWindow } from './alarm.types.js';
import type { AlarmDto, CommentDto, RuleDto, WindowDto } from './alarm.schema.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** An alarm for the API: times as ISO-8601. */
export function toAlarmDto(alarm: Alarm): AlarmDto {
  return {
    ...alarm,
    value: alarm.value === null || Number.isNaN(alarm.value) ? null : alarm.value,
    firstSeenAt: iso(alarm.firstSeenAt),
    lastSeenAt: iso(alarm.lastSeenAt),
    raisedAt: iso(alarm.raisedAt),
    acknowledgedAt: isoOrNull(alarm.acknowledgedAt),
    clearedAt: isoOrNull(alarm.clearedAt),
    escalatedAt: isoOrNull(alarm.escalatedAt),
    updatedAt: iso(alarm.updatedAt),
  };
}

/** A rule for the API; a broken stored rule carries its problems (and its params as stored). */
export function toRuleDto(rule: AlarmRule, problems: readonly string[] = []): RuleDto {
  const dto: RuleDto = { ...rule, createdAt: iso(rule.createdAt), updatedAt: iso(rule.updatedAt) };
  if (problems.length > 0) {
    dto.problems = [...problems];
    // Undecodable JSON columns come back undefined; the answer still has every field.
    dto.params ??= null as never;
    dto.schedule ??= null;
    dto.escalation ??= null;
  }
  return dto;
}

/** A comment for the API. */
export function toCommentDto(comment: AlarmComment): CommentDto {
  return { id: comment.id, author: comment.author, text: comment.text, createdAt: iso(comment.createdAt) };
}

/** A maintenance window for the API. */
export function toWindowDto(window: MaintenanceWindow): WindowDto {
  return {
    ...window,
    startsAt: iso(window.startsAt),
    endsAt: iso(window.endsAt),
    createdAt: iso(window.createdAt),
  };
}
