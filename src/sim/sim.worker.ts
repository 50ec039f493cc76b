import { parentPort, workerData } from 'node:worker_threads';
import { CityGeo } from './city-geo.js';
import { SimHttp } from './http-client.js';
import { loadScenario } from './scenario.js';
import { accessFromGrant, type AccessGrant } from './sim-access.js';
import { Simulator, type SimEvent } from './simulator.js';
import { formatSummary } from './summary.js';
import type { WorkerMessage, WorkerRequest, WorkerSetup } from './sim-thread.js';

// The in-process simulator's thread: the same Simulator as `cityops sim`, talking HTTP to the
// server on the main thread over loopback. Its own event loop keeps generating readings from
// taking turns away from the server's request handling.

const setup = workerData as WorkerSetup & { grant: AccessGrant };
const post = (message: WorkerMessage) => parentPort?.postMessage(message);

let simulator: Simulator | undefined;
let stopping = false;
parentPort?.on('message', (request: WorkerRequest) => {
  if (request.type === 'stop') {
    stopping = true;
    simulator?.stop();
  }
});

const describe = (e: SimEvent): WorkerMessage => {
  switch (e.type) {
    case 'registered':
      return {
        type: 'log',
        level: 'info',
        message: 'simulator: fleet registered',
        data: {
          sensors: e.fleet.sensors.length,
          cameras: e.fleet.cameras.length,
          newSensors: e.registration.sensorsAdded,
          newCameras: e.registration.camerasAdded,
        },
      };
    case 'incident':
      return {
        type: 'log',
        level: 'info',
        message: `simulator: incident ${e.incident.kind}`,
        data: {
          where: e.incident.where,
          township: e.incident.township,
          at: new Date(e.incident.startMs).toISOString(),
        },
      };
    case 'caught-up':
      return { type: 'log', level: 'info', message: 'simulator: history written, running live', data: {} };
    case 'warning':
      return { type: 'log', level: 'warn', message: `simulator: ${e.message}`, data: {} };
  }
};

try {
  const http = new SimHttp(setup.baseUrl);
  const scenario = loadScenario(setup.scenario);
  simulator = await Simulator.prepare(
    http,
    accessFromGrant(setup.grant),
    { scenario, ...setup.options },
    (e) => post(describe(e)),
  );
  if (stopping) simulator.stop();
  const status = setInterval(() => {
    const s = simulator!.status();
    post({ type: 'status', readings: s.readings, simNow: s.simNow, lagMs: s.lagMs });
  }, setup.statusEveryMs);
  status.unref();
  const summary = await simulator.run();
  clearInterval(status);
  const geo = CityGeo.load();
  post({ type: 'done', text: formatSummary(summary, (code) => geo.county(code)?.name ?? code), summary });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
}
