import type { FastifyInstance } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { Database } from '../platform/db/database.js';
import { healthRoutes } from './health.routes.js';

/** This domain's OpenAPI tags, with what each groups. */
export const HEALTH_TAGS: OpenApiTag[] = [{ name: 'operations', description: 'health and metrics' }];

/** Registers GET /healthz at the root (no prefix: probes and load balancers call it there). */
export async function registerHealth(
  app: FastifyInstance,
  deps: { database: Database; version: string },
): Promise<void> {
  await app.register(healthRoutes(deps.database, deps.version));
}
