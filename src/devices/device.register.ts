import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { sensorRoutes } from './sensor.routes.js';
import type { SensorService } from './sensor.service.js';

/** This domain's OpenAPI tags, with what each groups. */
export const DEVICE_TAGS: OpenApiTag[] = [
  { name: 'sensors', description: '传感器 sensor registry and type catalog' },
];

/**
 * Registers the sensor registry and type catalog under /api/v1. The camera registry's routes are
 * registered by intake (registerIntake), which builds the camera service beside its detections.
 */
export async function registerDevices(
  app: FastifyInstance,
  deps: { sensors: SensorService; visibleTo: (request: FastifyRequest) => Visibility },
): Promise<void> {
  await app.register(sensorRoutes(deps.sensors, deps.visibleTo), { prefix: '/api/v1' });
}
