import type { FastifyInstance } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import { telemetryRoutes, type TelemetryRouteDeps } from './telemetry.routes.js';

/** This domain's OpenAPI tags, with what each groups. */
export const TELEMETRY_TAGS: OpenApiTag[] = [
  { name: 'telemetry', description: '城市体征 telemetry ingest, latest values, series, vital signs' },
];

/** Registers telemetry ingest, latest values, series and vital signs under /api/v1. */
export async function registerTelemetry(app: FastifyInstance, deps: TelemetryRouteDeps): Promise<void> {
  await app.register(telemetryRoutes(deps), { prefix: '/api/v1' });
}
