import { Type, type Static } from 'typebox';
import { LevelSchema, UnitRefSchema } from '../jurisdictions/jurisdiction.schema.js';
import type { LiveEvent } from './live.types.js';

const Scope = Type.String({
  minLength: 2,
  maxLength: 24,
  pattern: '^[0-9A-Za-z_-]+$',
  description: 'a jurisdiction code (default: your own); one above yours is narrowed to yours',
});
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** GET /overview query. */
export const OverviewQuerySchema = Type.Object(
  { scope: Type.Optional(Scope) },
  { additionalProperties: false },
);

/** A feed event as JSON (its shape: src/live/live.types.ts, LiveEvent). */
const LiveEventSchema = Type.Unsafe<LiveEvent>({
  type: 'object',
  additionalProperties: true,
  description: 'a live feed event (topic alarm or case); see docs/dashboard.md',
});

/** GET /overview answer: the one screen of a scope. */
export const OverviewSchema = Type.Object({
  scope: Type.Object({
    code: Type.String(),
    name: Type.String(),
    level: LevelSchema,
    parent: Type.Union([Type.String(), Type.Null()], { description: 'null when above what you may see' }),
    chain: Type.Array(UnitRefSchema, { description: 'visible ancestors, root first' }),
    childLevel: Type.Union([LevelSchema, Type.Null()]),
  }),
  asOf: Type.String({ format: 'date-time' }),
  live: Type.Object(
    { epoch: Type.String(), seq: Type.Integer() },
    { description: 'open /api/v1/live?since=seq&epoch=epoch to receive every event after this answer' },
  ),
  figures: Type.Object({
    reportedToday: Type.Union([Type.Integer(), Type.Null()], {
      description: '今日事件 cases reported today',
    }),
    open: Type.Union([Type.Integer(), Type.Null()], { description: '在办 open cases' }),
    overdue: Type.Union([Type.Integer(), Type.Null()], {
      description: '超期 open cases past their deadline',
    }),
    closureRate: Type.Union([Type.Number(), Type.Null()], { description: '结案率 over ratePeriod' }),
    onTimeClosureRate: Type.Union([Type.Number(), Type.Null()], {
      description: '按期结案率 over ratePeriod',
    }),
    ratePeriod: Type.Union([Type.Object({ from: Type.String(), to: Type.String() }), Type.Null()]),
    activeAlarms: NullableInteger,
    criticalAlarms: NullableInteger,
    sensors: Type.Integer(),
    online: Type.Integer(),
    readingsPerMinute: Type.Integer(),
  }),
  domains: Type.Array(
    Type.Object({
      domain: Type.String(),
      name: Type.String(),
      nameEn: Type.String(),
      sensors: Type.Integer(),
      online: Type.Integer(),
      normalShare: NullableNumber,
      activeAlarms: Type.Integer(),
      criticalAlarms: Type.Integer(),
      headline: Type.Object({
        type: Type.String(),
        name: Type.String(),
        nameEn: Type.String(),
        unit: Type.String(),
        normalMin: NullableNumber,
        normalMax: NullableNumber,
        reporting: Type.Integer(),
        avg: NullableNumber,
        min: NullableNumber,
        max: NullableNumber,
      }),
      history: Type.Object({
        normalShare: Type.Array(NullableNumber),
        value: Type.Array(NullableNumber),
      }),
    }),
  ),
  history: Type.Object({ stepSeconds: Type.Number(), times: Type.Array(Type.String()) }),
  units: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      level: LevelSchema,
      approximate: Type.Boolean({ description: 'its boundary is derived, not surveyed' }),
      openCases: NullableInteger,
      overdueCases: NullableInteger,
      activeAlarms: NullableInteger,
      criticalAlarms: NullableInteger,
      sensors: Type.Integer(),
      abnormal: Type.Integer(),
    }),
    { description: 'one level down (the map); a township shows itself' },
  ),
  recent: Type.Array(LiveEventSchema, { description: 'newest feed events in this scope, oldest first' }),
});
/** The overview answer. */
export type OverviewDto = Static<typeof OverviewSchema>;

/** GET /live query (HTTP replay; the same URL upgrades to the WebSocket). */
export const LiveQuerySchema = Type.Object(
  {
    scope: Type.Optional(Scope),
    since: Type.Optional(Type.Integer({ minimum: 0, description: 'the last seq you saw' })),
    epoch: Type.Optional(Type.String({ maxLength: 32, description: 'the epoch that seq belongs to' })),
  },
  { additionalProperties: false },
);

/** GET /live answer over plain HTTP: the events after `since` (a polling fallback and for tools). */
export const LiveReplaySchema = Type.Object({
  epoch: Type.String(),
  seq: Type.Integer({ description: 'pass back as since=' }),
  scope: Type.String(),
  resumed: Type.Boolean({ description: 'false: since was too old or of another epoch; refetch snapshots' }),
  events: Type.Array(LiveEventSchema),
});
