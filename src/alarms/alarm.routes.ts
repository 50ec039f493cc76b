import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import {
  AlarmActionSchema,
  AlarmDetailSchema,
  AlarmIdParamsSchema,
  AlarmListQuerySchema,
  AlarmListResponseSchema,
  AlarmSchema,
  CommentCreateSchema,
  CommentSchema,
  DryRunQuerySchema,
  DryRunResponseSchema,
  RuleCreateSchema,
  RuleIdParamsSchema,
  RuleListQuerySchema,
  RuleListResponseSchema,
  RulePatchSchema,
  RuleSchema,
  WindowCreateSchema,
  WindowIdParamsSchema,
  WindowListResponseSchema,
  WindowSchema,
} from './alarm.schema.js';
import type { Actor, AlarmService } from './alarm.service.js';

const read = { policy: { permission: 'alarms:read' } } as const;
const write = { policy: { permission: 'alarms:write' } } as const;
const NoContent = Type.Null({ description: 'deleted' });

/** /api/v1/alarm-rules, /api/v1/alarms and /api/v1/maintenance-windows. */
export function alarmRoutes(
  service: AlarmService,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const errors = {
      400: ErrorResponseSchema,
      403: ErrorResponseSchema,
      404: ErrorResponseSchema,
      409: ErrorResponseSchema,
      422: ErrorResponseSchema,
    };
    const actor = (request: FastifyRequest): Actor => ({
      name: request.principal?.name ?? 'system',
      visible: visibleTo(request),
    });
    let tags = ['alarm rules'];

    app.get(
      '/alarm-rules',
      {
        config: read,
        schema: {
          tags,
          summary: 'Alarm rules 告警规则',
          description:
            'Rules in force for your jurisdiction: city-wide defaults per sensor type, rules of your areas and of your sensors.',
          querystring: RuleListQuerySchema,
          response: { 200: RuleListResponseSchema, ...errors },
        },
      },
      async (request) => service.listRules(request.query, visibleTo(request)),
    );
    app.post(
      '/alarm-rules',
      {
        config: write,
        schema: {
          tags,
          summary: 'Create a rule',
          description:
            'threshold, rate, stale, anomaly or composite; attached to a sensor type (all its sensors), a jurisdiction or one sensor. The most specific attachment of a kind replaces the others for a sensor.',
          body: RuleCreateSchema,
          response: { 201: RuleSchema, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await service.createRule(request.body, actor(request))),
    );
    app.post(
      '/alarm-rules/dry-run',
      {
        config: read,
        schema: {
          tags,
          summary: 'Dry-run an unsaved rule on stored readings',
          description: 'How often, and where, the rule would have fired over the last `hours` (default 24).',
          body: RuleCreateSchema,
          querystring: DryRunQuerySchema,
          response: { 200: DryRunResponseSchema, ...errors },
        },
      },
      async (request) => service.dryRun(request.body, request.query.hours ?? 24, visibleTo(request)),
    );
    app.get(
      '/alarm-rules/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One rule',
          params: RuleIdParamsSchema,
          response: { 200: RuleSchema, ...errors },
        },
      },
      async (request) => service.getRule(request.params.id, visibleTo(request)),
    );
    app.patch(
      '/alarm-rules/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Change a rule',
          description:
            'Replaces the given fields (params whole). The version increases; pending durations restart.',
          params: RuleIdParamsSchema,
          body: RulePatchSchema,
          response: { 200: RuleSchema, ...errors },
        },
      },
      async (request) => service.updateRule(request.params.id, request.body, actor(request)),
    );
    app.delete(
      '/alarm-rules/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'Delete a rule',
          description:
            'Its open alarms are cleared (reason rule_removed). A deleted default is not re-seeded.',
          params: RuleIdParamsSchema,
          response: { 204: NoContent, ...errors },
        },
      },
      async (request, reply) => {
        await service.deleteRule(request.params.id, actor(request));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/alarm-rules/:id/dry-run',
      {
        config: read,
        schema: {
          tags,
          summary: 'Dry-run a saved rule on stored readings',
          params: RuleIdParamsSchema,
          querystring: DryRunQuerySchema,
          response: { 200: DryRunResponseSchema, ...errors },
        },
      },
      async (request) => service.dryRun(request.params.id, request.query.hours ?? 24, visibleTo(request)),
    );

    tags = ['alarms'];
    app.get(
      '/alarms',
      {
        config: read,
        schema: {
          tags,
          summary: 'Alarms 告警 in your jurisdiction, newest first',
          description:
            'Open alarms (active, acknowledged) unless `state` says otherwise. Page with `before`.',
          querystring: AlarmListQuerySchema,
          response: { 200: AlarmListResponseSchema, ...errors },
        },
      },
      async (request) => service.listAlarms(request.query, visibleTo(request)),
    );
    app.get(
      '/alarms/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One alarm with its comments',
          params: AlarmIdParamsSchema,
          response: { 200: AlarmDetailSchema, ...errors },
        },
      },
      async (request) => service.getAlarm(request.params.id, visibleTo(request)),
    );
    app.post(
      '/alarms/:id/ack',
      {
        config: write,
        schema: {
          tags,
          summary: 'Acknowledge 确认',
          params: AlarmIdParamsSchema,
          body: Type.Optional(AlarmActionSchema),
          response: { 200: AlarmSchema, ...errors },
        },
      },
      async (request) => service.acknowledge(request.params.id, request.body?.note, actor(request)),
    );
    app.post(
      '/alarms/:id/clear',
      {
        config: write,
        schema: {
          tags,
          summary: 'Clear 消除 by hand',
          description: 'If the condition still holds, the rule raises a new alarm after its duration.',
          params: AlarmIdParamsSchema,
          body: Type.Optional(AlarmActionSchema),
          response: { 200: AlarmSchema, ...errors },
        },
      },
      async (request) => service.clear(request.params.id, request.body?.note, actor(request)),
    );
    app.get(
      '/alarms/:id/comments',
      {
        config: read,
        schema: {
          tags,
          summary: 'Comments on an alarm',
          params: AlarmIdParamsSchema,
          response: { 200: Type.Object({ items: Type.Array(CommentSchema) }), ...errors },
        },
      },
      async (request) => ({
        items: (await service.getAlarm(request.params.id, visibleTo(request))).comments,
      }),
    );
    app.post(
      '/alarms/:id/comments',
      {
        config: write,
        schema: {
          tags,
          summary: 'Comment on an alarm',
          params: AlarmIdParamsSchema,
          body: CommentCreateSchema,
          response: { 201: CommentSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.comment(request.params.id, request.body.text, actor(request))),
    );

    tags = ['maintenance windows'];
    app.get(
      '/maintenance-windows',
      {
        config: read,
        schema: {
          tags,
          summary: 'Current and future maintenance windows 维护窗口',
          response: { 200: WindowListResponseSchema, ...errors },
        },
      },
      async (request) => service.listWindows(visibleTo(request)),
    );
    app.post(
      '/maintenance-windows',
      {
        config: write,
        schema: {
          tags,
          summary: 'Suppress alarms for some sensors or an area for a while',
          body: WindowCreateSchema,
          response: { 201: WindowSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createWindow(request.body, actor(request))),
    );
    app.delete(
      '/maintenance-windows/:id',
      {
        config: write,
        schema: {
          tags,
          summary: 'End a maintenance window now',
          params: WindowIdParamsSchema,
          response: { 204: NoContent, ...errors },
        },
      },
      async (request, reply) => {
        await service.deleteWindow(request.params.id, actor(request));
        return reply.status(204).send(null);
      },
    );
  };
}
