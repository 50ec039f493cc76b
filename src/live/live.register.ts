import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import type { Live } from './live.js';
import { liveRoutes } from './live.routes.js';

/** This domain's OpenAPI tags, with what each groups. */
export const LIVE_TAGS: OpenApiTag[] = [
  { name: 'live', description: '态势总览 the dashboard overview and the live feed (WebSocket)' },
];

/** Registers the overview, vital-sign board and live feed under /api/v1. */
export async function registerLive(
  app: FastifyInstance,
  deps: { live: Live; visibleTo: (request: FastifyRequest) => Visibility },
): Promise<void> {
  await app.register(liveRoutes(deps.live, deps.visibleTo), { prefix: '/api/v1' });
}
