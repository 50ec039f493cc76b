import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import { cameraRoutes } from '../devices/camera.routes.js';
import type { CameraService } from '../devices/camera.service.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { detectionRoutes } from './detection.routes.js';
import type { Intake } from './intake.js';
import { intakeRoutes } from './intake.routes.js';
import { open311Routes, type Open311RouteOptions } from './open311.routes.js';

/** This domain's OpenAPI tags, with what each groups. */
export const INTAKE_TAGS: OpenApiTag[] = [
  { name: 'cameras', description: '视频智能识别 AI cameras and their detections' },
  { name: 'open311', description: 'Open311 GeoReport v2 at /open311/v2 (市民上报)' },
];

/** What the intake routes need: the adapters createIntake built, and Open311's published settings. */
export interface IntakeRouteDeps {
  cameras: CameraService;
  intake: Intake;
  visibleTo: (request: FastifyRequest) => Visibility;
  open311: Open311RouteOptions;
}

/**
 * Registers the camera registry with its detections, the 12345 hotline import (all under /api/v1)
 * and Open311 GeoReport v2 under /open311/v2. The cameras are here because createIntake builds
 * their service; registering them in this order keeps the route table as it was.
 */
export async function registerIntake(app: FastifyInstance, deps: IntakeRouteDeps): Promise<void> {
  await app.register(cameraRoutes(deps.cameras, deps.visibleTo), { prefix: '/api/v1' });
  await app.register(detectionRoutes(deps.intake.detections, deps.visibleTo), { prefix: '/api/v1' });
  await app.register(intakeRoutes(deps.intake.hotline, deps.visibleTo), { prefix: '/api/v1' });
  await app.register(open311Routes(deps.intake.open311, deps.open311), { prefix: '/open311/v2' });
}
