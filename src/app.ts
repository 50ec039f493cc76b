import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.js';
import { healthRoutes } from './health/health.routes.js';
import { jurisdictionRoutes } from './jurisdictions/jurisdiction.routes.js';
import { JurisdictionService, type GeoData } from './jurisdictions/jurisdiction.service.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './platform/http/errors.js';
import { installJsonBodyParser } from './platform/http/json-body.js';
import { installStrictInput } from './platform/http/strict-input.js';
import { serveDashboard } from './platform/http/web.js';
import { loggerOptions } from './platform/logging.js';
import { createMetrics, instrumentHttp } from './platform/metrics.js';
import { openStorage, type Storage } from './storage.js';
import { AccessService } from './access/access.service.js';
import { adminRoutes } from './access/admin.routes.js';
import { authRoutes } from './access/auth.routes.js';
import { ACCESS_EVENTS } from './access/access.events.js';
import { syncDemoUsers } from './access/demo.js';
import { installAccessControl, visibility, type RouteEntry } from './access/policy.js';
import { AppError } from './errors.js';
import { sensorRoutes } from './devices/sensor.routes.js';
import { SensorService } from './devices/sensor.service.js';
import type { EventBus } from './platform/bus/event-bus.js';
import { InProcessBus } from './platform/bus/in-process-bus.js';
import { openTelemetryEngine, type TelemetryEngine } from './telemetry/store/telemetry-engine.js';
import { TelemetryIngest } from './telemetry/telemetry-ingest.js';
import { telemetryRoutes } from './telemetry/telemetry.routes.js';
import { AlarmEngine } from './alarms/alarm-engine.js';
import { alarmRoutes } from './alarms/alarm.routes.js';
import { AlarmService } from './alarms/alarm.service.js';
import { caseRoutes } from './cases/case.routes.js';
import { CaseService } from './cases/case.service.js';
import { startCaseJobs } from './cases/case-escalation.js';
import { startAuditJobs } from './cases/audit-head-export.js';
import { cameraRoutes } from './devices/camera.routes.js';
import type { CameraService } from './devices/camera.service.js';
import { detectionRoutes } from './intake/detection.routes.js';
import { createIntake, type Intake } from './intake/intake.js';
import { parseIntakeConfig } from './intake/intake.config.js';
import { intakeRoutes } from './intake/intake.routes.js';
import { open311Routes } from './intake/open311.routes.js';
import { createLive, type Live } from './live/live.js';
import { liveRoutes } from './live/live.routes.js';
import { installLiveTransport } from './live/live-transport.js';
import { VERSION } from './version.js';

/** The domain services, built once per app and shared by routes (and later the bus and CLI). */
export interface Services {
  jurisdictions: JurisdictionService;
  access: AccessService;
  sensors: SensorService;
  /** The event bus: telemetry.readings now; alarms and cases subscribe as they land. */
  bus: EventBus;
  /** The time-series engine (store + background jobs). */
  telemetry: TelemetryEngine;
  /** Validates readings from HTTP and MQTT and appends them durably. */
  ingest: TelemetryIngest;
  /** The live rule engine over telemetry.readings, and the alarm API behind it. */
  alarmEngine: AlarmEngine;
  alarms: AlarmService;
  /** Cases 案件: intake from every source, routing, lifecycle, deadlines, statistics. */
  cases: CaseService;
  /** The AI camera registry 视频点位. */
  cameras: CameraService;
  /** Case intake adapters: camera detections, Open311, the 12345 hotline, the alarm → case policy. */
  intake: Intake;
  /** The dashboard's live feed (WebSocket), vital-sign board and overview. */
  live: Live;
}

/** What `build` may be given instead of creating it: tests inject an open storage or shared data. */
export interface BuildOptions {
  storage?: Storage;
  /** Commit cases on a writer thread when the database is a SQLite file (default true; Storage.start). */
  caseWriterThread?: boolean;
  /** Close a given `storage` when the app closes (default: only storage that build opened itself). */
  closeStorage?: boolean;
  geoData?: GeoData;
  /** false silences request logs (tests); default follows config.logLevel. */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: NodeJS.WritableStream;
  webDist?: string;
  /** Epoch ms now for the alarm engine's offline and escalation clock (tests move time). */
  clock?: () => number;
  /** Alarm engine tick period in ms; 0 stops the timer (tests call tick()). Default 5 s. */
  alarmTickMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    storage: Storage;
    /** Every policed route with its policy (the authorization matrix test reads it). */
    routeTable: RouteEntry[];
  }
}

