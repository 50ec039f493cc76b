import { Type, type Static } from 'typebox';

/** Official levels; the UI shows them as 省/市, 市/州, 区县, 镇街. */
export const LevelSchema = Type.Union(
  [Type.Literal('province'), Type.Literal('prefecture'), Type.Literal('county'), Type.Literal('township')],
  { description: 'province 省级 | prefecture 地级 | county 县级 | township 乡级 (镇/街道)' },
);

const Code = Type.String({ minLength: 2, maxLength: 24, pattern: '^[0-9A-Za-z_-]+$', examples: ['500109'] });

/** A unit's code, name and level: the short form used in chains and lookups. */
export const UnitRefSchema = Type.Object({ code: Type.String(), name: Type.String(), level: LevelSchema });
export type UnitRef = Static<typeof UnitRefSchema>;

/** A jurisdiction as the API shows it. */
export const UnitSchema = Type.Object(
  {
    code: Type.String({
      description: 'NBS statistical division code, or a city-defined code for custom units',
    }),
    name: Type.String(),
    level: LevelSchema,
    parent: Type.Union([Type.String(), Type.Null()], { description: 'parent in the operational tree' }),
    officialParent: Type.Union([Type.String(), Type.Null()], {
      description:
        'parent in the official division tree (differs from parent for townships taken over by a zone)',
    }),
    kind: Type.Union([Type.Literal('official'), Type.Literal('custom')]),
    boundary: Type.Union([
      Type.Object({
        approximate: Type.Boolean({ description: 'true for derived (not surveyed) boundaries' }),
        imported: Type.Boolean({ description: 'true when imported by the city with `cityops geo import`' }),
      }),
      Type.Null(),
    ]),
  },
  {},
);
export type UnitDto = Static<typeof UnitSchema>;

/** One unit with its parent chain and the count of its children and descendants per level. */
export const UnitDetailSchema = Type.Object({
  ...UnitSchema.properties,
  chain: Type.Array(UnitRefSchema, { description: 'ancestors from the province down to the parent' }),
  children: Type.Integer({ description: 'number of direct children' }),
  descendants: Type.Object(
    {
      prefecture: Type.Integer(),
      county: Type.Integer(),
      township: Type.Integer(),
    },
    { description: 'number of units below, per level' },
  ),
});
export type UnitDetailDto = Static<typeof UnitDetailSchema>;

export const ListQuerySchema = Type.Object(
  {
    level: Type.Optional(LevelSchema),
    parent: Type.Optional(Code),
    limit: Type.Integer({ minimum: 1, maximum: 10000, default: 5000 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuerySchema>;

export const ListResponseSchema = Type.Object({
  items: Type.Array(UnitSchema),
  total: Type.Integer(),
});
export type ListResponse = Static<typeof ListResponseSchema>;

export const LookupQuerySchema = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude' }),
  },
  { additionalProperties: false },
);

const Slot = Type.Union([UnitRefSchema, Type.Null()]);
/** The unit chain containing a point. */
export const LookupResponseSchema = Type.Object({
  province: UnitRefSchema,
  prefecture: Slot,
  county: Slot,
  township: Slot,
  approximate: Type.Boolean({ description: 'true when the deciding boundary is approximate' }),
});
export type LookupResponse = Static<typeof LookupResponseSchema>;

export const GeoJsonQuerySchema = Type.Object(
  {
    level: LevelSchema,
    parent: Type.Optional(Code),
  },
  { additionalProperties: false },
);

/** A GeoJSON FeatureCollection with code, name, level and approximate in each feature's properties. */
export const FeatureCollectionSchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.String(),
      properties: Type.Object({
        code: Type.String(),
        name: Type.String(),
        level: LevelSchema,
        parent: Type.Union([Type.String(), Type.Null()]),
        approximate: Type.Boolean(),
      }),
      geometry: Type.Object({
        type: Type.Literal('MultiPolygon'),
        coordinates: Type.Array(Type.Array(Type.Array(Type.Array(Type.Number())))),
      }),
    }),
  ),
});
export type FeatureCollectionDto = Static<typeof FeatureCollectionSchema>;

export const CodeParamsSchema = Type.Object({ code: Code }, { additionalProperties: false });
