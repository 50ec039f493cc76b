import type { UnitChain } from '../jurisdictions/geo.types.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import { sensorType } from '../devices/sensor-types.js';
import { describeAlarm } from './alarm-message.js';
import type { Alarm, AlarmRule, Severity } from './alarm.types.js';

/**
 * A rule that cannot be evaluated raises one alarm of its own (规则异常, docs/alarms.md): major,
 * because the sensors it watches are unwatched; domain `platform`, so the alarm → case policy
 * (lifeline domains) never dispatches a crew for a software fault.
 */
export const RULE_BROKEN = { domain: 'platform', severity: 'major' as Severity };

/** The subject of a rule's own rule-broken alarm. */
export const brokenSubject = (ruleId: string): string => `rule:${ruleId}`;

/** The jurisdiction chain of a unit, as an alarm carries it (province first, finer levels or null). */
export function chainOf(tree: JurisdictionTree, code: string): UnitChain {
  const chain = tree.chain(code);
  return {
    provinceCode: chain.province?.code ?? code,
    prefectureCode: chain.prefecture?.code ?? null,
    countyCode: chain.county?.code ?? null,
    townshipCode: chain.township?.code ?? null,
  };
}

/**
 * A new alarm (id 0 until stored) raised by a rule on a sensor, or on an area (`sensor` null) for
 * a composite; `t` is the reading time that raised it, `now` the engine clock.
 */
export function draftAlarm(
  rule: AlarmRule,
  subject: string,
  sensor: RegisteredSensor | null,
  chain: UnitChain,
  area: string | null,
  value: number | null,
  t: number,
  now: number,
): Alarm {
  const typeCode =
    sensor?.type.code ??
    (rule.kind === 'composite' ? rule.params.conditions[0]!.sensorType : rule.sensorType);
  return {
    id: 0,
    ruleId: rule.id,
    ruleName: rule.name,
    kind: rule.kind,
    subject,
    sensorId: sensor?.id ?? null,
    sensorType: sensor?.type.code ?? null,
    domain: (typeCode && sensorType(typeCode)?.domain) ?? 'unknown',
    severity: rule.severity,
    initialSeverity: rule.severity,
    state: 'active',
    message: describeAlarm(rule, sensor, area, value),
    value,
    firstSeenAt: t,
    lastSeenAt: t,
    occurrences: 1,
    raisedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    clearedAt: null,
    clearedBy: null,
    clearReason: null,
    escalatedAt: null,
    updatedAt: now,
    provinceCode: chain.provinceCode,
    prefectureCode: chain.prefectureCode,
    countyCode: chain.countyCode,
    townshipCode: chain.townshipCode,
  };
}

/**
 * A broken rule's own alarm. The rule may be malformed in any field (it failed its check), so
 * only what is certainly a string is copied from it.
 */
export function brokenRuleAlarm(
  rule: AlarmRule,
  problems: readonly string[],
  chain: UnitChain,
  now: number,
): Alarm {
  return {
    id: 0,
    ruleId: rule.id,
    ruleName: typeof rule.name === 'string' ? rule.name : rule.id,
    kind: rule.kind,
    subject: brokenSubject(rule.id),
    sensorId: null,
    sensorType: typeof rule.sensorType === 'string' ? rule.sensorType : null,
    domain: RULE_BROKEN.domain,
    severity: RULE_BROKEN.severity,
    initialSeverity: RULE_BROKEN.severity,
    state: 'active',
    message: `规则异常 rule ${rule.id} is not evaluated: ${problems.join('; ')}`.slice(0, 1000),
    value: null,
    firstSeenAt: now,
    lastSeenAt: now,
    occurrences: 1,
    raisedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    clearedAt: null,
    clearedBy: null,
    clearReason: null,
    escalatedAt: null,
    updatedAt: now,
    ...chain,
  };
}

/** Where a rule-broken alarm is shown: the rule's sensor or jurisdiction, else the whole city. */
export function ruleChain(
  rule: AlarmRule,
  tree: JurisdictionTree,
  resolve: (sensorId: string) => RegisteredSensor | undefined,
): UnitChain {
  const sensor = typeof rule.sensor === 'string' ? resolve(rule.sensor) : undefined;
  if (sensor) {
    const { provinceCode, prefectureCode, countyCode, townshipCode } = sensor;
    return { provinceCode, prefectureCode, countyCode, townshipCode };
  }
  if (typeof rule.jurisdiction === 'string' && tree.get(rule.jurisdiction)) {
    return chainOf(tree, rule.jurisdiction);
  }
  const root = tree.all('province')[0]?.code;
  return root
    ? chainOf(tree, root)
    : { provinceCode: '', prefectureCode: null, countyCode: null, townshipCode: null };
}
