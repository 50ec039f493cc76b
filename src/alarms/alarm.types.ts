import { subject } from '../platform/bus/event-bus.js';
import type { Level } from '../jurisdictions/geo.types.js';
import type { UnitChain } from '../jurisdictions/geo.types.js';

/**
 * The alarm domain's vocabulary: rules (what to watch), alarms (what fired) and maintenance
 * windows (when not to tell). Times are epoch milliseconds everywhere inside the domain; the
 * presenter turns them into ISO-8601 for the API.
 */

/** Severities, lowest first: escalation moves an alarm to the right. */
export const SEVERITIES = ['warning', 'minor', 'major', 'critical'] as const;
/** One severity. */
export type Severity = (typeof SEVERITIES)[number];

/** Where an alarm is in its lifecycle: active → acknowledged → cleared (or active → cleared). */
export const ALARM_STATES = ['active', 'acknowledged', 'cleared'] as const;
/** One alarm state. */
export type AlarmState = (typeof ALARM_STATES)[number];

/** The rule kinds the engine evaluates. */
export const RULE_KINDS = ['threshold', 'rate', 'stale', 'anomaly', 'composite'] as const;
/** One rule kind. */
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * Fires when a reading stays above (or below) `value` for `forSeconds` of reading time; clears
 * once a reading is back past `value ∓ hysteresis`. Crossing back and forth inside the hysteresis
 * band counts occurrences on the same alarm instead of raising new ones.
 */
export interface ThresholdParams {
  op: 'above' | 'below';
  value: number;
  hysteresis: number;
  forSeconds: number;
}

/**
 * Fires when the value falls (or rises) by at least `delta` within `windowSeconds` (a water main
 * losing 0.1 MPa in 60 s is a likely burst); clears once the value has recovered to within
 * delta / 2 of the level it left.
 */
export interface RateParams {
  direction: 'fall' | 'rise';
  delta: number;
  windowSeconds: number;
}

/** Fires when a sensor has sent nothing for `missedIntervals` × its type's reporting interval. */
export interface StaleParams {
  missedIntervals: number;
}

/**
 * Fires when a reading lies more than `zScore` standard deviations from the sensor's own EWMA
 * mean (smoothing `alpha`), once `warmup` readings have built the baseline; clears below
 * zScore / 2. `minStd` keeps a flat-lining sensor from dividing by nearly zero.
 */
export interface AnomalyParams {
  alpha: number;
  zScore: number;
  warmup: number;
  minStd: number;
}

/** One leg of a composite: some sensor of `sensorType` in the area reads above/below `value`. */
export interface CompositeCondition {
  sensorType: string;
  op: 'above' | 'below';
  value: number;
}

/**
 * Fires when all (or any) conditions hold at once in one area for `forSeconds`: for example
 * tunnel water depth above 27 cm AND sewer fill ratio above 100 % in the same township. `per`
 * splits the rule's jurisdiction into areas (one alarm per township or county); 'rule' treats the
 * whole jurisdiction as one area. Only readings younger than `maxAgeSeconds` count as current.
 */
export interface CompositeParams {
  match: 'all' | 'any';
  conditions: CompositeCondition[];
  per: 'township' | 'county' | 'rule';
  forSeconds: number;
  maxAgeSeconds: number;
}

/** Kind-specific parameters, by kind. */
export interface RuleParamsByKind {
  threshold: ThresholdParams;
  rate: RateParams;
  stale: StaleParams;
  anomaly: AnomalyParams;
  composite: CompositeParams;
}

/**
 * Active hours, in China Standard Time (UTC+8, no daylight saving): the rule raises alarms only on
 * these ISO weekdays (1 = Monday) between `from` and `to` ('HH:MM'; from > to wraps past midnight).
 */
export interface Schedule {
  days: number[];
  from: string;
  to: string;
}

/** An alarm still unacknowledged `afterSeconds` after it was raised moves to `severity`. */
export interface Escalation {
  afterSeconds: number;
  severity: Severity;
}

/** What a rule is attached to; the most specific attachment of a kind wins (see rule-set.ts). */
export interface RuleTarget {
  /** The sensor type it watches; null only for composite rules (their conditions name types). */
  sensorType: string | null;
  /** Limits the rule to sensors inside this unit (and, for composites, defines the area). */
  jurisdiction: string | null;
  /** Limits the rule to one sensor: an override for that sensor. */
  sensor: string | null;
}

