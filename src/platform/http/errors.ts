import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody, type ErrorCode } from '../../errors.js';

// Fastify's own error codes, mapped onto our catalog so clients see one vocabulary.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/** Answers every error as {"error":{"code","message","details"}} with the catalog's status. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      // Overload and rate-limit answers say when to come back (HTTP Retry-After, in seconds).
      const retry = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (typeof retry === 'number' && !reply.hasHeader('retry-after')) {
        reply.header('retry-after', String(retry));
      }
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (error.validation) {
      const details = error.validation.map((v) => ({
        where: error.validationContext ?? 'request',
        path: v.instancePath || '/',
        message: v.message ?? 'invalid',
        ...(v.keyword === 'additionalProperties'
          ? { field: (v.params as { additionalProperty?: string }).additionalProperty }
          : {}),
      }));
      const summary = details
        .map((d) => `${d.where}${d.path === '/' ? '' : d.path}: ${d.message}`)
        .join('; ');
      return reply.status(400).send(errorBody('VALIDATION_FAILED', `Invalid request: ${summary}`, details));
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return reply.status(error.statusCode ?? 400).send(errorBody(mapped, error.message));
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('VALIDATION_FAILED', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL'));
  });
}
