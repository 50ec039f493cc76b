import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { HEALTH_TAGS, registerHealth } from './health/health.register.js';
import { JURISDICTION_TAGS, registerJurisdictions } from './jurisdictions/jurisdiction.register.js';
import { JurisdictionService } from './jurisdictions/jurisdiction.service.js';
import { createHttpApp, installHttpShell } from './platform/http/shell.js';
import { serveDashboard } from './platform/http/web.js';
import { openStorage } from './storage.js';
import { AccessService } from './access/access.service.js';
import { ACCESS_TAGS, registerAccess } from './access/access.register.js';
import { ACCESS_EVENTS, logAccessEvents } from './access/access.events.js';
import { syncDemoUsers } from './access/demo.js';
import { installAccessControl, principalRateLimit, visibility } from './access/policy.js';
import { DEVICE_TAGS, registerDevices } from './devices/device.register.js';
import { SensorService } from './devices/sensor.service.js';
import { InProcessBus } from './platform/bus/in-process-bus.js';
import { openTelemetryEngine } from './telemetry/store/telemetry-engine.js';
import { TelemetryIngest } from './telemetry/telemetry-ingest.js';
import { TELEMETRY_TAGS, registerTelemetry } from './telemetry/telemetry.register.js';
import { AlarmEngine } from './alarms/alarm-engine.js';
import { ALARM_TAGS, registerAlarms } from './alarms/alarm.register.js';
import { AlarmService } from './alarms/alarm.service.js';
import { CASE_TAGS, registerCases } from './cases/case.register.js';
import { CaseService } from './cases/case.service.js';
import { startCaseJobs } from './cases/case-escalation.js';
import { startAuditJobs } from './cases/audit-head-export.js';
import { createIntake } from './intake/intake.js';
import { parseIntakeConfig } from './intake/intake.config.js';
import { INTAKE_TAGS, registerIntake } from './intake/intake.register.js';
import { createLive } from './live/live.js';
import { LIVE_TAGS, registerLive } from './live/live.register.js';
import { installLiveTransport } from './live/live-transport.js';
import { VERSION } from './version.js';
import type { BuildOptions } from './app.types.js';

export type { BuildOptions, Services } from './app.types.js';

/** Assembles the whole HTTP app without listening: storage, services, routes, docs, metrics. */
export async function build(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  // The domains' own settings, parsed before anything opens: a bad one is a ConfigError at start.
  const intakeConfig = parseIntakeConfig(config.env);
  const storage = options.storage ?? (await openStorage(config));
  const ownsStorage = options.closeStorage ?? options.storage === undefined;
  const app = createHttpApp({
    logLevel: config.logLevel,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    ...(options.logger === false ? { logger: false } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
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
    logAccessEvents(bus, app.log);
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

    // What the caller may see, for every domain's routes.
    const visibleTo = (request: FastifyRequest) => visibility(request, jurisdictions.units);
    const tree = () => jurisdictions.units;
    await installHttpShell(app, {
      authenticate: async () => {
        // Before access control and routes: the live feed's WebSocket carries its token as a subprotocol.
        await installLiveTransport(app);
        // Before any route: every /api route registered from here on must declare a policy.
        app.decorate('routeTable', installAccessControl(app, access));
      },
      rateLimit: principalRateLimit({ user: config.rateLimitUser, key: config.rateLimitKey }),
      metrics: { policy: config.metricsPublic ? { public: true } : { permission: 'metrics:read' } },
      // Swagger UI lists the tags in this order.
      openapi: {
        version: VERSION,
        tags: [
          ...JURISDICTION_TAGS,
          ...ACCESS_TAGS,
          ...DEVICE_TAGS,
          ...TELEMETRY_TAGS,
          ...ALARM_TAGS,
          ...CASE_TAGS,
          ...INTAKE_TAGS,
          ...LIVE_TAGS,
          ...HEALTH_TAGS,
        ],
      },
    });
    await registerHealth(app, { database: storage.database, version: VERSION });
    await registerAccess(app, { access, repository: storage.repositories.access, tree, demo: config.demo });
    await registerJurisdictions(app, { jurisdictions, visibleTo });
    await registerDevices(app, { sensors, visibleTo });
    await registerTelemetry(app, { ingest, store: telemetry.store, sensors, tree, visibleTo });
    await registerAlarms(app, { alarms, visibleTo });
    await registerCases(app, { cases, visibleTo });
    const open311 = { ...config.open311, publicUrl: config.publicUrl };
    await registerIntake(app, { cameras, intake, visibleTo, open311 });
    await registerLive(app, { live, visibleTo });
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
