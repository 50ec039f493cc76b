import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  AnomalyParamsSchema,
  CompositeParamsSchema,
  EscalationSchema,
  RateParamsSchema,
  ScheduleSchema,
  StaleParamsSchema,
  ThresholdParamsSchema,
} from './alarm.schema.js';
import { RULE_KINDS, SEVERITIES, type AlarmRule, type RuleKind } from './alarm.types.js';

// Compiled once: the same schemas the API checks a rule body against (TypeBox refuses NaN and
// ±Infinity), applied to a rule as it comes back from the database.
const PARAMS: Record<RuleKind, ReturnType<typeof Compile<TSchema>>> = {
  threshold: Compile(ThresholdParamsSchema),
  rate: Compile(RateParamsSchema),
  stale: Compile(StaleParamsSchema),
  anomaly: Compile(AnomalyParamsSchema),
  composite: Compile(CompositeParamsSchema),
};
const SCHEDULE = Compile(ScheduleSchema);
const ESCALATION = Compile(EscalationSchema);

/**
 * What is wrong with a stored rule (empty when nothing): a rule written by an older version, by
 * hand in the database, or before a validation gap was closed must not stop the engine or the
 * rule list. A broken rule is listed with these problems and not evaluated (规则异常, docs/alarms.md).
 */
export function ruleProblems(rule: AlarmRule): string[] {
  const problems: string[] = [];
  const kind = rule.kind as string;
  if (!(RULE_KINDS as readonly string[]).includes(kind)) problems.push(`kind "${kind}" is not a rule kind`);
  else {
    const check = PARAMS[kind as RuleKind];
    if (!check.Check(rule.params)) {
      const first = check.Errors(rule.params)[0];
      problems.push(`params${first?.instancePath ?? ''} ${first?.message ?? 'is not valid'}`);
    }
    if (kind !== 'composite' && typeof rule.sensorType !== 'string') problems.push('sensorType is missing');
  }
  if (!(SEVERITIES as readonly string[]).includes(rule.severity)) {
    problems.push(`severity "${String(rule.severity)}" is not a severity`);
  }
  if (rule.schedule !== null && !SCHEDULE.Check(rule.schedule)) problems.push('schedule is not valid');
  if (rule.escalation !== null && !ESCALATION.Check(rule.escalation)) {
    problems.push('escalation is not valid');
  }
  return problems;
}
