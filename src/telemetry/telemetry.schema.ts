import { Type, type Static } from 'typebox';
import { LevelSchema } from '../jurisdictions/jurisdiction.schema.js';
import { SensorDomainSchema } from '../devices/sensor-types.js';

/** POST /api/v1/telemetry: items are checked one by one, so the item schema is deliberately open. */
export const TelemetryBodySchema = Type.Object(
  {
    readings: Type.Array(Type.Unknown(), {
      maxItems: 10_000,
      description: 'up to 10,000 of {"sensor": "ID", "ts": epoch ms or ISO-8601 with zone, "value": number}',
    }),
  },
  { additionalProperties: false },
);

/** The answer to an ingest batch. */
export const IngestReportSchema = Type.Object({
  accepted: Type.Integer({ description: 'readings durably stored' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() }), {
    description: 'refused readings, each alone, by position in the request',
  }),
});

const Time = Type.Union([Type.Integer({ description: 'epoch ms' }), Type.String({ format: 'date-time' })]);

export const SeriesQuerySchema = Type.Object(
  {
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    bucket: Type.Optional(
      Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h'), Type.Literal('auto')], {
        default: 'auto',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A sensor's series: raw points or rollup buckets. */
export const SeriesSchema = Type.Object({
  sensor: Type.String(),
  unit: Type.String(),
  from: Type.String(),
  to: Type.String(),
  bucket: Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')]),
  truncated: Type.Boolean(),
  points: Type.Array(
    Type.Object({
      ts: Type.String(),
      value: Type.Optional(Type.Number()),
      min: Type.Optional(Type.Number()),
      max: Type.Optional(Type.Number()),
      avg: Type.Optional(Type.Number()),
      count: Type.Optional(Type.Integer()),
      last: Type.Optional(Type.Number()),
    }),
  ),
});
export type SeriesDto = Static<typeof SeriesSchema>;

/** A sensor's latest reading. */
export const LatestSchema = Type.Object({
  sensor: Type.String(),
  unit: Type.String(),
  online: Type.Boolean(),
  reading: Type.Union([
    Type.Object({ ts: Type.String(), value: Type.Number(), normal: Type.Boolean() }),
    Type.Null(),
  ]),
});
export type LatestDto = Static<typeof LatestSchema>;

export const VitalsQuerySchema = Type.Object(
  { scope: Type.Optional(Type.String({ minLength: 2, maxLength: 24, pattern: '^[0-9A-Za-z_-]+$' })) },
  { additionalProperties: false },
);

const Counts = { sensors: Type.Integer(), online: Type.Integer() };

/** City vital signs for one jurisdiction and everything under it. */
export const VitalsSchema = Type.Object({
  scope: Type.Object({ code: Type.String(), name: Type.String(), level: LevelSchema }),
  asOf: Type.String(),
  onlineWithinIntervals: Type.Integer({
    description: 'online = a reading within this many reporting intervals',
  }),
  domains: Type.Array(
    Type.Object({
      domain: SensorDomainSchema,
      name: Type.String(),
      nameEn: Type.String(),
      ...Counts,
      offline: Type.Integer(),
      normalShare: Type.Union([Type.Number(), Type.Null()], {
        description: 'share of online sensors whose latest value is within the normal range',
      }),
      figures: Type.Array(
        Type.Object({
          type: Type.String(),
          name: Type.String(),
          nameEn: Type.String(),
          unit: Type.String(),
          reporting: Type.Integer(),
          min: Type.Number(),
          max: Type.Number(),
          avg: Type.Number(),
        }),
      ),
    }),
  ),
  units: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      level: LevelSchema,
      ...Counts,
      abnormal: Type.Integer({ description: 'online sensors outside their normal range' }),
    }),
    { description: 'the same counts for each unit one level down' },
  ),
});
export type VitalsDto = Static<typeof VitalsSchema>;
