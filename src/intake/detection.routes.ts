import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { CameraIdParamsSchema } from '../devices/camera.schema.js';
import type { DetectionIngest } from './detection-ingest.js';
import {
  DetectionBodySchema,
  DetectionListQuerySchema,
  DetectionReportSchema,
  DetectionRuleListSchema,
  DetectionSchema,
} from './detection.schema.js';
import { Type } from 'typebox';

/** POST /api/v1/detections, GET /api/v1/detection-classes, GET /api/v1/cameras/{id}/detections. */
export function detectionRoutes(
  ingest: DetectionIngest,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['cameras'];

    app.post(
      '/detections',
      {
        config: { policy: { permission: 'detections:ingest' } },
        schema: {
          tags,
          summary: 'AI detections 视频智能识别上报',
          description:
            'One detection or an array of up to 1,000 from camera keys. Each is stored (bad ones refused alone, by index, with a code); a class whose detections meet its confidence and persistence rule (GET /detection-classes) opens one case per camera, and later detections attach to it while it is open.',
          body: DetectionBodySchema,
          response: { 200: DetectionReportSchema, 400: ErrorResponseSchema, 413: ErrorResponseSchema },
        },
      },
      async (request) => {
        const items = Array.isArray(request.body) ? request.body : [request.body];
        return ingest.ingest(items, visibleTo(request));
      },
    );

    app.get(
      '/detection-classes',
      {
        config: { policy: { permission: 'sensors:read' } },
        schema: {
          tags,
          summary: 'Detection classes and their case rules 识别类别',
          description:
            'Set with CITYOPS_DETECTION_RULES (class:minConfidence:minDetections:windowSeconds,…).',
          response: { 200: DetectionRuleListSchema },
        },
      },
      async () => ({
        items: ingest.rules().map((r) => ({
          class: r.class,
          category: r.category,
          zh: r.zh,
          minConfidence: r.minConfidence,
          minDetections: r.minDetections,
          windowSeconds: r.windowSeconds,
        })),
      }),
    );

    app.get(
      '/cameras/:id/detections',
      {
        config: { policy: { permission: 'sensors:read' } },
        schema: {
          tags,
          summary: 'A camera’s latest detections, raw',
          params: CameraIdParamsSchema,
          querystring: DetectionListQuerySchema,
          response: { 200: Type.Object({ items: Type.Array(DetectionSchema) }), 404: ErrorResponseSchema },
        },
      },
      async (request) => {
        const rows = await ingest.recent(request.params.id, request.query.limit, visibleTo(request));
        const iso = (ms: number) => new Date(ms).toISOString();
        return {
          items: rows.map((d) => ({
            seq: d.seq,
            camera: d.camera,
            class: d.class,
            confidence: d.confidence,
            ts: iso(d.ts),
            snapshotUrl: d.snapshotUrl,
            outcome: d.outcome,
            caseId: d.caseId,
            receivedAt: iso(d.receivedAt),
            raw: d.raw,
          })),
        };
      },
    );
  };
}
