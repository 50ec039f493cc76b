import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { acceptImportBody, ImportCharsetQuery, importText } from '../platform/http/import-body.js';
import type { ImportFormat } from '../platform/import-file.js';

// Cameras are field devices like sensors: the same roles read and register both.
/** The route policy of every device registry read. */
export const DEVICE_READ = { policy: { permission: 'sensors:read' } } as const;
/** The route policy of every device registry write. */
export const DEVICE_WRITE = { policy: { permission: 'sensors:write' } } as const;

const ImportQuerySchema = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ description: 'check every row, write nothing' })),
    charset: ImportCharsetQuery,
  },
  { additionalProperties: false },
);

/**
 * POST `<url>` (e.g. /sensors/import): a registry's bulk import. The import takes the file as it
 * is, so this route reads its body as text (CSV or JSON, any other type is 415): in its own
 * context, so the parsers of the other routes are untouched.
 */
export async function registerImportRoute(
  app: FastifyInstance,
  route: {
    url: string;
    tags: string[];
    summary: string;
    description: string;
    report: TSchema;
    visibleTo: (request: FastifyRequest) => Visibility;
    run: (
      text: string,
      format: ImportFormat,
      options: { visible: Visibility; dryRun: boolean },
    ) => Promise<unknown>;
  },
): Promise<void> {
  await app.register(async (child) => {
    acceptImportBody(child, ['application/json', 'text/csv']);
    child.withTypeProvider<TypeBoxTypeProvider>().post(
      route.url,
      {
        config: DEVICE_WRITE,
        schema: {
          tags: route.tags,
          summary: route.summary,
          description: route.description,
          querystring: ImportQuerySchema,
          response: { 200: route.report, 400: ErrorResponseSchema, 422: ErrorResponseSchema },
        },
      },
      async (request) => {
        const format = request.headers['content-type']?.startsWith('text/csv') ? 'csv' : 'json';
        return route.run(importText(request), format, {
          visible: route.visibleTo(request),
          dryRun: request.query.dryRun ?? false,
        });
      },
    );
  });
}
