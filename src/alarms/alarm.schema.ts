import { Type, type Static } from 'typebox';
import {
  ALARM_STATES,
  RULE_KINDS,
  SEVERITIES,
  type AlarmState,
  type RuleKind,
  type Severity,
} from './alarm.types.js';

/** Typebox enums from the domain's const arrays (keeps the literal types). */
const SeveritySchema = Type.Unsafe<Severity>({ type: 'string', enum: [...SEVERITIES] });
const StateSchema = Type.Unsafe<AlarmState>({ type: 'string', enum: [...ALARM_STATES] });
const KindSchema = Type.Unsafe<RuleKind>({ type: 'string', enum: [...RULE_KINDS] });
const Op = Type.Unsafe<'above' | 'below'>({ type: 'string', enum: ['above', 'below'] });
const Code = Type.String({ minLength: 2, maxLength: 24, pattern: '^[0-9A-Za-z_-]+$', examples: ['500109'] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ThresholdParamsSchema = Type.Object(
  {
    op: Op,
    value: Type.Number(),
    hysteresis: Type.Optional(Type.Number({ minimum: 0, description: 'default 0' })),
    forSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'default 0' })),
  },
  { additionalProperties: false, title: 'threshold' },
);
export const RateParamsSchema = Type.Object(
  {
    direction: Type.Unsafe<'fall' | 'rise'>({ type: 'string', enum: ['fall', 'rise'] }),
    delta: Type.Number({ exclusiveMinimum: 0 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false, title: 'rate' },
);
export const StaleParamsSchema = Type.Object(
  { missedIntervals: Type.Number({ minimum: 1, maximum: 1000 }) },
  { additionalProperties: false, title: 'stale' },
);
export const AnomalyParamsSchema = Type.Object(
  {
    zScore: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'default 0.05' })),
    warmup: Type.Optional(Type.Integer({ minimum: 2, maximum: 100_000, description: 'default 30' })),
    minStd: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'default 1e-6' })),
  },
  { additionalProperties: false, title: 'anomaly' },
);
export const CompositeParamsSchema = Type.Object(
  {
    match: Type.Unsafe<'all' | 'any'>({ type: 'string', enum: ['all', 'any'] }),
    conditions: Type.Array(
      Type.Object(
        { sensorType: Type.String({ minLength: 1, maxLength: 64 }), op: Op, value: Type.Number() },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 8 },
    ),
    per: Type.Optional(
      Type.Unsafe<'township' | 'county' | 'rule'>({
        type: 'string',
        enum: ['township', 'county', 'rule'],
        description: 'default township',
      }),
    ),
    forSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'default 0' })),
    maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, description: 'default 900' })),
  },
  { additionalProperties: false, title: 'composite' },
);

export const ScheduleSchema = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      description: 'ISO weekdays, 1 = Monday',
    }),
    from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', examples: ['07:00'] }),
    to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', examples: ['22:00'] }),
  },
  { additionalProperties: false, description: 'active hours, China Standard Time (UTC+8)' },
);
export const EscalationSchema = Type.Object(
  { afterSeconds: Type.Integer({ minimum: 1, maximum: 30 * 86_400 }), severity: SeveritySchema },
  { additionalProperties: false, description: 'unacknowledged this long → this severity' },
);

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  kind: KindSchema,
  params: Type.Union([
    ThresholdParamsSchema,
    RateParamsSchema,
    StaleParamsSchema,
    AnomalyParamsSchema,
    CompositeParamsSchema,
  ]),
  sensorType: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  jurisdiction: Type.Optional(Nullable(Code)),
  sensor: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  severity: SeveritySchema,
  schedule: Type.Optional(Nullable(ScheduleSchema)),
  escalation: Type.Optional(Nullable(EscalationSchema)),
  enabled: Type.Optional(Type.Boolean()),
};

/** The body of POST /alarm-rules (and of a dry run of an unsaved rule). */
export const RuleCreateSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$', description: 'default: generated' }),
    ),
    ...ruleFields,
  },
  { additionalProperties: false },
);
export type RuleCreate = Static<typeof RuleCreateSchema>;

/** The body of PATCH /alarm-rules/{id}: fields to replace (params replaced whole). */
export const RulePatchSchema = Type.Partial(Type.Object(ruleFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});
export type RulePatch = Static<typeof RulePatchSchema>;

