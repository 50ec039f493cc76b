import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { CityGeo } from '../sim/city-geo.js';
import { formatDuration, parseDuration } from '../sim/duration.js';
import { SimHttp, SimTargetError } from '../sim/http-client.js';
import { builtInScenarios, loadScenario } from '../sim/scenario.js';
import type { Pace } from '../sim/scenario.types.js';
import { externalAccess, type AdminLogin, type SimAccess } from '../sim/sim-access.js';
import { Simulator, type SimEvent, type WorkMode } from '../sim/simulator.js';
import { formatSummary } from '../sim/summary.js';
import { describeTimeline, planTimeline } from '../sim/timeline.js';
import { CliError } from './cli-error.js';

interface SimOptions {
  scenario: string;
  target: string;
  speed?: string;
  duration?: string;
  seed?: string;
  sensors?: string;
  cameraScale?: string;
  backfill?: string;
  fleet: string;
  work?: WorkMode;
  adminUser: string;
  adminPassword?: string;
  staffPassword?: string;
  progress: boolean;
}

/** `cityops sim …`: the city simulator against a running server, drills and backfills. */
export function simCommand(): Command {
  const sim = new Command('sim')
    .description(
      'run the city simulator against a cityops server 城市模拟器 (drills 演练, history 补数, load 压测)\n' +
        'A client of the public API: registers its sensors and cameras, sends readings, detections and\n' +
        "citizens' reports, and works the cases as the command center and departments. See docs/simulator.md.",
    )
    .option(
      '--scenario <name|file>',
      `a built-in scenario (${builtInScenarios().join(', ')}) or a JSON file`,
      'normal-day',
    )
    .option(
      '--target <url>',
      'the cityops server 目标服务器',
      process.env.CITYOPS_SIM_TARGET ?? 'http://127.0.0.1:8080',
    )
    .option(
      '--speed <n|max>',
      'time acceleration 加速倍数: 60 runs an hour a minute; "max" as fast as the server takes it',
    )
    .option('--duration <time>', "simulated length 模拟时长, e.g. 90m, 6h, 2d (default: the scenario's)")
    .option('--seed <n>', "random seed 随机种子: the same seed gives the same city (default: the scenario's)")
    .option('--sensors <n>', "number of sensors 传感器数量 (default: the scenario's; up to 1,000,000)")
    .option('--camera-scale <x>', 'cameras as a share of full scale 摄像头比例 (1 = 北碚区 ~7,400)')
    .option(
      '--backfill <time>',
      'write this much history, ending now, as fast as possible, then stop 补写历史数据 (e.g. 3d)',
    )
    .option(
      '--fleet <name>',
      'id prefix of the simulated devices and staff 设备编号前缀 (npm start uses SIM)',
      'DRILL',
    )
    .addOption(
      new Option(
        '--work <mode>',
        "cases the simulated staff handle 处置范围: own (this run's), all, none",
      ).choices(['own', 'all', 'none']),
    )
    .option(
      '--admin-user <name>',
      'administrator to sign in as (or CITYOPS_SIM_ADMIN_USER)',
      process.env.CITYOPS_SIM_ADMIN_USER ?? 'admin',
    )
    .option(
      '--admin-password <password>',
      'its password (better: CITYOPS_SIM_ADMIN_PASSWORD; or a token in CITYOPS_SIM_TOKEN)',
    )
    .option(
      '--staff-password <password>',
      'password of the simulated staff accounts (or CITYOPS_SIM_STAFF_PASSWORD)',
    )
    .option('--no-progress', 'no progress bar, only the summary')
    .addHelpText(
      'after',
      '\nExamples 示例:\n' +
        '  CITYOPS_SIM_ADMIN_PASSWORD=… cityops sim --scenario rainstorm --speed 60\n' +
        '  cityops sim --backfill 3d --sensors 50000\n' +
        '  cityops sim --scenario stress --duration 2h\n' +
        '  cityops sim validate my-drill.json\n',
    )
    .action(async (options: SimOptions) => run(options));

  sim
    .command('scenarios')
    .description('list the built-in scenarios 内置场景')
    .action(() => {
      for (const name of builtInScenarios()) {
        const s = loadScenario(name);
        const length = s.durationMs === null ? 'until stopped' : formatDuration(s.durationMs);
        process.stdout.write(
          `${name.padEnd(12)} ${s.title}\n${' '.repeat(13)}${length}, speed ${s.pace}, ${s.sensors.toLocaleString('en-US')} sensors\n`,
        );
      }
    });
  sim
    .command('validate')
    .argument('<file>', 'a scenario JSON file')
    .description('check a scenario file and list every problem 校验场景文件')
    .action((file: string) => {
      const s = scenarioOrExit(file);
      process.stdout.write(
        `ok 校验通过: ${s.name} — ${s.title}; ${s.rain.length} rain spells, ${s.incidents.length} incidents\n`,
      );
    });
  return sim;
}

