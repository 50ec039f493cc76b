import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { sensorType } from '../devices/sensor-types.js';
import { summary, type Problem } from './alarm-caller.js';
import type { RuleCreate } from './alarm.schema.js';
import { SEVERITIES, type AlarmRule, type RuleKind, type RuleParamsByKind } from './alarm.types.js';
import { ruleProblems } from './rule-check.js';
import type { SensorSource } from './rule-plan.js';

/** The fields of a rule that the service sets, not the caller. */
export type RuleMeta = Pick<
  AlarmRule,
  'id' | 'builtin' | 'version' | 'createdBy' | 'createdAt' | 'updatedAt'
>;

/**
 * Checks a rule body as the caller sent it (attachment, scope, catalog types, params for the
 * kind, escalation) and returns the stored form with defaults filled in, or throws INVALID_RULE
 * with every problem. The stored form then passes `ruleProblems` (rule-check.ts), the check the
 * engine applies when it reads a rule, so what the engine would refuse is never stored.
 */
export function validateRule(
  meta: RuleMeta,
  input: RuleCreate,
  visible: Visibility,
  tree: JurisdictionTree,
  sensors: Pick<SensorSource, 'resolve'>,
): AlarmRule {
  const problems: Problem[] = [];
  const jurisdiction = input.jurisdiction ?? null;
  const sensorId = input.sensor ?? null;
  let typeCode = input.sensorType ?? null;
  const kind = input.kind;
  const params = normalizeParams(kind, input.params, problems);
  if (jurisdiction !== null && sensorId !== null) {
    problems.push({
      field: 'sensor',
      message: 'attach a rule to a jurisdiction or to one sensor, not both',
    });
  }
  if (jurisdiction !== null && (!tree.get(jurisdiction) || !visible.contains(jurisdiction))) {
    problems.push({ field: 'jurisdiction', message: `no jurisdiction ${jurisdiction} in your scope` });
  }
  if (sensorId !== null) {
    const sensor = sensors.resolve(sensorId);
    if (!sensor || !visible.contains(finestCode(sensor))) {
      problems.push({ field: 'sensor', message: `no sensor ${sensorId} in your scope` });
    } else if (typeCode !== null && typeCode !== sensor.type.code) {
      problems.push({
        field: 'sensorType',
        message: `sensor ${sensorId} is a ${sensor.type.code}, not ${typeCode}`,
      });
    } else typeCode = sensor.type.code;
  }
  if (kind === 'composite') {
    if (typeCode !== null) {
      problems.push({ field: 'sensorType', message: 'a composite names its types in its conditions' });
    }
    if (sensorId !== null) {
      problems.push({ field: 'sensor', message: 'a composite watches an area, not one sensor' });
    }
  } else if (typeCode === null) {
    problems.push({ field: 'sensorType', message: 'required (or give a sensor)' });
  } else if (!sensorType(typeCode)) {
    problems.push({ field: 'sensorType', message: `"${typeCode}" is not in the sensor type catalog` });
  }
  if (jurisdiction === null && sensorId === null && visible.root !== null) {
    problems.push({
      field: 'jurisdiction',
      message: `a rule for every sensor of a type reaches beyond your scope; set jurisdiction to ${visible.root} or below`,
    });
  }
  const severity = input.severity;
  const escalation = input.escalation ?? null;
  if (escalation && SEVERITIES.indexOf(escalation.severity) <= SEVERITIES.indexOf(severity)) {
    problems.push({
      field: 'escalation.severity',
      message: `must be above the rule's severity (${severity})`,
    });
  }
  if (problems.length > 0) {
    throw new AppError('INVALID_RULE', `The alarm rule is not valid: ${summary(problems)}`, { problems });
  }
  const rule = {
    ...meta,
    name: input.name,
    description: input.description ?? '',
    kind,
    params,
    sensorType: kind === 'composite' ? null : typeCode,
    jurisdiction,
    sensor: sensorId,
    severity,
    schedule: input.schedule ?? null,
    escalation,
    enabled: input.enabled ?? true,
  } as AlarmRule;
  // The stored form is checked as the engine will read it, before anything is written: what
  // the engine would refuse is never stored (a merged PATCH of a broken rule included).
  const stored = ruleProblems(rule);
  if (stored.length > 0) {
    const details = stored.map((message) => ({ field: 'rule', message }));
    throw new AppError('INVALID_RULE', `The alarm rule is not valid: ${stored.join('; ')}`, {
      problems: details,
    });
  }
  return rule;
}

const has = (o: Record<string, unknown>, key: string) => o[key] !== undefined;

/** Checks that params fit the kind and fills defaults. */
function normalizeParams(
  kind: RuleKind,
  p: Record<string, unknown>,
  problems: Problem[],
): RuleParamsByKind[RuleKind] {
  const expect: Record<RuleKind, string> = {
    threshold: 'op',
    rate: 'direction',
    stale: 'missedIntervals',
    anomaly: 'zScore',
    composite: 'conditions',
  };
  if (typeof p !== 'object' || p === null || !has(p, expect[kind])) {
    problems.push({ field: 'params', message: `a ${kind} rule needs params.${expect[kind]}` });
    return p as never;
  }
  switch (kind) {
    case 'threshold':
      return {
        op: p.op,
        value: p.value,
        hysteresis: p.hysteresis ?? 0,
        forSeconds: p.forSeconds ?? 0,
      } as never;
    case 'rate':
    case 'stale':
      return p as never;
    case 'anomaly':
      return {
        zScore: p.zScore,
        alpha: p.alpha ?? 0.05,
        warmup: p.warmup ?? 30,
        minStd: p.minStd ?? 1e-6,
      } as never;
    case 'composite': {
      const conditions = p.conditions as { sensorType: string }[];
      conditions.forEach((c, i) => {
        if (!sensorType(c.sensorType)) {
          problems.push({
            field: `params.conditions.${i}.sensorType`,
            message: `"${c.sensorType}" is not in the catalog`,
          });
        }
      });
      return {
        match: p.match,
        conditions,
        per: p.per ?? 'township',
        forSeconds: p.forSeconds ?? 0,
        maxAgeSeconds: p.maxAgeSeconds ?? 900,
      } as never;
    }
  }
}