interface RuleBase<K extends RuleKind> extends RuleTarget {
  /** Chosen by the city or generated (`rule-…`); built-in rules are `default.<type>.<name>`. */
  id: string;
  name: string;
  description: string;
  kind: K;
  params: RuleParamsByKind[K];
  severity: Severity;
  schedule: Schedule | null;
  escalation: Escalation | null;
  enabled: boolean;
  /** Part of the default rule set shipped with cityops (editable; never re-created once deleted). */
  builtin: boolean;
  /** Increases on every update; evaluator state of an older version is discarded. */
  version: number;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored alarm rule. */
export type AlarmRule = { [K in RuleKind]: RuleBase<K> }[RuleKind];

/** Why an alarm was cleared. */
export type ClearReason = 'auto' | 'manual' | 'rule_removed';

/** An alarm: one per (rule, subject) while not cleared. */
export interface Alarm extends UnitChain {
  id: number;
  ruleId: string;
  ruleName: string;
  kind: RuleKind;
  /** The sensor id, or `area:<code>` for a composite rule's area. */
  subject: string;
  sensorId: string | null;
  sensorType: string | null;
  /** The vital-sign domain (of the sensor, or of a composite's first condition). */
  domain: string;
  severity: Severity;
  initialSeverity: Severity;
  state: AlarmState;
  /** Human-readable, zh-CN: what fired and with which value. */
  message: string;
  /** The value that raised it, then the latest value that kept the condition true. */
  value: number | null;
  /** Reading time of the first and latest reading that met the condition. */
  firstSeenAt: number;
  lastSeenAt: number;
  /** How many times the condition fired into this alarm (1 when raised). */
  occurrences: number;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
  clearedBy: string | null;
  clearReason: ClearReason | null;
  escalatedAt: number | null;
  updatedAt: number;
}

/** An alarm before the database has given it an id. */
export type NewAlarm = Omit<Alarm, 'id'>;

/** A comment on an alarm. */
export interface AlarmComment {
  id: number;
  alarmId: number;
  author: string;
  text: string;
  createdAt: number;
}

/** Suppresses raising alarms for some sensors or an area between two times. */
export interface MaintenanceWindow {
  id: string;
  /** Sensors inside this unit; null with `sensors` set means only those sensors. */
  jurisdiction: string | null;
  /** Only these sensors (ids); null means every sensor of the jurisdiction. */
  sensors: string[] | null;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string | null;
  createdAt: number;
}

/** Filters for listing alarms; results come newest first (by id), a page at a time. */
export interface AlarmListQuery {
  scope?: { level: Level; code: string } | undefined;
  states?: readonly AlarmState[] | undefined;
  severities?: readonly Severity[] | undefined;
  domains?: readonly string[] | undefined;
  ruleId?: string | undefined;
  sensorId?: string | undefined;
  /** Only alarms with id below this (the previous page's last id). */
  before?: number | undefined;
  limit: number;
}

/** The evaluator's saved state, written with the alarm changes of the batch it follows. */
export interface EvaluatorCheckpoint {
  /** The last reading batch (telemetry log seq) fully evaluated. */
  seq: number;
  /** Serialized per-(rule, subject) state: pending durations, windows, baselines. */
  state: string;
  savedAt: number;
}

/** What changed in one evaluation step, written in one transaction. */
export interface AlarmChanges {
  inserts: readonly NewAlarm[];
  updates: readonly Alarm[];
  checkpoint?: EvaluatorCheckpoint | undefined;
}

/** Published on the bus: a batch of alarm changes, after they are stored. */
export interface AlarmEvent {
  type: 'raised' | 'updated' | 'escalated' | 'acknowledged' | 'cleared' | 'commented';
  alarm: Alarm;
  /** Epoch ms the change was made. */
  at: number;
  /** Who acted (username), for operator actions. */
  by: string | null;
}

/** Alarm changes, for the live dashboard and for case creation. */
export const ALARM_EVENTS = subject<AlarmEvent>('alarms.events');
