import { build } from './app.js';
import { isLoopbackHost, type Config } from './config.js';
import { AppError, StartupError } from './errors.js';
import { ensureFirstAdmin } from './access/bootstrap.js';
import { demoExposureProblem } from './access/demo.js';
import { startMqttIngest, type MqttIngestHandle } from './telemetry/mqtt/mqtt.js';
import { startInProcessSimulator, type InProcessSimulator } from './sim-host.js';

/** Starts the server with the given configuration and shuts it down cleanly on SIGINT/SIGTERM. */
export async function serve(given: Config): Promise<void> {
  // The simulated city needs demo mode (its accounts are listed on the sign-in page) unless
  // CITYOPS_DEMO says otherwise.
  const config = given.sim.turnsDemoOn ? { ...given, demo: true } : given;
  // Before anything opens: published passwords must never be reachable from another machine.
  const exposure = demoExposureProblem({
    host: given.host,
    // Behind a reverse proxy (CITYOPS_TRUST_PROXY set) a loopback address serves other machines.
    loopback: isLoopbackHost(given.host) && given.trustProxy === false,
    behindProxy: given.trustProxy !== false,
    demo: given.demo,
    simTurnsDemoOn: given.sim.turnsDemoOn,
  });
  if (exposure) throw new StartupError(exposure);
  const app = await build(config);
  const admin = await ensureFirstAdmin(
    app.services.access,
    app.storage.repositories.access,
    config.adminPassword,
  );
  let mqtt: MqttIngestHandle | undefined;
  let sim: InProcessSimulator | undefined;
  const stop = (signal: string): void => {
    app.log.info({ signal }, 'shutting down');
    // The simulator first (a client: it stops sending while the server still answers), then MQTT,
    // so that messages being stored commit (and get their PUBACK) while storage is open.
    (sim?.stop() ?? Promise.resolve())
      .then(() => mqtt?.close())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as { code?: string }).code;
    await app.close();
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${config.port} on ${config.host} is already in use. Set PORT to a free port (for example PORT=8081 npm start).`,
      );
    }
    throw error;
  }
  try {
    mqtt = await startMqttIngest({
      config,
      ingest: app.services.ingest,
      access: app.services.access,
      bus: app.services.bus,
      tree: () => app.services.jurisdictions.units,
      log: app.log.child({ component: 'mqtt' }),
    });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const storage = app.storage.database;
  if (config.sim.enabled) {
    // Over loopback even when serving other machines: the simulator is a client of this server.
    const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const base = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
    try {
      sim = await startInProcessSimulator(app, config, base);
    } catch (error) {
      await mqtt.close();
      await app.close();
      if (error instanceof AppError && error.code === 'INVALID_SCENARIO') {
        throw new StartupError(`CITYOPS_SIM_SCENARIO: ${error.message}`);
      }
      throw error;
    }
  }
  process.stdout.write(
    [
      '',
      `  cityops 城运 is serving the operations center 城市运行中心已启动`,
      `  → http://${shownHost}:${port}/            dashboard 态势大屏`,
      `  → http://${shownHost}:${port}/api/docs    API docs 接口文档`,
      ...(mqtt.address ? [`  → ${mqtt.address}   MQTT ingest 物联网接入 (${mqtt.mode}; docs/mqtt.md)`] : []),
      `  storage 存储: ${storage.engine} (${storage.location})`,
      ...(config.demo
        ? ['  demo mode 演示模式: on — demo users are listed on the sign-in page and in the README']
        : []),
      sim
        ? `  simulator 城市模拟: ${sim.description} — CITYOPS_SIM=off for a production server 生产环境请关闭 (docs/simulator.md)`
        : '  simulator 城市模拟: off',
      '',
    ].join('\n') + '\n',
  );
  if (admin) {
    // Printed, never logged: this is the only time the generated password is shown.
    process.stdout.write(
      admin.password
        ? `  first administrator 初始管理员: ${admin.username} / ${admin.password}\n  (shown once — sign in and keep it safe 仅显示一次，请妥善保存)\n\n`
        : `  first administrator 初始管理员: ${admin.username} (password from CITYOPS_ADMIN_PASSWORD)\n\n`,
    );
  }
}
