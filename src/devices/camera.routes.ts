import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { DEVICE_READ, DEVICE_WRITE, registerImportRoute } from './device.routes.js';
import {
  CameraCreateSchema,
  CameraIdParamsSchema,
  CameraImportReportSchema,
  CameraListQuerySchema,
  CameraListResponseSchema,
  CameraPatchSchema,
  CameraSchema,
} from './camera.schema.js';
import type { CameraService } from './camera.service.js';

const read = DEVICE_READ;
const write = DEVICE_WRITE;

/** /api/v1/cameras: the AI camera registry (视频智能识别点位). */
export function cameraRoutes(
  service: CameraService,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['cameras'];
    const errors = { 400: ErrorResponseSchema, 404: ErrorResponseSchema, 422: ErrorResponseSchema };

    app.get(
      '/cameras',
      {
        config: read,
        schema: {
          tags,
          summary: 'List cameras 视频点位列表',
          description: '`scope` is a jurisdiction code and means anywhere below it. Ordered by id.',
          querystring: CameraListQuerySchema,
          response: { 200: CameraListResponseSchema, ...errors },
        },
      },
      async (request) => service.list(request.query, visibleTo(request)),
    );

    app.post(
      '/cameras',
      {
        config: write,
        schema: {
          tags,
          summary: 'Register a camera 新增视频点位',
          description: 'The jurisdiction chain is resolved from lon/lat (the place the camera looks at).',
          body: CameraCreateSchema,
          response: { 201: CameraSchema, 409: ErrorResponseSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.create(request.body, visibleTo(request))),
    );

    app.get(
      '/cameras/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One camera',
          params: CameraIdParamsSchema,
          response: { 200: CameraSchema, ...errors },
        },
      },
      async (request) => service.get(request.params.id, visibleTo(request)),
    );

    app.patch(
      '/cameras/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Change a camera 修改视频点位',
          description:
            'Replaces the given fields (metadata whole); a new location re-resolves the jurisdiction.',
          params: CameraIdParamsSchema,
          body: CameraPatchSchema,
          response: { 200: CameraSchema, ...errors },
        },
      },
      async (request) => service.update(request.params.id, request.body, visibleTo(request)),
    );

    app.delete(
      '/cameras/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Remove a camera 删除视频点位',
          description: 'Its stored detections stay.',
          params: CameraIdParamsSchema,
          response: { 204: Type.Null({ description: 'deleted' }), ...errors },
        },
      },
      async (request, reply) => {
        await service.delete(request.params.id, visibleTo(request));
        return reply.status(204).send(null);
      },
    );

    await registerImportRoute(app, {
      url: '/cameras/import',
      tags,
      summary: 'Bulk import cameras 批量导入 (CSV or JSON)',
      description:
        'Body: CSV (`text/csv`; header `id,lon,lat[,name][,department][,metadata][,meta.<key>…]`) or a JSON array of cameras. Valid rows are registered in one transaction; the others are reported per row with a stable code. The file may be UTF-8 (with or without BOM) or GB18030/GBK as Excel saves it: `charset` in the Content-Type or the query names it, otherwise it is detected.',
      report: CameraImportReportSchema,
      visibleTo,
      run: (text, format, options) => service.import(text, format, options),
    });
  };
}