/** A rule as the API shows it. */
export const RuleSchema = Type.Object({
  id: Type.String(),
  ...ruleFields,
  // A broken stored rule's params are shown as stored, whatever they are (see `problems`).
  params: Type.Union([...ruleFields.params.anyOf, Type.Unsafe<never>({ title: 'as stored (broken rule)' })]),
  problems: Type.Optional(
    Type.Array(Type.String(), {
      description:
        'only on a broken stored rule (规则异常): what is wrong with it; the engine does not evaluate it and raises a rule-broken alarm',
    }),
  ),
  description: Type.String(),
  sensorType: Nullable(Type.String()),
  jurisdiction: Nullable(Type.String()),
  sensor: Nullable(Type.String()),
  schedule: Nullable(ScheduleSchema),
  escalation: Nullable(EscalationSchema),
  enabled: Type.Boolean(),
  builtin: Type.Boolean(),
  version: Type.Integer(),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type RuleDto = Static<typeof RuleSchema>;

export const RuleListQuerySchema = Type.Object(
  {
    sensorType: Type.Optional(Type.String({ maxLength: 64 })),
    kind: Type.Optional(KindSchema),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const RuleListResponseSchema = Type.Object({ items: Type.Array(RuleSchema) });

export const DryRunQuerySchema = Type.Object(
  { hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 168, description: 'default 24' })) },
  { additionalProperties: false },
);
export const DryRunResponseSchema = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  fired: Type.Integer({ description: 'alarms the rule would have raised' }),
  sensorsEvaluated: Type.Integer(),
  readingsEvaluated: Type.Integer(),
  truncated: Type.Boolean({ description: 'more sensors matched than a dry run evaluates' }),
  subjects: Type.Array(
    Type.Object({
      subject: Type.String({ description: 'sensor id, or area:<code>' }),
      jurisdiction: Nullable(Type.String()),
      fired: Type.Integer(),
      firstAt: Type.String({ format: 'date-time' }),
      lastAt: Type.String({ format: 'date-time' }),
    }),
    { description: 'where it would have fired, most first (at most 100)' },
  ),
  byCounty: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), fired: Type.Integer() })),
});
export type DryRunResponse = Static<typeof DryRunResponseSchema>;

const Time = Type.String({ format: 'date-time' });
const NullableTime = Nullable(Time);

/** An alarm as the API shows it. */
export const AlarmSchema = Type.Object({
  id: Type.Integer(),
  ruleId: Type.String(),
  ruleName: Type.String(),
  kind: KindSchema,
  subject: Type.String(),
  sensorId: Nullable(Type.String()),
  sensorType: Nullable(Type.String()),
  domain: Type.String(),
  severity: SeveritySchema,
  initialSeverity: SeveritySchema,
  state: StateSchema,
  message: Type.String(),
  value: Nullable(Type.Number()),
  firstSeenAt: Time,
  lastSeenAt: Time,
  occurrences: Type.Integer(),
  raisedAt: Time,
  acknowledgedAt: NullableTime,
  acknowledgedBy: Nullable(Type.String()),
  clearedAt: NullableTime,
  clearedBy: Nullable(Type.String()),
  clearReason: Nullable(Type.String()),
  escalatedAt: NullableTime,
  updatedAt: Time,
  provinceCode: Type.String(),
  prefectureCode: Nullable(Type.String()),
  countyCode: Nullable(Type.String()),
  townshipCode: Nullable(Type.String()),
});
export type AlarmDto = Static<typeof AlarmSchema>;

export const CommentSchema = Type.Object({
  id: Type.Integer(),
  author: Type.String(),
  text: Type.String(),
  createdAt: Time,
});
export type CommentDto = Static<typeof CommentSchema>;

export const AlarmDetailSchema = Type.Intersect([
  AlarmSchema,
  Type.Object({ comments: Type.Array(CommentSchema) }),
]);

const csv = (description: string) => Type.Optional(Type.String({ maxLength: 400, description }));

export const AlarmListQuerySchema = Type.Object(
  {
    scope: Type.Optional(Code),
    state: csv('comma-separated: active,acknowledged,cleared; default active,acknowledged'),
    severity: csv('comma-separated severities'),
    domain: csv('comma-separated vital-sign domains'),
    rule: Type.Optional(Type.String({ maxLength: 64 })),
    sensor: Type.Optional(Type.String({ maxLength: 64 })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'nextBefore of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 50' })),
  },
  { additionalProperties: false },
);
export const AlarmListResponseSchema = Type.Object({
  items: Type.Array(AlarmSchema),
  total: Type.Integer(),
  nextBefore: Nullable(Type.Integer({ description: 'pass as before= for the next page' })),
});

export const AlarmIdParamsSchema = Type.Object(
  { id: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export const RuleIdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const AlarmActionSchema = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'stored as a comment' })) },
  { additionalProperties: false },
);
export const CommentCreateSchema = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const WindowCreateSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$' })),
    jurisdiction: Type.Optional(Nullable(Code)),
    sensors: Type.Optional(
      Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
    ),
    startsAt: Time,
    endsAt: Time,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type WindowCreate = Static<typeof WindowCreateSchema>;
export const WindowSchema = Type.Object({
  id: Type.String(),
  jurisdiction: Nullable(Type.String()),
  sensors: Nullable(Type.Array(Type.String())),
  startsAt: Time,
  endsAt: Time,
  reason: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Time,
});
export type WindowDto = Static<typeof WindowSchema>;
export const WindowListResponseSchema = Type.Object({ items: Type.Array(WindowSchema) });
export const WindowIdParamsSchema = RuleIdParamsSchema;