/** Assembles the whole HTTP app without listening: storage, services, routes, docs, metrics. */
export async function build(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  // The domains' own settings, parsed before anything opens: a bad one is a ConfigError at start.
  const intakeConfig = parseIntakeConfig(config.env);
  const storage = options.storage ?? (await openStorage(config));
  const ownsStorage = options.closeStorage ?? options.storage === undefined;
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : { ...loggerOptions(config), ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: config.bodyLimit,
    // Strict schemas: unknown fields are an error, never silently dropped. Coercion is for the
    // querystring and path (text by nature); bodies are checked uncoerced first (strict-input.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // The router's and Node's own refusals (bad URL, 414, 431) in the catalog's error shape.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // One line per request only when debugging: at city scale (ingest batches, lookups) they would drown the log.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    // CITYOPS_TRUST_PROXY: behind nginx, request.ip (rate limits, logs) is the client's, not the proxy's.
    // A hop count as proxy-addr reads it (Fastify's types take no number): trust the n nearest hops.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
  });
  try {
    // On a SQLite file, the writer threads of cases and telemetry (see Storage.start).
    await storage.start({ caseWriterThread: options.caseWriterThread });
    const jurisdictions = await JurisdictionService.create({
      repository: storage.repositories.jurisdictions,
      ...(options.geoData ? { data: options.geoData } : {}),
    });
    const bus = new InProcessBus({
      onError: (error, where) => app.log.error({ err: error, where }, 'bus handler failed'),
    });
    const access = await AccessService.create({
      repository: storage.repositories.access,
      tree: () => jurisdictions.units,
      secret: config.jwtSecret,
      publish: (events) => bus.publish(ACCESS_EVENTS, events),
      options: {
        accessTtlSeconds: config.accessTokenTtl,
        loginMaxFailures: config.loginMaxFailures,
        loginLockMinutes: config.loginLockMinutes,
      },
    });
    bus.subscribe(
      ACCESS_EVENTS,
      ({ events }) => {
        for (const event of events) {
          if (event.type !== 'key.revoked') app.log.warn({ event }, `access: ${event.type}`);
        }
      },
      { name: 'access-log' },
    );
    // Demo accounts exist only in demo mode: off, those of an earlier demo run are disabled.
    await syncDemoUsers(access, (name) => storage.repositories.access.findUserByUsername(name), config.demo);
    const sensors = await SensorService.create({ repository: storage.repositories.sensors, jurisdictions });
    // Zones and imported boundaries (changed by the CLI while the server was down) can move sensors
    // to another unit: bring their stored chains up to date before anyone reads or scopes by them.
    const moved = await sensors.rechain();
    if (moved > 0) app.log.info({ moved }, 'sensor jurisdiction chains updated to the current tree');
    const seeded = await AlarmService.seedDefaults(
      storage.repositories.alarms,
      (options.clock ?? Date.now)(),
    );
    if (seeded > 0) app.log.info({ seeded }, 'default alarm rules added');
    // Before the telemetry engine opens: readings it replays at start must reach the evaluator.
    const alarmEngine = await AlarmEngine.start({
      repository: storage.repositories.alarms,
      bus,
      sensors,
      tree: () => jurisdictions.units,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.alarmTickMs !== undefined ? { tickMs: options.alarmTickMs } : {}),
      onError: (error, during) => app.log.error({ err: error, during }, 'alarm engine failed'),
    });
    const telemetry = await openTelemetryEngine({
      repository: storage.repositories.readings,
      bus,
      config,
      onError: (error, during) => app.log.error({ err: error, during }, 'telemetry background work failed'),
    });
    const ingest = new TelemetryIngest({
      resolve: (id) => sensors.resolve(id),
      append: (readings) => telemetry.store.append(readings),
      maxAgeMs: config.ingestMaxAgeHours * 3_600_000,
      maxAheadMs: config.ingestMaxAheadSeconds * 1000,
    });
    const alarms = new AlarmService(
      storage.repositories.alarms,
      alarmEngine,
      sensors,
      jurisdictions,
      telemetry.store,
      options.clock,
    );
    const caseRepository = storage.repositories.cases;
    const cases = await CaseService.create({
      repository: caseRepository,
      jurisdictions,
      bus,
      clock: options.clock,
    });
    const caseJobs = startCaseJobs(cases, {
      intervalMs: 60_000,
      onError: (error) => app.log.error({ err: error }, 'case deadline check failed'),
    });
    const auditJobs = await startAuditJobs(caseRepository, {
      algorithm: config.auditHash,
      dir: config.auditHeadDir,
      intervalMs: config.auditHeadExportMinutes * 60_000,
      onError: (error) => app.log.error({ err: error }, 'audit head export failed'),
    });
    const { cameras, intake } = createIntake({
      repositories: storage.repositories,
      cases,
      jurisdictions,
      sensors,
      access,
      config: intakeConfig,
      clock: options.clock,
    });
    intake.alarmCases.start(bus);
    const live = createLive({
      bus,
      jurisdictions,
      sensors,
      latest: (key) => telemetry.store.latestOf(key),
      alarmEngine,
      cases,
      authenticate: (token) => access.authenticate({ bearer: token }),
      ...(options.clock ? { clock: options.clock } : {}),
      onError: (error, during) => app.log.error({ err: error, during }, 'live feed failed'),
    });
    app.decorate('services', {
      jurisdictions,
      access,
      sensors,
      bus,
      telemetry,
      ingest,
      alarmEngine,
      alarms,
      cases,
      cameras,
      intake,
      live,
    });
    app.decorate('storage', storage);
    // In this order: commit what ingest accepted, let the evaluator see it and store its alarms,
    // stop the bus, then close the database.
    app.addHook('onClose', async () => {
      await telemetry.close();
      await bus.drain();
      await alarmEngine.close();
      await caseJobs.close();
      await auditJobs.close();
      await bus.close();
      await storage.stop();
      if (ownsStorage) await storage.database.close();
    });

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
    // Before access control and routes: the live feed's WebSocket carries its token as a subprotocol.
    await installLiveTransport(app);
    // Before any route: every /api route registered from here on must declare a policy.
    app.decorate('routeTable', installAccessControl(app, access));
    await app.register(fastifyRateLimit, {
      global: true,
      // After authentication, so that limits are per user and per key rather than per address.
      hook: 'preHandler',
      timeWindow: 60_000,
      max: (request) => (request.principal?.kind === 'key' ? config.rateLimitKey : config.rateLimitUser),
      keyGenerator: (request) =>
        request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`,
      errorResponseBuilder: (_request, context) =>
        new AppError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });
    instrumentHttp(app, createMetrics(), {
      policy: config.metricsPublic ? { public: true } : { permission: 'metrics:read' },
    });

    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'cityops 城运 API',
          description:
            'City operations and governance center: jurisdictions, and (as they land) telemetry, alarms and cases. Every error is `{"error":{"code","message","details"}}` with a stable code.',
          version: VERSION,
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
        tags: [
          { name: 'jurisdictions', description: '行政区划 jurisdictions: tree, lookup, boundaries' },
          { name: 'auth', description: '登录 sign-in: tokens for users (Bearer); devices use X-API-Key' },
          { name: 'access', description: '用户与密钥 users and API keys (administrators)' },
          { name: 'sensors', description: '传感器 sensor registry and type catalog' },
          { name: 'telemetry', description: '城市体征 telemetry ingest, latest values, series, vital signs' },
          { name: 'alarm rules', description: '告警规则 rules over live telemetry, with dry runs' },
          { name: 'alarms', description: '告警 alarms: list, acknowledge, clear, comment' },
          { name: 'maintenance windows', description: '维护窗口 suppress alarms during planned work' },
          { name: 'cases', description: '案件 cases: intake, routing 派遣, lifecycle, statistics, catalog' },
          { name: 'cameras', description: '视频智能识别 AI cameras and their detections' },
          { name: 'open311', description: 'Open311 GeoReport v2 at /open311/v2 (市民上报)' },
          { name: 'live', description: '态势总览 the dashboard overview and the live feed (WebSocket)' },
          { name: 'operations', description: 'health and metrics' },
        ],
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

    await app.register(healthRoutes(storage.database, VERSION));
    await app.register(authRoutes(access, { demo: config.demo, loginPerMinute: 20 }), { prefix: '/api/v1' });
    await app.register(
      adminRoutes(access, storage.repositories.access, () => jurisdictions.units),
      {
        prefix: '/api/v1',
      },
    );
    // What the caller may see, for every domain's routes.
    const visibleTo = (request: FastifyRequest) => visibility(request, jurisdictions.units);
    await app.register(jurisdictionRoutes(jurisdictions, visibleTo), { prefix: '/api/v1' });
    await app.register(sensorRoutes(sensors, visibleTo), { prefix: '/api/v1' });
    await app.register(
      telemetryRoutes({
        ingest,
        store: telemetry.store,
        sensors,
        tree: () => jurisdictions.units,
        visibleTo,
      }),
      { prefix: '/api/v1' },
    );
    await app.register(alarmRoutes(alarms, visibleTo), { prefix: '/api/v1' });
    await app.register(caseRoutes(cases, visibleTo), { prefix: '/api/v1' });
    await app.register(cameraRoutes(cameras, visibleTo), { prefix: '/api/v1' });
    await app.register(detectionRoutes(intake.detections, visibleTo), { prefix: '/api/v1' });
    await app.register(intakeRoutes(intake.hotline, visibleTo), { prefix: '/api/v1' });
    await app.register(open311Routes(intake.open311, { ...config.open311, publicUrl: config.publicUrl }), {
      prefix: '/open311/v2',
    });
    await app.register(liveRoutes(live, visibleTo), { prefix: '/api/v1' });
    await serveDashboard(app, options.webDist);
    await app.ready();
    return app;
  } catch (error) {
    await app.close();
    await storage.stop();
    if (ownsStorage) await storage.database.close();
    throw error;
  }
}

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
