import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import { jurisdictionRoutes } from './jurisdiction.routes.js';
import type { JurisdictionService } from './jurisdiction.service.js';
import type { Visibility } from './visibility.js';

/** This domain's OpenAPI tags, with what each groups. */
export const JURISDICTION_TAGS: OpenApiTag[] = [
  { name: 'jurisdictions', description: '行政区划 jurisdictions: tree, lookup, boundaries' },
];

/** Registers the jurisdiction tree, lookup and boundaries under /api/v1. */
export async function registerJurisdictions(
  app: FastifyInstance,
  deps: { jurisdictions: JurisdictionService; visibleTo: (request: FastifyRequest) => Visibility },
): Promise<void> {
  await app.register(jurisdictionRoutes(deps.jurisdictions, deps.visibleTo), { prefix: '/api/v1' });
}
