import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../access/principal.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { toCaseDetailDto, toCaseDto, toCsv, toGeoJson, type CatalogNames } from './case.presenter.js';
import {
  CaseCreateSchema,
  CaseDetailSchema,
  CaseExportQuerySchema,
  CaseIdParamsSchema,
  CaseListQuerySchema,
  CaseListResponseSchema,
  CategorySchema,
  DepartmentListSchema,
  DepartmentsQuerySchema,
  DepartmentTypeSchema,
  RoutingRuleSchema,
  StatsQuerySchema,
  StatsResponseSchema,
  TransitionSchema,
} from './case.schema.js';
import type { CaseActor, CaseListInput, CaseService } from './case.service.js';

const read = { policy: { permission: 'cases:read' } } as const;
const write = { policy: { permission: 'cases:write' } } as const;
// Editing the catalog and routing table changes every jurisdiction's work: administrators only
// until the access domain has a narrower permission for it.
const configure = { policy: { permission: 'jurisdictions:manage' } } as const;

/** The case actor for a request's principal: handlers act for their department, the rest as the command center. */
export function actorOf(principal: Principal | null): CaseActor {
  if (!principal) return { kind: 'command', name: 'anonymous', department: null };
  if (principal.role === 'department_handler') {
    return { kind: 'handler', name: principal.name, department: principal.department };
  }
  return { kind: 'command', name: principal.name, department: null };
}

