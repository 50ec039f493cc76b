import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { caseRoutes } from './case.routes.js';
import type { CaseService } from './case.service.js';

/** This domain's OpenAPI tags, with what each groups. */
export const CASE_TAGS: OpenApiTag[] = [
  { name: 'cases', description: '案件 cases: intake, routing 派遣, lifecycle, statistics, catalog' },
];

/** Registers the case API (intake, routing, lifecycle, statistics, catalog) under /api/v1. */
export async function registerCases(
  app: FastifyInstance,
  deps: { cases: CaseService; visibleTo: (request: FastifyRequest) => Visibility },
): Promise<void> {
  await app.register(caseRoutes(deps.cases, deps.visibleTo), { prefix: '/api/v1' });
}
