import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERRORS, errorBody, type ErrorCode } from '../../errors.js';

// Fastify's own error codes, mapped onto our catalog so clients see one vocabulary.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URL_TOO_LONG',
};

/**
 * Security headers for the answers that never reach a route's hooks (so never reach helmet): a
 * bad URL found by the router, and what Node's HTTP parser refuses before Fastify sees a request.
 * They carry no document, so the strictest policy fits.
 */
export const BASELINE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'cache-control': 'no-store',
};

/**
 * Fastify's `frameworkErrors`: the router's own refusals (bad percent-encoding, a path parameter
 * over maxParamLength, a failed async constraint) answered in the catalog's shape.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const code: ErrorCode = (error.code ? FASTIFY_CODES[error.code] : undefined) ?? 'INTERNAL';
  void reply
    .headers(BASELINE_SECURITY_HEADERS)
    .status(ERRORS[code].status)
    .send(errorBody(code, code === 'INTERNAL' ? undefined : ERRORS[code].message));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before there is a request
 * (headers over maxHeaderSize, a URL too long for them, broken HTTP, a slow client), answered in
 * the catalog's shape on the raw socket, which is then closed as Node itself would.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'HEADERS_TOO_LARGE'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'REQUEST_TIMEOUT'
        : 'MALFORMED_REQUEST';
  const status = ERRORS[code].status;
  const body = JSON.stringify(errorBody(code));
  const headers = Object.entries(BASELINE_SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

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
