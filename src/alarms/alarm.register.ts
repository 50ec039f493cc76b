import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { alarmRoutes } from './alarm.routes.js';
import type { AlarmService } from './alarm.service.js';

/** This domain's OpenAPI tags, with what each groups. */
export const ALARM_TAGS: OpenApiTag[] = [
  { name: 'alarm rules', description: '告警规则 rules over live telemetry, with dry runs' },
  { name: 'alarms', description: '告警 alarms: list, acknowledge, clear, comment' },
  { name: 'maintenance windows', description: '维护窗口 suppress alarms during planned work' },
];

/** Registers alarm rules, alarms and maintenance windows under /api/v1. */
export async function registerAlarms(
  app: FastifyInstance,
  deps: { alarms: AlarmService; visibleTo: (request: FastifyRequest) => Visibility },
): Promise<void> {
  await app.register(alarmRoutes(deps.alarms, deps.visibleTo), { prefix: '/api/v1' });
}
