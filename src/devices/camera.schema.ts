import { Type, type Static } from 'typebox';
import { SENSOR_ID_PATTERN } from './sensor.schema.js';

/** A camera id: the same alphabet as sensor ids (letters, digits and `. _ : -`, at most 64). */
export const CAMERA_ID_PATTERN = SENSOR_ID_PATTERN;

const CameraId = Type.String({
  pattern: CAMERA_ID_PATTERN,
  maxLength: 64,
  examples: ['BB-TS-0001'],
  description: 'chosen by the city; letters, digits and . _ : - (at most 64)',
});
const Name = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
  description: 'what it looks at, e.g. 天生路与云华路交叉口',
});
const Lon = Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude of what it looks at' });
const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude of what it looks at' });
const Department = Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], {
  description: 'owning department 权属单位',
});
const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 64,
  description: 'free JSON object (model, stream URL, install date…); at most 8 KiB',
});

/** The body of POST /cameras, and one row of an import. */
export const CameraCreateSchema = Type.Object(
  {
    id: CameraId,
    name: Type.Optional(Name),
    lon: Lon,
    lat: Lat,
    department: Type.Optional(Department),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
/** What a new camera needs; its jurisdiction chain is worked out from lon/lat. */
export type CameraCreate = Static<typeof CameraCreateSchema>;

/** The body of PATCH /cameras/{id}: the fields to replace (metadata whole). */
export const CameraPatchSchema = Type.Object(
  {
    name: Type.Optional(Name),
    lon: Type.Optional(Lon),
    lat: Type.Optional(Lat),
    department: Type.Optional(Department),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, minProperties: 1 },
);
/** Fields of a camera to replace. */
export type CameraPatch = Static<typeof CameraPatchSchema>;

const Slot = Type.Union([Type.String(), Type.Null()]);

/** A camera as the API shows it. */
export const CameraSchema = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  lon: Type.Number(),
  lat: Type.Number(),
  jurisdiction: Type.Object(
    { province: Type.String(), prefecture: Slot, county: Slot, township: Slot },
    { description: 'unit codes containing the location, resolved when the camera was written' },
  ),
  department: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
/** A camera in API answers. */
export type CameraDto = Static<typeof CameraSchema>;

/** GET /cameras query. */
export const CameraListQuerySchema = Type.Object(
  {
    scope: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 24,
        pattern: '^[0-9A-Za-z_-]+$',
        description: 'a jurisdiction code: cameras anywhere below it',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
/** Parsed GET /cameras query. */
export type CameraListQueryDto = Static<typeof CameraListQuerySchema>;

/** A page of cameras, ordered by id. */
export const CameraListResponseSchema = Type.Object({
  items: Type.Array(CameraSchema),
  total: Type.Integer(),
});
/** A page of cameras. */
export type CameraListResponse = Static<typeof CameraListResponseSchema>;

/** `{id}` in camera paths. */
export const CameraIdParamsSchema = Type.Object({ id: CameraId }, { additionalProperties: false });

/** Error codes a camera import row can be rejected with. */
export const CAMERA_IMPORT_CODES = ['INVALID_CAMERA', 'OUTSIDE_JURISDICTION', 'CAMERA_CONFLICT'] as const;
/** Why a camera import row was rejected. */
export type CameraImportCode = (typeof CAMERA_IMPORT_CODES)[number];

/** Outcome of a camera import. */
export const CameraImportReportSchema = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      row: Type.Integer({ description: '1-based data row (CSV: not counting the header; JSON: index + 1)' }),
      line: Type.Optional(Type.Integer({ description: 'CSV only: the line the record starts on' })),
      id: Type.Optional(Type.String()),
      code: Type.Unsafe<CameraImportCode>({ type: 'string', enum: [...CAMERA_IMPORT_CODES] }),
      message: Type.String(),
    }),
  ),
});
/** Outcome of a camera import. */
export type CameraImportReport = Static<typeof CameraImportReportSchema>;
