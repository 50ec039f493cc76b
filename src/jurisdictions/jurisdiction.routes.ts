import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CodeParamsSchema,
  FeatureCollectionSchema,
  GeoJsonQuerySchema,
  ListQuerySchema,
  ListResponseSchema,
  LookupQuerySchema,
  LookupResponseSchema,
  UnitDetailSchema,
} from './jurisdiction.schema.js';
import type { JurisdictionService } from './jurisdiction.service.js';
import type { Visibility } from './visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';

/**
 * /api/v1/jurisdictions: the tree, point lookup and boundaries. `visibleTo` gives the caller's
 * visibility (access/'s `visibility`), so this domain never imports access/.
 */
export function jurisdictionRoutes(
  service: JurisdictionService,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['jurisdictions'];
    const config = { policy: { permission: 'jurisdictions:read' } } as const;
    const seen = visibleTo;

    app.get(
      '/jurisdictions',
      {
        config,
        schema: {
          tags,
          summary: 'List jurisdictions 行政区划列表',
          description:
            'With `parent` and `level`: every unit of that level anywhere below `parent` (e.g. `?level=township&parent=50` lists all 1,031 towns/streets of Chongqing). With `parent` alone: its direct children.',
          querystring: ListQuerySchema,
          response: { 200: ListResponseSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => service.list(request.query, seen(request)),
    );

    app.get(
      '/jurisdictions/lookup',
      {
        config,
        schema: {
          tags,
          summary: 'Which units contain a point 坐标反查',
          querystring: LookupQuerySchema,
          response: { 200: LookupResponseSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => service.lookup(request.query.lon, request.query.lat, seen(request)),
    );

    app.get(
      '/jurisdictions/geojson',
      {
        config,
        schema: {
          tags,
          summary: 'Boundaries as GeoJSON 边界',
          description:
            'A FeatureCollection of MultiPolygons. `properties.approximate` is true for derived boundaries (Sichuan counties, all towns/streets) until the city imports real ones.',
          querystring: GeoJsonQuerySchema,
          response: { 200: FeatureCollectionSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => service.geojson(request.query, seen(request)),
    );

    app.get(
      '/jurisdictions/:code',
      {
        config,
        schema: {
          tags,
          summary: 'One jurisdiction with its parent chain and counts below it',
          params: CodeParamsSchema,
          response: { 200: UnitDetailSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => service.get(request.params.code, seen(request)),
    );
  };
}
