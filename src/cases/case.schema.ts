import { Type, type Static } from 'typebox';
import { HANDLING_LEVELS, STAGES, type CategoryKind, type HandlingLevel } from './case-catalog.js';
import { PRIORITIES, REPORT_SOURCES, type Priority, type ReportSource } from './case-intake.js';
import { CASE_ACTIONS, CASE_STATUSES, type CaseStatus } from './case-lifecycle.js';
import { STATS_GROUPS, type StatsGroup } from './case-stats-query.js';

const enumOf = <T extends string>(values: readonly string[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const PrioritySchema = enumOf<Priority>(PRIORITIES);
const StatusSchema = enumOf<CaseStatus>(CASE_STATUSES);
const LevelSchema = enumOf<HandlingLevel>(HANDLING_LEVELS);
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });
const ScopeCode = Type.String({
  minLength: 2,
  maxLength: 24,
  pattern: '^[0-9A-Za-z_-]+$',
  description: 'a jurisdiction code: anywhere below it',
});
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' });
const Note = Type.String({ maxLength: 4000 });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Date_ = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (China time)' });

/** POST /cases: an operator's manual entry (人工录入). */
export const CaseCreateSchema = Type.Object(
  {
    category: Code,
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    priority: Type.Optional(PrioritySchema),
    reporter: Type.Optional(Type.String({ maxLength: 200 })),
    attachments: Type.Optional(Type.Array(Url, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
/** An operator's manual entry. */
export type CaseCreate = Static<typeof CaseCreateSchema>;

/** A case in lists. */
export const CaseSchema = Type.Object({
  id: Type.String(),
  status: StatusSchema,
  statusName: Type.String({ description: 'Chinese name of the status' }),
  category: Type.String(),
  categoryName: Type.String(),
  kind: enumOf<CategoryKind>(['component', 'event']),
  priority: PrioritySchema,
  description: Type.String(),
  address: NullableString,
  lon: NullableNumber,
  lat: NullableNumber,
  needsLocation: Type.Boolean({
    description: '待定位: reported by address alone, no point yet; command staff set one with `locate`',
  }),
  jurisdiction: Type.Object({ city: Type.String(), county: Type.String(), township: Type.String() }),
  department: Type.Union([
    Type.Object({ id: Type.String(), type: Type.String(), unit: Type.String(), name: Type.String() }),
    Type.Null(),
  ]),
  level: LevelSchema,
  supervisionLevel: LevelSchema,
  escalation: Type.Integer(),
  source: enumOf<ReportSource>(REPORT_SOURCES),
  reporter: NullableString,
  occurrences: Type.Integer(),
  reportedAt: Time,
  lastReportedAt: Time,
  registeredAt: NullableTime,
  closedAt: NullableTime,
  updatedAt: Time,
  stage: Type.Union([enumOf<string>(STAGES), Type.Null()]),
  stageDeadline: NullableTime,
  dueAt: Type.String({ format: 'date-time', description: 'expected closure (Open311 expected_datetime)' }),
  overdue: Type.Boolean(),
  reworkCount: Type.Integer(),
  extensionCount: Type.Integer(),
  extension: Type.Union([
    Type.Object({ minutes: Type.Integer(), by: Type.String(), at: Time, note: NullableString }),
    Type.Null(),
  ]),
  mergedInto: NullableString,
});
/** A case in API answers. */
export type CaseDto = Static<typeof CaseSchema>;

/** One timeline entry. */
export const CaseEventSchema = Type.Object({
  seq: Type.Integer(),
  action: Type.String(),
  from: Type.Union([StatusSchema, Type.Null()]),
  to: StatusSchema,
  at: Time,
  actor: Type.String(),
  note: Type.Union([Type.String(), Type.Null()], { description: 'private: staff only' }),
  publicNote: Type.Union([Type.String(), Type.Null()], { description: '公开回复: shown by Open311' }),
  attachments: Type.Array(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
});

/** One report folded into a case. */
export const OccurrenceSchema = Type.Object({
  id: Type.String(),
  source: enumOf<ReportSource>(REPORT_SOURCES),
  sourceRef: Type.String(),
  lon: NullableNumber,
  lat: NullableNumber,
  description: Type.String(),
  reporter: NullableString,
  reportedAt: Time,
  attachments: Type.Array(Type.String()),
  raw: Type.Unknown(),
});

/** A case with its timeline, occurrences and the caller's allowed actions. */
export const CaseDetailSchema = Type.Object({
  ...CaseSchema.properties,
  routing: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  timeline: Type.Array(CaseEventSchema),
  occurrences: Type.Array(OccurrenceSchema),
  allowedActions: Type.Array(Type.String()),
});
/** A case in detail. */
export type CaseDetailDto = Static<typeof CaseDetailSchema>;

/** GET /cases query. */
export const CaseListQuerySchema = Type.Object(
  {
    scope: Type.Optional(ScopeCode),
    status: Type.Optional(
      Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', description: 'one status or several, comma-separated' }),
    ),
    category: Type.Optional(Code),
    department: Type.Optional(
      Type.String({ pattern: '^[a-z0-9_]+(@[0-9A-Za-z_-]+)?$', description: '`type` or `type@unit`' }),
    ),
    overdue: Type.Optional(Type.Boolean()),
    needsLocation: Type.Optional(
      Type.Boolean({
        description: 'true: only cases waiting for a point (待定位); false: only located ones',
      }),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    sort: Type.Optional(
      enumOf<'newest' | 'deadline'>(
        ['newest', 'deadline'],
        'newest (default) or deadline: open cases only, soonest deadline first',
      ),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);
/** Parsed GET /cases query. */
export type CaseListQueryDto = Static<typeof CaseListQuerySchema>;

/** GET /cases/export query: the list filters, all matches (at most `limit`). */
export const CaseExportQuerySchema = Type.Object(
  {
    ...CaseListQuerySchema.properties,
    format: enumOf<'csv' | 'geojson'>(['csv', 'geojson']),
    limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }),
  },
  { additionalProperties: false },
);

/** A page of cases, newest first. */
export const CaseListResponseSchema = Type.Object({
  items: Type.Array(CaseSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as `cursor` for the next page; null on the last',
  }),
});

/** `{id}` in case paths. */
export const CaseIdParamsSchema = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }) },
  { additionalProperties: false },
);

/** POST /cases/{id}/transitions. */
export const TransitionSchema = Type.Object(
  {
    action: enumOf<string>(CASE_ACTIONS.filter((a) => a !== 'escalate')),
    note: Type.Optional({ ...Note, description: 'the staff’s note: private, never shown to the public' }),
    publicNote: Type.Optional({
      ...Note,
      description: '公开回复: a reply for the public, shown by Open311 (status_notes, updates)',
    }),
    attachments: Type.Optional(Type.Array(Url, { maxItems: 20 })),
    department: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_]+(@[0-9A-Za-z_-]+)?$',
        description: 'dispatch/reassign: `type` or `type@unit`',
      }),
    ),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600, description: 'request_extension' })),
    into: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'merge: the case to merge into' }),
    ),
    occurrences: Type.Optional(
      Type.Array(Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }), {
        minItems: 1,
        maxItems: 1000,
        uniqueItems: true,
        description: 'split: the occurrences that become a new case',
      }),
    ),
    category: Type.Optional({ ...Code, description: 'split: the new case’s category (default: the same)' }),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'locate: WGS84 longitude' })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'locate: WGS84 latitude' })),
  },
  { additionalProperties: false },
);

