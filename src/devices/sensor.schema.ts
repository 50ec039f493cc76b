import { Type, type Static } from 'typebox';
import { SensorDomainInfoSchema, SensorDomainSchema, SensorTypeSchema } from './sensor-types.js';

/**
 * A sensor id as the city writes it: letters, digits and `. _ : -`, starting with a letter or
 * digit, at most 64 characters. No `/`, `+`, `#` or spaces, so an id can stand in an MQTT topic
 * and a URL path as it is. Case-sensitive.
 */
export const SENSOR_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';

const SensorId = Type.String({
  pattern: SENSOR_ID_PATTERN,
  maxLength: 64,
  examples: ['CQ-LJSD-WD-01'],
  description: 'chosen by the city; letters, digits and . _ : - (at most 64)',
});
// Any short string: a code that is not in the catalog is UNKNOWN_SENSOR_TYPE (422), one answer
// for a typo whether it came through the API or an import row.
const TypeCode = Type.String({
  minLength: 1,
  maxLength: 64,
  examples: ['tunnel_water_depth'],
  description: 'a code from GET /api/v1/sensor-types',
});
const Lon = Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude (GPS, not GCJ-02)' });
const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude (GPS, not GCJ-02)' });
const Department = Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], {
  description: 'owning department 权属单位, e.g. 重庆水务集团',
});
const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 64,
  description: 'free JSON object (model, install date, asset number…); at most 8 KiB',
});
const ScopeCode = Type.String({
  minLength: 2,
  maxLength: 24,
  pattern: '^[0-9A-Za-z_-]+$',
  examples: ['500103'],
  description: 'a jurisdiction code: sensors anywhere below it',
});

/** The body of POST /sensors, and one row of an import. */
export const SensorCreateSchema = Type.Object(
  {
    id: SensorId,
    type: TypeCode,
    lon: Lon,
    lat: Lat,
    department: Type.Optional(Department),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
/** What a new sensor needs; the jurisdiction chain and key are worked out, not given. */
export type SensorCreate = Static<typeof SensorCreateSchema>;

/**
 * The body of PATCH /sensors/{id}: the fields to replace (metadata is replaced whole, not merged).
 * The type cannot change: stored readings are in the type's unit, so a different type is a new
 * sensor (delete and create, which gives a new key).
 */
export const SensorPatchSchema = Type.Object(
  {
    lon: Type.Optional(Lon),
    lat: Type.Optional(Lat),
    department: Type.Optional(Department),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, minProperties: 1 },
);
/** Fields of a sensor to replace. */
export type SensorPatch = Static<typeof SensorPatchSchema>;

const Slot = Type.Union([Type.String(), Type.Null()]);

/** A sensor as the API shows it. */
export const SensorSchema = Type.Object({
  id: Type.String(),
  key: Type.Integer({ description: 'dense integer the telemetry store files readings under; never reused' }),
  type: Type.String(),
  domain: SensorDomainSchema,
  lon: Type.Number(),
  lat: Type.Number(),
  jurisdiction: Type.Object(
    { province: Type.String(), prefecture: Slot, county: Slot, township: Slot },
    { description: 'unit codes containing the location, resolved when the sensor was written' },
  ),
  department: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
/** A sensor in API answers. */
export type SensorDto = Static<typeof SensorSchema>;

/** GET /sensors query. */
export const SensorListQuerySchema = Type.Object(
  {
    type: Type.Optional(TypeCode),
    domain: Type.Optional(SensorDomainSchema),
    scope: Type.Optional(ScopeCode),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
/** Parsed GET /sensors query. */
export type SensorListQueryDto = Static<typeof SensorListQuerySchema>;

/** A page of sensors, ordered by id. */
export const SensorListResponseSchema = Type.Object({
  items: Type.Array(SensorSchema),
  total: Type.Integer(),
});
/** A page of sensors. */
export type SensorListResponse = Static<typeof SensorListResponseSchema>;

/** `{id}` in sensor paths. */
export const SensorIdParamsSchema = Type.Object({ id: SensorId }, { additionalProperties: false });

/** GET /sensor-types query. */
export const SensorTypeListQuerySchema = Type.Object(
  { domain: Type.Optional(SensorDomainSchema) },
  { additionalProperties: false },
);

/** GET /sensor-types answer: the domains and the types (filtered by domain when asked). */
export const SensorTypeListResponseSchema = Type.Object({
  domains: Type.Array(SensorDomainInfoSchema),
  items: Type.Array(SensorTypeSchema),
});
/** The sensor type catalog as the API serves it. */
export type SensorTypeListResponse = Static<typeof SensorTypeListResponseSchema>;

/** Error codes an import row can be rejected with. */
export const IMPORT_ROW_CODES = [
  'INVALID_SENSOR',
  'UNKNOWN_SENSOR_TYPE',
  'OUTSIDE_JURISDICTION',
  'SENSOR_CONFLICT',
] as const;
/** Why an import row was rejected. */
export type ImportRowCode = (typeof IMPORT_ROW_CODES)[number];

/** One rejected import row. */
export const ImportRejectionSchema = Type.Object({
  row: Type.Integer({
    description: '1-based data row (CSV: not counting the header; JSON: array index + 1)',
  }),
  line: Type.Optional(Type.Integer({ description: 'CSV only: the line the record starts on' })),
  id: Type.Optional(Type.String()),
  code: Type.Enum([...IMPORT_ROW_CODES]),
  message: Type.String(),
});
/** One rejected import row. */
export type ImportRejection = Static<typeof ImportRejectionSchema>;

/** Outcome of an import: how many sensors were registered and which rows were not, with why. */
export const ImportReportSchema = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Array(ImportRejectionSchema),
});
/** Outcome of an import. */
export type ImportReport = Static<typeof ImportReportSchema>;
