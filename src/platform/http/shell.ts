import Fastify, {
  LogController,
  type FastifyContextConfig,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { LevelWithSilent } from 'pino';
import { AppError } from '../../errors.js';
import { loggerOptions } from '../logging.js';
import { createMetrics, instrumentHttp } from '../metrics.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './errors.js';
import { installJsonBodyParser } from './json-body.js';
import { installStrictInput } from './strict-input.js';

/** What the Fastify instance is built with: the part of the config the HTTP layer reads. */
export interface HttpAppOptions {
  logLevel: LevelWithSilent;
  bodyLimit: number;
  trustProxy: false | number | string[];
  /** false silences request logs (tests). */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: NodeJS.WritableStream;
}

/** The bare Fastify instance with cityops' server options: logging, body limit, strict Ajv, error shapes, proxies. */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  return Fastify({
    logger:
      options.logger === false
        ? false
        : { ...loggerOptions(options), ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: options.bodyLimit,
    // Strict schemas: unknown fields are an error, never silently dropped. Coercion is for the
    // querystring and path (text by nature); bodies are checked uncoerced first (strict-input.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // The router's and Node's own refusals (bad URL, 414, 431) in the catalog's error shape.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // One line per request only when debugging: at city scale (ingest batches, lookups) they would drown the log.
    logController: new LogController({
      disableRequestLogging: options.logLevel !== 'debug' && options.logLevel !== 'trace',
    }),
    // CITYOPS_TRUST_PROXY: behind nginx, request.ip (rate limits, logs) is the client's, not the proxy's.
    // A hop count as proxy-addr reads it (Fastify's types take no number): trust the n nearest hops.
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : options.trustProxy,
  });
}

/** One OpenAPI tag: a group of operations in the API document. */
export interface OpenApiTag {
  name: string;
  description: string;
}

/** What the shell around the routes needs from the app: the steps it cannot know, and its limits. */
export interface HttpShellOptions {
  /**
   * Runs after the security headers and before the rate limit: the transports and access control
   * that authenticate requests (platform/ knows no domain, so app.ts passes them in).
   */
  authenticate: () => Promise<void>;
  rateLimit: {
    /** Whom a request counts against, e.g. `user:<id>`, `key:<id>` or `ip:<address>`. */
    key: (request: FastifyRequest) => string;
    /** Requests per minute for that caller. */
    max: (request: FastifyRequest) => number;
  };
  /** The route config of GET /metrics: its policy (platform/ knows no domain's policy type). */
  metrics: FastifyContextConfig;
  openapi: { version: string; tags: OpenApiTag[] };
}

/**
 * Installs everything around the routes, in an order that matters: error shapes, body parsing, strict
 * input, security headers, then `authenticate`, then the rate limit, metrics and the OpenAPI document.
 */
export async function installHttpShell(app: FastifyInstance, options: HttpShellOptions): Promise<void> {
  installErrorHandling(app);
  installJsonBodyParser(app);
  installStrictInput(app);
  // First of the onRequest hooks: answers that access control (401/403) or the live transport
  // end early carry the security headers too.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Swagger UI (at /api/docs) sets its own CSP with hashes for its inline scripts.
    global: true,
  });
  await options.authenticate();
  await app.register(fastifyRateLimit, {
    global: true,
    // After authentication, so that limits are per user and per key rather than per address.
    hook: 'preHandler',
    timeWindow: 60_000,
    max: options.rateLimit.max,
    keyGenerator: options.rateLimit.key,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
  instrumentHttp(app, createMetrics(), options.metrics);
  await installOpenApi(app, options.openapi);
}

/** The OpenAPI document (GET /api/docs/json) and Swagger UI at /api/docs. */
async function installOpenApi(app: FastifyInstance, openapi: HttpShellOptions['openapi']): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'cityops 城运 API',
        description:
          'City operations and governance center: jurisdictions, and (as they land) telemetry, alarms and cases. Every error is `{"error":{"code","message","details"}}` with a stable code.',
        version: openapi.version,
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'POST /api/v1/auth/login',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'cityops key create' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
      tags: openapi.tags,
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
}

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
