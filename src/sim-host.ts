import type { FastifyInstance } from 'fastify';
import { generatePassword } from './access/password.js';
import type { Config } from './config.js';
import { loadScenario } from './sim/scenario.js';
import { keyLabel, staffName, type AccessGrant, type StaffGrant } from './sim/sim-access.js';
import {
  startSimThread,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSetup,
  type WorkerStatus,
} from './sim/sim-thread.js';
import type { SimSummary } from './sim/summary.js';

/** The fleet prefix of the simulator that runs beside the server (SIM-WP-000001, sim-command). */
export const IN_PROCESS_PREFIX = 'SIM';

/** A running in-process simulator. */
export interface InProcessSimulator {
  /** One line for the start banner. */
  readonly description: string;
  /** Stops the run, waits for its summary (at most 20 s), revokes its keys and sessions. */
  stop(): Promise<SimSummary | undefined>;
}

/** For the benchmark: status more often, to a callback instead of the log. */
export interface InProcessOptions {
  statusEveryMs?: number;
  onStatus?: (status: WorkerStatus) => void;
}

/**
 * Starts the simulator beside a listening server (`npm start` with CITYOPS_SIM on). It is still a
 * client — readings, detections, reports and case actions go over HTTP to `baseUrl` — but its
 * credentials are made here through the services: fresh API keys (the previous run's are revoked),
 * and the command and department users, signed in with a password kept in the database settings.
 * On the first start (no simulated sensors yet) it writes `CITYOPS_SIM_BACKFILL_HOURS` of history
 * first, so charts are not empty. It runs on a worker thread.
 */
export async function startInProcessSimulator(
  app: FastifyInstance,
  config: Config,
  baseUrl: string,
  hooks: InProcessOptions = {},
): Promise<InProcessSimulator> {
  const scenario = loadScenario(config.sim.scenario);
  const prefix = IN_PROCESS_PREFIX;
  const { access, cases, sensors } = app.services;
  const repository = app.storage.repositories.access;
  const labels = new Set((['device', 'camera', 'open311'] as const).map((k) => keyLabel(prefix, k)));
  for (const key of await repository.listKeys()) {
    if (labels.has(key.label) && key.revokedAt === null) await access.revokeKey(key.id);
  }
  const keys = {
    device: await access.createKey({ kind: 'device', label: keyLabel(prefix, 'device'), scope: null }),
    camera: await access.createKey({ kind: 'camera', label: keyLabel(prefix, 'camera'), scope: null }),
    open311: await access.createKey({ kind: 'open311', label: keyLabel(prefix, 'open311'), scope: null }),
  };
  // Kept beside the token secret: whoever can read one can read the other.
  const password = await repository.settingOrInsert('sim.staff_password', generatePassword());
  const members = [
    { role: 'command', department: null as string | null },
    ...cases.catalog.listDepartmentTypes().map((t) => ({ role: t.code, department: t.code })),
  ];
  const staff: StaffGrant[] = [];
  const sessions: string[] = [];
  for (const member of members) {
    const username = staffName(prefix, member.role);
    if (!(await repository.findUserByUsername(username))) {
      await access.createUser({
        username,
        password,
        role: member.department ? 'department_handler' : 'city_commander',
        scope: '50',
        department: member.department,
      });
    }
    const { tokens } = await access.login(username, password);
    sessions.push(tokens.sessionId);
    staff.push({ username, department: member.department, ...tokens });
  }
  const grant: AccessGrant = {
    deviceKey: keys.device.key,
    cameraKey: keys.camera.key,
    open311Key: keys.open311.key,
    open311Label: keyLabel(prefix, 'open311'),
    staff,
  };
  // History only before an open-ended run (normal-day); a drill with an end keeps its own timing.
  const firstStart = sensors.resolve(`${prefix}-WP-000001`) === undefined;
  const historyMs = firstStart && scenario.durationMs === null ? config.sim.backfillHours * 3_600_000 : 0;
  const setup: WorkerSetup = {
    baseUrl,
    scenario: config.sim.scenario,
    options: {
      prefix,
      work: 'all',
      seed: config.sim.seed,
      sensors: config.sim.sensors,
      cameraScale: config.sim.cameraScale,
      ...(historyMs > 0 ? { historyMs } : {}),
    },
    statusEveryMs: hooks.statusEveryMs ?? 5 * 60_000,
  };
  const log = app.log.child({ component: 'sim' });
  const worker = startSimThread(setup, grant);
  // Finished when the run has reported its end (the thread may linger on idle keep-alive sockets).
  let summary: SimSummary | undefined;
  const finished = new Promise<void>((resolve) => {
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'log':
          log[m.level](m.data, m.message);
          return;
        case 'status':
          if (hooks.onStatus) hooks.onStatus(m);
          else {
            log.info(
              {
                readings: m.readings,
                simulatedTime: new Date(m.simNow).toISOString(),
                lagSeconds: Math.round(m.lagMs / 1000),
              },
              'simulator: status',
            );
          }
          return;
        case 'done':
          summary = m.summary;
          log.info({ summary: m.text }, 'simulator stopped');
          break;
        case 'failed':
          log.error({ reason: m.message }, 'simulator failed; the server goes on without it');
      }
      resolve();
      void worker.terminate();
    });
    worker.on('error', (error) => {
      log.error({ err: error }, 'simulator thread failed');
      resolve();
    });
    worker.on('exit', () => resolve());
  });
  const sensorCount = config.sim.sensors ?? scenario.sensors;
  return {
    description:
      `${scenario.name}, ${sensorCount.toLocaleString('en-US')} sensors` +
      (historyMs > 0 ? `, first writing ${config.sim.backfillHours} h of history` : ''),
    async stop() {
      worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 20_000).unref());
      await Promise.race([finished, timeout]);
      await worker.terminate();
      for (const k of Object.values(keys)) await access.revokeKey(k.record.id).catch(() => {});
      for (const id of sessions) await access.logout(id).catch(() => {});
      return summary;
    },
  };
}
