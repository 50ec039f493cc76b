import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { decodeImport, importEncodingOf } from '../import-text.js';

/** The `?charset=` of an import route: utf-8, gb18030 (gbk, gb2312) or auto (the default). */
export const ImportCharsetQuery = Type.Optional(
  Type.String({
    maxLength: 20,
    description:
      'the file’s encoding: utf-8, gb18030 (also gbk, gb2312) or auto (default; also read from the Content-Type charset)',
  }),
);

/**
 * Makes `scope` (a route's own context) take bodies of `types` as raw bytes, so an import route
 * decodes the file itself (`importText`) instead of Fastify reading it as UTF-8.
 */
export function acceptImportBody(scope: FastifyInstance, types: string[]): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(types, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

/** An import request's body as text, decoded by its charset (query, then Content-Type, else auto). */
export function importText(request: FastifyRequest): string {
  const charset = (request.query as { charset?: string } | undefined)?.charset;
  const encoding = importEncodingOf(request.headers['content-type'], charset);
  return decodeImport(request.body as Buffer, encoding).text;
}
