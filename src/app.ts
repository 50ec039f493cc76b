import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.js';
import { healthRoutes } from './health/health.routes.js';
import { jurisdictionRoutes } from './jurisdictions/jurisdiction.routes.js';
import { JurisdictionService, type GeoData } from './jurisdictions/jurisdiction.service.js';
import { installErrorHandling } from './platform/http/errors.js';
import { serveDashboard } from './platform/http/web.js';
import { loggerOptions } from './platform/logging.js';
import { createMetrics, instrumentHttp } from './platform/metrics.js';
import { openStorage, type Storage } from './storage.js';
import { VERSION } from './version.js';

/** The domain services, built once per app and shared by routes (and later the bus and CLI). */
export interface Services {
  jurisdictions: JurisdictionService;
}

/** What `build` may be given instead of creating it: tests inject an open storage or shared data. */
export interface BuildOptions {
  storage?: Storage;
  /** Close a given `storage` when the app closes (default: only storage that build opened itself). */
  closeStorage?: boolean;
  geoData?: GeoData;
  /** false silences request logs (tests); default follows config.logLevel. */
  logger?: boolean;
  webDist?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    storage: Storage;
  }
}

/** Assembles the whole HTTP app without listening: storage, services, routes, docs, metrics. */
export async function build(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const storage = options.storage ?? (await openStorage(config));
  const ownsStorage = options.closeStorage ?? options.storage === undefined;
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config),
    bodyLimit: config.bodyLimit,
    // Strict schemas: unknown fields are an error, never silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // One line per request only when debugging: at city scale (ingest batches, lookups) they would drown the log.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    trustProxy: false,
  });
  try {
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
      ...(options.geoData ? { data: options.geoData } : {}),
    });
    app.decorate('services', { jurisdictions });
    app.decorate('storage', storage);
    if (ownsStorage) app.addHook('onClose', async () => storage.database.close());

    installErrorHandling(app);
    instrumentHttp(app, createMetrics());

    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'cityops 城运 API',
          description:
            'City operations and governance center: jurisdictions, and (as they land) telemetry, alarms and cases. Every error is `{"error":{"code","message","details"}}` with a stable code.',
          version: VERSION,
        },
        tags: [
          { name: 'jurisdictions', description: '行政区划 jurisdictions: tree, lookup, boundaries' },
          { name: 'operations', description: 'health and metrics' },
        ],
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

    await app.register(healthRoutes(storage.database, VERSION));
    await app.register(jurisdictionRoutes(jurisdictions), { prefix: '/api/v1' });
    await serveDashboard(app, options.webDist);
    await app.ready();
    return app;
  } catch (error) {
    await app.close();
    if (ownsStorage) await storage.database.close();
    throw error;
  }
}