async function run(o: SimOptions): Promise<void> {
  const scenario = scenarioOrExit(o.scenario);
  const backfillMs = o.backfill === undefined ? undefined : duration(o.backfill, '--backfill');
  const work: WorkMode = o.work ?? (backfillMs ? 'none' : 'own');
  const password = o.adminPassword ?? process.env.CITYOPS_SIM_ADMIN_PASSWORD;
  const token = process.env.CITYOPS_SIM_TOKEN;
  if (!password && !token) {
    throw new CliError(
      'the simulator signs in as an administrator to register its devices: set CITYOPS_SIM_ADMIN_PASSWORD (or --admin-password, or an access token in CITYOPS_SIM_TOKEN)',
    );
  }
  const admin: AdminLogin = password ? { username: o.adminUser, password } : { token: token! };
  const prefix = o.fleet.toUpperCase();
  if (!/^[A-Z][A-Z0-9]{0,11}$/.test(prefix)) {
    throw new CliError(`--fleet must be 1–12 letters and digits, got "${o.fleet}"`);
  }
  const speed = o.speed === undefined ? undefined : pace(o.speed);
  const durationMs =
    backfillMs ?? (o.duration === undefined ? undefined : duration(o.duration, '--duration'));
  try {
    // Before connecting: an accelerated run needs an end.
    planTimeline(Date.now(), speed ?? scenario.pace, durationMs ?? scenario.durationMs, backfillMs);
  } catch (error) {
    throw asCliError(error);
  }
  const http = new SimHttp(o.target.replace(/\/+$/, ''), { maxWaitMs: 60_000 });
  const geo = CityGeo.load();
  let simulator: Simulator;
  let access: SimAccess | undefined;
  try {
    access = await externalAccess(http, {
      admin,
      prefix,
      staff: work !== 'none',
      staffPassword: o.staffPassword ?? process.env.CITYOPS_SIM_STAFF_PASSWORD,
    });
    process.stderr.write(`registering 注册设备: ${o.target} …\n`);
    simulator = await Simulator.prepare(
      http,
      access,
      {
        scenario,
        prefix,
        work,
        seed: whole(o.seed, '--seed', 0, 4_294_967_295),
        sensors: whole(o.sensors, '--sensors', 100, 1_000_000),
        cameraScale: o.cameraScale === undefined ? undefined : fraction(o.cameraScale),
        pace: speed,
        durationMs,
        historyMs: backfillMs,
        citizens: backfillMs === undefined,
      },
      (e) => report(e, geo),
      geo,
    );
  } catch (error) {
    await access?.release();
    throw asCliError(error);
  }
  process.stderr.write(`${scenario.name}: ${describeTimeline(simulator.timeline, Date.now())}\n`);
  let stops = 0;
  const onSignal = () => {
    if (++stops > 1) process.exit(130);
    process.stderr.write('\nstopping 正在停止 … (Ctrl-C again to quit at once)\n');
    simulator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopProgress = o.progress ? progress(simulator) : () => {};
  try {
    const summary = await simulator.run();
    stopProgress();
    process.stdout.write(`${formatSummary(summary, (code) => geo.county(code)?.name ?? code)}\n`);
  } catch (error) {
    stopProgress();
    throw asCliError(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A bar with ETA for runs that end; a status line every 30 s for runs that go on until stopped. */
function progress(simulator: Simulator): () => void {
  const { origin, end } = simulator.timeline;
  if (!Number.isFinite(end)) {
    const timer = setInterval(() => {
      const s = simulator.status();
      const rate = s.readings / Math.max(1, (Date.now() - s.startedAt) / 1000);
      process.stderr.write(
        `live 实时 ${new Date(s.simNow).toISOString()}: ${s.readings.toLocaleString('en-US')} readings (${Math.round(rate)}/s)\n`,
      );
    }, 30_000);
    return () => clearInterval(timer);
  }
  const bar = new cliProgress.SingleBar(
    {
      format:
        'simulating 模拟中 [{bar}] {percentage}% | {simulated} of {length} | {readings} readings ({rate}/s) | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = Math.max(1, Math.round((end - origin) / 1000));
  const values = () => {
    const s = simulator.status();
    return {
      simulated: formatDuration(s.simNow - origin),
      length: formatDuration(end - origin),
      readings: s.readings.toLocaleString('en-US'),
      rate: Math.round(s.readings / Math.max(1, (Date.now() - s.startedAt) / 1000)).toLocaleString('en-US'),
      value: Math.round((s.simNow - origin) / 1000),
    };
  };
  bar.start(total, 0, values());
  const timer = setInterval(() => {
    const v = values();
    bar.update(v.value, v);
  }, 500);
  return () => {
    clearInterval(timer);
    const v = values();
    bar.update(v.value, v);
    bar.stop();
  };
}

function report(e: SimEvent, geo: CityGeo): void {
  switch (e.type) {
    case 'registered':
      process.stderr.write(
        `fleet 设备: ${e.fleet.sensors.length.toLocaleString('en-US')} sensors (${e.registration.sensorsAdded.toLocaleString('en-US')} new), ${e.fleet.cameras.length.toLocaleString('en-US')} cameras (${e.registration.camerasAdded.toLocaleString('en-US')} new)\n`,
      );
      return;
    case 'incident':
      if (e.planned) {
        const place = geo.township(e.incident.township);
        process.stderr.write(
          `\nincident 事件: ${e.incident.kind} at ${e.incident.where} (${geo.county(e.incident.county)?.name ?? ''}${place?.name ?? ''})\n`,
        );
      }
      return;
    case 'caught-up':
      return;
    case 'warning':
      process.stderr.write(`warning 注意: ${e.message}\n`);
  }
}

function scenarioOrExit(ref: string) {
  try {
    return loadScenario(ref);
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message, 2);
    throw error;
  }
}

function asCliError(error: unknown): unknown {
  if (error instanceof SimTargetError) return new CliError(error.message);
  if (error instanceof AppError && error.code === 'INVALID_SCENARIO') return new CliError(error.message, 2);
  return error;
}

function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 60_000) {
    throw new CliError(
      `${flag} must be a duration of at least a minute such as 90m, 6h or 3d, got "${text}"`,
    );
  }
  return ms;
}

function pace(text: string): Pace {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!(n >= 1 && n <= 1_000_000)) {
    throw new CliError(`--speed must be a number from 1 to 1000000, or max, got "${text}"`);
  }
  return n;
}

function whole(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function fraction(text: string): number {
  const n = Number(text);
  if (!(n >= 0 && n <= 1)) throw new CliError(`--camera-scale must be a number from 0 to 1, got "${text}"`);
  return n;
}
