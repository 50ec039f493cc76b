import { SENSOR_TYPES, type SensorType } from '../devices/sensor-types.js';
import type { AlarmRule, Escalation, RuleKind, RuleParamsByKind, Severity } from './alarm.types.js';

/**
 * The default rule set (默认告警规则), seeded at first start so that a fresh city raises sensible
 * alarms. Every type gets:
 * - "out of normal range" thresholds (minor) from the type catalog, confirmed by two readings
 *   (held for one reporting interval) with a hysteresis of 2 % of the measurable span;
 * - an offline rule (warning) after three missed reporting intervals.
 * Safety-critical types get sharper rules on top, from the standards cited in sensor-types.ts and
 * from the scenarios the center drills: water-main burst, tunnel flooding, gas and hydrogen leaks,
 * bridge overstrain, base-station outage, cross-boundary river breaches. Seeded once: the city may
 * edit or delete them and an upgrade never brings a deleted one back.
 */

const ESCALATE_MAJOR: Escalation = { afterSeconds: 30 * 60, severity: 'critical' };
const ESCALATE_MINOR: Escalation = { afterSeconds: 2 * 3600, severity: 'major' };

interface Extra<K extends RuleKind = RuleKind> {
  type: string;
  name: string;
  title: string;
  kind: K;
  severity: Severity;
  params: RuleParamsByKind[K];
  escalation?: Escalation;
  description: string;
}

const threshold = (
  type: string,
  name: string,
  title: string,
  severity: Severity,
  params: RuleParamsByKind['threshold'],
  description: string,
  escalation?: Escalation,
): Extra<'threshold'> => ({
  type,
  name,
  title,
  kind: 'threshold',
  severity,
  params,
  description,
  ...(escalation ? { escalation } : {}),
});

const EXTRA: Extra[] = [
  {
    type: 'water_main_pressure',
    name: 'burst',
    title: '供水管网压力骤降(疑似爆管)',
    kind: 'rate',
    severity: 'critical',
    params: { direction: 'fall', delta: 0.1, windowSeconds: 60 },
    description: 'Pressure falls by 0.1 MPa within 60 s: a likely main burst.',
  },
  threshold(
    'tunnel_water_depth',
    'flooded',
    '隧道积水超30cm',
    'critical',
    { op: 'above', value: 30, hysteresis: 5, forSeconds: 120 },
    'Water deeper than 30 cm for 2 minutes: close the tunnel (车辆排气管高度).',
  ),
  threshold(
    'tunnel_water_depth',
    'waterlogged',
    '隧道积水超15cm',
    'major',
    { op: 'above', value: 15, hysteresis: 3, forSeconds: 60 },
    'GB 51222-2017 waterlogging limit of 15 cm in a lane, held for a minute.',
    ESCALATE_MAJOR,
  ),
  threshold(
    'road_waterlogging_depth',
    'waterlogged',
    '道路积水超15cm',
    'major',
    { op: 'above', value: 15, hysteresis: 3, forSeconds: 60 },
    'GB 51222-2017 waterlogging limit of 15 cm, held for a minute.',
    ESCALATE_MAJOR,
  ),
  threshold(
    'sewer_fill_ratio',
    'surcharged',
    '管道满溢(充满度超100%)',
    'major',
    { op: 'above', value: 100, hysteresis: 10, forSeconds: 0 },
    'Water above the pipe crown: the sewer is surcharged.',
  ),
  threshold(
    'gas_concentration',
    'leak',
    '可燃气体泄漏(超25%LEL)',
    'critical',
    { op: 'above', value: 25, hysteresis: 5, forSeconds: 0 },
    'GB/T 50493-2019 first-level alarm at 25 %LEL.',
  ),
  threshold(
    'h2_leak',
    'leak',
    '氢气泄漏(超25%LEL)',
    'critical',
    { op: 'above', value: 25, hysteresis: 5, forSeconds: 0 },
    'Station hydrogen alarm at 25 %LEL (1 % H₂ by volume).',
  ),
  threshold(
    'bridge_strain',
    'over_tension',
    '桥梁拉应变超限',
    'major',
    { op: 'above', value: 200, hysteresis: 20, forSeconds: 0 },
    'Live-load strain above the default limit; set per-bridge limits with a sensor rule.',
    ESCALATE_MAJOR,
  ),
  threshold(
    'bridge_strain',
    'over_compression',
    '桥梁压应变超限',
    'major',
    { op: 'below', value: -200, hysteresis: 20, forSeconds: 0 },
    'Live-load compression beyond the default limit; set per-bridge limits with a sensor rule.',
    ESCALATE_MAJOR,
  ),
  {
    type: 'bridge_strain',
    name: 'anomaly',
    title: '桥梁应变异常(偏离自身基线)',
    kind: 'anomaly',
    severity: 'warning',
    params: { alpha: 0.05, zScore: 6, warmup: 60, minStd: 5 },
    description: 'Strain more than 6 σ from the sensor’s own EWMA baseline (after 60 readings).',
  },
  threshold(
    'bridge_wind_speed',
    'gale',
    '桥面风速达8级',
    'major',
    { op: 'above', value: 17.2, hysteresis: 1.5, forSeconds: 60 },
    'Force 8 gale for a minute: restrict traffic on the deck.',
  ),
  threshold(
    'base_station_availability',
    'outage',
    '基站退服',
    'major',
    { op: 'below', value: 90, hysteresis: 5, forSeconds: 0 },
    'Availability below 90 % over 15 minutes: the site is down.',
    ESCALATE_MAJOR,
  ),
  threshold(
    'river_ammonia_nitrogen',
    'breach',
    '跨界断面氨氮超III类',
    'major',
    { op: 'above', value: 1, hysteresis: 0.1, forSeconds: 0 },
    'GB 3838-2002 class III ammonia nitrogen at a cross-boundary section.',
  ),
  threshold(
    'river_dissolved_oxygen',
    'breach',
    '跨界断面溶解氧低于III类',
    'major',
    { op: 'below', value: 5, hysteresis: 0.5, forSeconds: 0 },
    'GB 3838-2002 class III dissolved oxygen at a cross-boundary section.',
  ),
  threshold(
    'feeder_load',
    'overload',
    '10kV馈线过载',
    'major',
    { op: 'above', value: 100, hysteresis: 5, forSeconds: 0 },
    'Feeder above 100 % of its rating.',
    ESCALATE_MAJOR,
  ),
  threshold(
    'platform_passenger_density',
    'crowded',
    '站台客流拥挤(需限流)',
    'major',
    { op: 'above', value: 3, hysteresis: 0.5, forSeconds: 120 },
    'Above 3 persons/m² for 2 minutes: start passenger-flow control.',
  ),
];