/** /api/v1/cases: intake by operators, list, detail, transitions, statistics, exports and the catalog. */
export function caseRoutes(
  service: CaseService,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  const names: CatalogNames = {
    category: (code) => service.catalog.listCategories().find((c) => c.code === code),
    departmentType: (code) => service.catalog.listDepartmentTypes().find((t) => t.code === code),
  };
  const listInput = (q: Record<string, unknown>): CaseListInput => ({
    scope: q.scope as string | undefined,
    status: q.status as string | undefined,
    category: q.category as string | undefined,
    department: q.department as string | undefined,
    overdue: q.overdue as boolean | undefined,
    needsLocation: q.needsLocation as boolean | undefined,
    q: q.q as string | undefined,
    from: q.from ? Date.parse(q.from as string) : undefined,
    to: q.to ? Date.parse(q.to as string) : undefined,
    cursor: q.cursor as string | undefined,
    sort: q.sort as CaseListInput['sort'],
    limit: q.limit as number,
  });

  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['cases'];
    const errors = {
      400: ErrorResponseSchema,
      404: ErrorResponseSchema,
      409: ErrorResponseSchema,
      422: ErrorResponseSchema,
    };

    app.post(
      '/cases',
      {
        config: write,
        schema: {
          tags,
          summary: 'Report a case by hand 人工录入',
          description:
            'Goes through the same pipeline as every source: de-duplication, routing, automatic 立案 and 派遣.',
          body: CaseCreateSchema,
          response: { 201: CaseDetailSchema, 200: CaseDetailSchema, ...errors },
        },
      },
      async (request, reply) => {
        const visible = visibleTo(request);
        const actor = actorOf(request.principal);
        const body = request.body;
        const outcome = await service.report(
          {
            source: 'operator',
            sourceRef: `${actor.name}:${service.now()}:${Math.random().toString(36).slice(2, 10)}`,
            category: body.category,
            lon: body.lon,
            lat: body.lat,
            address: body.address,
            description: body.description,
            reportedAt: service.now(),
            reporter: body.reporter ?? actor.name,
            priority: body.priority,
            attachments: body.attachments,
            raw: body,
          },
          visible,
        );
        const detail = await service.getCase(outcome.caseId, visible, actor);
        return reply.status(outcome.attached ? 200 : 201).send(toCaseDetailDto(detail, names));
      },
    );

    app.get(
      '/cases',
      {
        config: read,
        schema: {
          tags,
          summary: 'List cases 案件列表',
          description:
            'Newest first, or with `sort=deadline` open cases soonest deadline first (the stage deadline, else the expected closure; overdue ones lead). Pass `nextCursor` back as `cursor` for the next page (keyset paging).',
          querystring: CaseListQuerySchema,
          response: { 200: CaseListResponseSchema, ...errors },
        },
      },
      async (request) => {
        const page = await service.list(listInput(request.query), visibleTo(request));
        return { items: page.items.map((c) => toCaseDto(c, names)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/cases/export',
      {
        config: read,
        schema: {
          tags,
          summary: 'Export cases 导出 (CSV or GeoJSON)',
          description: 'The list filters; all matches up to `limit` (default 10,000).',
          querystring: CaseExportQuerySchema,
        },
      },
      async (request, reply) => {
        const { format, ...query } = request.query;
        const items: ReturnType<typeof toCaseDto>[] = [];
        let cursor: string | undefined;
        do {
          const page = await service.list(
            listInput({ ...query, cursor, limit: Math.min(1000, query.limit - items.length) }),
            visibleTo(request),
          );
          items.push(...page.items.map((c) => toCaseDto(c, names)));
          cursor = page.nextCursor ?? undefined;
        } while (cursor && items.length < query.limit);
        if (format === 'csv') {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="cases.csv"')
            .send(toCsv(items));
        }
        return reply.header('content-type', 'application/geo+json').send(JSON.stringify(toGeoJson(items)));
      },
    );

    app.get(
      '/cases/stats',
      {
        config: read,
        schema: {
          tags,
          summary: 'Case statistics 案件统计 (national metrics)',
          description:
            '立案率 registrationRate, 结案率 closureRate, 按期结案率 onTimeClosureRate, 返工率 reworkRate, 延期率 extensionRate, mean and p90 minutes per stage, open and overdue counts; cases count in the day they were reported.',
          querystring: StatsQuerySchema,
          response: { 200: StatsResponseSchema, ...errors },
        },
      },
      async (request) => service.stats(request.query, visibleTo(request)),
    );

    app.get(
      '/cases/categories',
      {
        config: read,
        schema: {
          tags,
          summary: 'Category catalog 部件事件分类',
          response: { 200: Type.Object({ items: Type.Array(CategorySchema) }) },
        },
      },
      async () => ({ items: service.catalog.listCategories() }),
    );

    app.put(
      '/cases/categories/:code',
      {
        config: configure,
        schema: {
          tags,
          summary: 'Add or change a category 编辑分类',
          params: Type.Object(
            { code: Type.String({ pattern: '^[a-z0-9_]{1,64}$' }) },
            { additionalProperties: false },
          ),
          body: CategorySchema,
          response: { 200: CategorySchema, ...errors },
        },
      },
      async (request) => service.catalog.putCategory({ ...request.body, code: request.params.code }),
    );

    app.get(
      '/cases/department-types',
      {
        config: read,
        schema: {
          tags,
          summary: 'Department types 职能部门类型',
          response: { 200: Type.Object({ items: Type.Array(DepartmentTypeSchema) }) },
        },
      },
      async () => ({ items: service.catalog.listDepartmentTypes() }),
    );

    app.put(
      '/cases/department-types/:code',
      {
        config: configure,
        schema: {
          tags,
          summary: 'Add or change a department type',
          params: Type.Object(
            { code: Type.String({ pattern: '^[a-z0-9_]{1,64}$' }) },
            { additionalProperties: false },
          ),
          body: DepartmentTypeSchema,
          response: { 200: DepartmentTypeSchema, ...errors },
        },
      },
      async (request) => service.catalog.putDepartmentType({ ...request.body, code: request.params.code }),
    );

    app.get(
      '/cases/departments',
      {
        config: read,
        schema: {
          tags,
          summary: 'Departments at a unit 部门名录',
          description: "One per department type that exists at the unit's level; ids are `type@unit`.",
          querystring: DepartmentsQuerySchema,
          response: { 200: DepartmentListSchema, ...errors },
        },
      },
      async (request) => ({
        items: service.catalog
          .departmentsAt(request.query.unit, visibleTo(request))
          .map((d) => ({ id: d.id, type: d.type.code, name: d.type.zh, unit: d.unit, level: d.level })),
      }),
    );

    app.get(
      '/cases/routing-rules',
      {
        config: read,
        schema: {
          tags,
          summary: 'Routing table 派遣规则',
          response: { 200: Type.Object({ items: Type.Array(RoutingRuleSchema) }) },
        },
      },
      async () => ({ items: service.catalog.listRoutingRules() }),
    );

    app.put(
      '/cases/routing-rules/:id',
      {
        config: configure,
        schema: {
          tags,
          summary: 'Add or change a routing rule',
          params: Type.Object(
            { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
            { additionalProperties: false },
          ),
          body: RoutingRuleSchema,
          response: { 200: RoutingRuleSchema, ...errors },
        },
      },
      async (request) => service.catalog.putRoutingRule({ ...request.body, id: request.params.id }),
    );

    app.delete(
      '/cases/routing-rules/:id',
      {
        config: configure,
        schema: {
          tags,
          summary: 'Remove a routing rule (idempotent)',
          params: Type.Object(
            { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.catalog.deleteRoutingRule(request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/cases/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One case 案件详情',
          description: 'With its timeline, occurrences and the actions the caller may take now.',
          params: CaseIdParamsSchema,
          response: { 200: CaseDetailSchema, ...errors },
        },
      },
      async (request) =>
        toCaseDetailDto(
          await service.getCase(request.params.id, visibleTo(request), actorOf(request.principal)),
          names,
        ),
    );

    app.post(
      '/cases/:id/transitions',
      {
        config: write,
        schema: {
          tags,
          summary: 'Act on a case 案件流转',
          description:
            'An action not allowed in the current status (or not for the caller) is 409 CASE_ACTION_NOT_ALLOWED with the allowed ones in details.',
          params: CaseIdParamsSchema,
          body: TransitionSchema,
          response: { 200: CaseDetailSchema, ...errors },
        },
      },
      async (request) =>
        toCaseDetailDto(
          await service.transition(
            request.params.id,
            request.body,
            actorOf(request.principal),
            visibleTo(request),
          ),
          names,
        ),
    );
  };
}
