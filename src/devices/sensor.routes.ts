import type { Visibility } from '../jurisdictions/visibility.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { DEVICE_READ, DEVICE_WRITE, registerImportRoute } from './device.routes.js';
import {
  ImportReportSchema,
  SensorCreateSchema,
  SensorIdParamsSchema,
  SensorListQuerySchema,
  SensorListResponseSchema,
  SensorPatchSchema,
  SensorSchema,
  SensorTypeListQuerySchema,
  SensorTypeListResponseSchema,
} from './sensor.schema.js';
import type { SensorService } from './sensor.service.js';

const read = DEVICE_READ;
const write = DEVICE_WRITE;

const NoContent = Type.Null({ description: 'deleted' });

/**
 * /api/v1/sensors and /api/v1/sensor-types: the sensor registry and the type catalog.
 * `visibleTo` gives the caller's jurisdiction (the access domain's `visibility`); the service
 * hides what lies outside it.
 */
export function sensorRoutes(
  service: SensorService,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['sensors'];
    const errors = { 400: ErrorResponseSchema, 404: ErrorResponseSchema, 422: ErrorResponseSchema };

    app.get(
      '/sensor-types',
      {
        config: read,
        schema: {
          tags,
          summary: 'The sensor type catalog 传感器类型目录',
          description: 'Built in and read-only: domains, units, normal ranges and reporting intervals.',
          querystring: SensorTypeListQuerySchema,
          response: { 200: SensorTypeListResponseSchema, 400: ErrorResponseSchema },
        },
      },
      async (request) => service.types(request.query.domain),
    );

    app.get(
      '/sensors',
      {
        config: read,
        schema: {
          tags,
          summary: 'List sensors 传感器列表',
          description: '`scope` is a jurisdiction code and means anywhere below it. Ordered by id.',
          querystring: SensorListQuerySchema,
          response: { 200: SensorListResponseSchema, ...errors },
        },
      },
      async (request) => service.list(request.query, visibleTo(request)),
    );

    app.post(
      '/sensors',
      {
        config: write,
        schema: {
          tags,
          summary: 'Register a sensor 新增传感器',
          description: 'The jurisdiction chain is resolved from lon/lat; the key is assigned here.',
          body: SensorCreateSchema,
          response: { 201: SensorSchema, 409: ErrorResponseSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.create(request.body, visibleTo(request))),
    );

    app.get(
      '/sensors/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One sensor',
          params: SensorIdParamsSchema,
          response: { 200: SensorSchema, ...errors },
        },
      },
      async (request) => service.get(request.params.id, visibleTo(request)),
    );

    app.patch(
      '/sensors/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Change a sensor 修改传感器',
          description:
            'Replaces the given fields (metadata whole). The type cannot change: register a new sensor.',
          params: SensorIdParamsSchema,
          body: SensorPatchSchema,
          response: { 200: SensorSchema, ...errors },
        },
      },
      async (request) => service.update(request.params.id, request.body, visibleTo(request)),
    );

    app.delete(
      '/sensors/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Remove a sensor 删除传感器',
          params: SensorIdParamsSchema,
          response: { 204: NoContent, ...errors },
        },
      },
      async (request, reply) => {
        await service.delete(request.params.id, visibleTo(request));
        return reply.status(204).send(null);
      },
    );

    await registerImportRoute(app, {
      url: '/sensors/import',
      tags,
      summary: 'Bulk import 批量导入 (CSV or JSON)',
      description:
        'Body: a CSV file (`Content-Type: text/csv`; header `id,type,lon,lat[,department][,metadata][,meta.<key>…]`) or a JSON array of sensors (`application/json`). Valid rows are registered in one transaction; the others are reported per row with a stable code. The file may be UTF-8 (with or without BOM) or GB18030/GBK as Excel saves it: `charset` in the Content-Type or the query names it, otherwise it is detected.',
      report: ImportReportSchema,
      visibleTo,
      run: (text, format, options) => service.import(text, format, options),
    });
  };
}