function rule<K extends RuleKind>(
  id: string,
  fields: { name: string; description: string; kind: K; params: RuleParamsByKind[K] } & {
    sensorType: string | null;
    severity: Severity;
    escalation?: Escalation | undefined;
  },
): AlarmRule {
  return {
    id,
    name: fields.name,
    description: fields.description,
    kind: fields.kind,
    params: fields.params,
    sensorType: fields.sensorType,
    jurisdiction: null,
    sensor: null,
    severity: fields.severity,
    schedule: null,
    escalation: fields.escalation ?? null,
    enabled: true,
    builtin: true,
    version: 1,
    createdBy: null,
    createdAt: 0,
    updatedAt: 0,
  } as AlarmRule;
}

function rangeRules(type: SensorType): AlarmRule[] {
  const span = type.measurable.max - type.measurable.min;
  const hysteresis = Number((span * 0.02).toPrecision(3));
  const common = { sensorType: type.code, severity: 'minor' as const, escalation: ESCALATE_MINOR };
  const rules: AlarmRule[] = [];
  if (type.normal.max !== null) {
    rules.push(
      rule(`default.${type.code}.high`, {
        ...common,
        name: `${type.name}偏高`,
        description: `Above the normal maximum of ${type.normal.max} ${type.unit}, on two readings.`,
        kind: 'threshold',
        params: { op: 'above', value: type.normal.max, hysteresis, forSeconds: type.intervalSeconds },
      }),
    );
  }
  if (type.normal.min !== null) {
    rules.push(
      rule(`default.${type.code}.low`, {
        ...common,
        name: `${type.name}偏低`,
        description: `Below the normal minimum of ${type.normal.min} ${type.unit}, on two readings.`,
        kind: 'threshold',
        params: { op: 'below', value: type.normal.min, hysteresis, forSeconds: type.intervalSeconds },
      }),
    );
  }
  rules.push(
    rule(`default.${type.code}.offline`, {
      sensorType: type.code,
      severity: 'warning',
      name: `${type.name}传感器离线`,
      description: `No reading for three reporting intervals (${3 * type.intervalSeconds} s).`,
      kind: 'stale',
      params: { missedIntervals: 3 },
    }),
  );
  return rules;
}

/** Every built-in rule, ordered by type then id. Times are set by the seeder. */
export function defaultRules(): AlarmRule[] {
  // A sharper rule on the same side replaces the generic one (no minor alarm beside a major one).
  const sharpened = new Set(
    EXTRA.filter((e) => e.kind === 'threshold').map(
      (e) =>
        `default.${e.type}.${(e.params as RuleParamsByKind['threshold']).op === 'above' ? 'high' : 'low'}`,
    ),
  );
  const rules = SENSOR_TYPES.flatMap(rangeRules).filter((r) => !sharpened.has(r.id));
  for (const extra of EXTRA) {
    rules.push(
      rule(`default.${extra.type}.${extra.name}`, {
        sensorType: extra.type,
        severity: extra.severity,
        escalation: extra.escalation,
        name: extra.title,
        description: extra.description,
        kind: extra.kind,
        params: extra.params,
      }),
    );
  }
  // Cascading waterlogging: a flooded tunnel while the township's sewers are surcharged means the
  // drainage cannot take the water away — call the drainage emergency team, not just close the tunnel.
  rules.push(
    rule('default.composite.tunnel_drainage', {
      sensorType: null,
      severity: 'critical',
      name: '隧道积水且排水管网满溢',
      description: 'In one township: tunnel water above 15 cm AND a sewer above 100 % full, for a minute.',
      kind: 'composite',
      params: {
        match: 'all',
        per: 'township',
        forSeconds: 60,
        maxAgeSeconds: 900,
        conditions: [
          { sensorType: 'tunnel_water_depth', op: 'above', value: 15 },
          { sensorType: 'sewer_fill_ratio', op: 'above', value: 100 },
        ],
      },
    }),
  );
  return rules;
}