/** GET /cases/stats query. */
export const StatsQuerySchema = Type.Object(
  {
    scope: Type.Optional(ScopeCode),
    from: Type.Optional(Date_),
    to: Type.Optional(Date_),
    category: Type.Optional(Code),
    department: Type.Optional(Type.String({ pattern: '^[a-z0-9_]+(@[0-9A-Za-z_-]+)?$' })),
    groupBy: Type.Optional(enumOf<StatsGroup>(STATS_GROUPS)),
  },
  { additionalProperties: false },
);

const Metrics = {
  counts: Type.Record(Type.String(), Type.Integer()),
  rates: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]), {
    description:
      'registrationRate 立案率, closureRate 结案率, onTimeClosureRate 按期结案率, reworkRate 返工率, extensionRate 延期率',
  }),
  stages: Type.Record(
    Type.String(),
    Type.Object({
      count: Type.Integer(),
      meanMinutes: Type.Union([Type.Number(), Type.Null()]),
      p90Minutes: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
};

/** GET /cases/stats answer. */
export const StatsResponseSchema = Type.Object({
  scope: NullableString,
  from: NullableString,
  to: NullableString,
  groupBy: NullableString,
  total: Type.Object(Metrics),
  groups: Type.Array(Type.Object({ key: Type.String(), ...Metrics })),
});

const StageLimitsSchema = Type.Object(
  Object.fromEntries(STAGES.map((s) => [s, Type.Integer({ minimum: 1, maximum: 525_600 })])) as Record<
    (typeof STAGES)[number],
    ReturnType<typeof Type.Integer>
  >,
  { additionalProperties: false },
);

/** A category (PUT body and answer). */
export const CategorySchema = Type.Object(
  {
    code: Code,
    kind: enumOf<CategoryKind>(['component', 'event']),
    group: Type.String({ minLength: 1, maxLength: 40 }),
    zh: Type.String({ minLength: 1, maxLength: 100 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
    departmentType: Code,
    level: LevelSchema,
    priority: PrioritySchema,
    limits: Type.Object(
      {
        urgent: StageLimitsSchema,
        high: StageLimitsSchema,
        normal: StageLimitsSchema,
        low: StageLimitsSchema,
      },
      { additionalProperties: false },
    ),
    dedupRadiusM: Type.Number({ minimum: 0, maximum: 10_000 }),
    dedupWindowMin: Type.Integer({ minimum: 0, maximum: 525_600 }),
    enabled: Type.Boolean(),
    citizenReportable: Type.Boolean({ description: '市民可报: offered as an Open311 service' }),
  },
  { additionalProperties: false },
);

/** A department type (PUT body and answer). */
export const DepartmentTypeSchema = Type.Object(
  {
    code: Code,
    zh: Type.String({ minLength: 1, maxLength: 100 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
    levels: Type.Array(LevelSchema, { minItems: 1, maxItems: 3, uniqueItems: true }),
  },
  { additionalProperties: false },
);

/** A routing rule (PUT body and answer). */
export const RoutingRuleSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    category: Type.String({ pattern: '^([a-z0-9_]+|\\*)$' }),
    priority: Type.Union([PrioritySchema, Type.Literal('*')]),
    level: Type.Union([LevelSchema, Type.Null()]),
    departmentType: Type.Union([Code, Type.Null()]),
    note: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);

/** GET /cases/departments query. */
export const DepartmentsQuerySchema = Type.Object({ unit: ScopeCode }, { additionalProperties: false });

/** GET /cases/departments answer: the departments at a unit. */
export const DepartmentListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      name: Type.String(),
      unit: Type.String(),
      level: LevelSchema,
    }),
  ),
});
