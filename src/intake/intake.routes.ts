import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { acceptImportBody, ImportCharsetQuery, importText } from '../platform/http/import-body.js';
import type { HotlineImport } from './hotline-import.js';

const HotlineReportSchema = Type.Object({
  opened: Type.Integer({ description: 'rows that opened a new case' }),
  attached: Type.Integer({ description: 'rows de-duplicated onto an open case' }),
  rejected: Type.Array(
    Type.Object({
      row: Type.Integer({ description: '1-based data row, not counting the header' }),
      line: Type.Integer({ description: 'the line the record starts on' }),
      recordNo: Type.Optional(Type.String()),
      code: Type.String(),
      message: Type.String(),
    }),
  ),
});

/** POST /api/v1/intake/hotline: a 12345 CSV export becomes cases, row by row. */
export function intakeRoutes(
  hotline: HotlineImport,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  return async (fastify) => {
    // The body is the file's bytes as they are: only text/csv, in this context alone.
    acceptImportBody(fastify, ['text/csv']);
    fastify.withTypeProvider<TypeBoxTypeProvider>().post(
      '/intake/hotline',
      {
        config: { policy: { permission: 'cases:write' } },
        schema: {
          tags: ['cases'],
          summary: 'Import 12345 hotline records 热线工单导入 (CSV)',
          description:
            'Body: `text/csv` with header record_no,category,lon,lat,description,reported_at[,address][,reporter][,priority] (or the Chinese headers 工单编号,事件类别,经度,纬度,诉求内容,来电时间,地址,来电人,紧急程度). Each row becomes or joins a case on its own; refused rows are listed with row and line numbers and never cost the valid ones. A record number imported before is DUPLICATE_HOTLINE_RECORD. The file may be UTF-8 (with or without BOM) or GB18030/GBK as Excel saves it: `charset` in the Content-Type or the query names it, otherwise it is detected.',
          querystring: Type.Object({ charset: ImportCharsetQuery }, { additionalProperties: false }),
          response: { 200: HotlineReportSchema, 400: ErrorResponseSchema, 422: ErrorResponseSchema },
        },
      },
      async (request) => hotline.import(importText(request), visibleTo(request)),
    );
  };
}
