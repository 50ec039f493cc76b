import type { Principal } from '../access/principal.js';
import type { AlarmEngine } from '../alarms/alarm-engine.js';
import type { CaseService } from '../cases/case.service.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { EventBus } from '../platform/bus/event-bus.js';
import { TELEMETRY_READINGS, type Reading } from '../telemetry/store/reading.types.js';
import type { SensorService } from '../devices/sensor.service.js';
import { LiveFeed } from './live-feed.js';
import { LiveHub, type LiveHubOptions } from './live-hub.js';
import { OverviewService } from './overview.service.js';
import { VitalsBoard } from './vitals-board.js';

/** The live module: feed (alarm and case events), vital-sign board, WebSocket hub, overview. */
export interface Live {
  feed: LiveFeed;
  board: VitalsBoard;
  hub: LiveHub;
  overview: OverviewService;
  /** Stops the timers and subscriptions and closes the connections. */
  close(): void;
}

/**
 * Builds and starts the live module on the existing services. It subscribes to the bus
 * (`alarms.events`, `cases.events`, `telemetry.readings`) and only reads the other domains.
 */
export function createLive(deps: {
  bus: EventBus;
  jurisdictions: JurisdictionService;
  sensors: SensorService;
  latest: (key: number) => Reading | undefined;
  alarmEngine: AlarmEngine;
  cases: CaseService;
  authenticate: (token: string) => Promise<Principal | null>;
  clock?: () => number;
  /** Timers off (tests drive flush/tickVitals/recheck themselves). */
  manual?: boolean;
  hub?: Partial<Pick<LiveHubOptions, 'flushMs' | 'vitalsMs' | 'recheckMs' | 'maxBufferedBytes'>>;
  onError?: (error: unknown, during: string) => void;
}): Live {
  const tree = () => deps.jurisdictions.units;
  const feed = new LiveFeed({
    tree,
    category: (code) => deps.cases.catalog.find(code),
  });
  const board = new VitalsBoard({
    sensors: () => deps.sensors.registered(),
    latest: deps.latest,
    resolveKey: (key) => deps.sensors.resolveKey(key),
    openAlarms: () => deps.alarmEngine.openAlarms(),
    tree,
  });
  feed.start(deps.bus);
  const readings = deps.bus.subscribe(
    TELEMETRY_READINGS,
    (m) => m.events.forEach((b) => board.countReadings(b)),
    {
      name: 'live.readings',
    },
  );
  const hub = new LiveHub({
    feed,
    board,
    tree,
    authenticate: deps.authenticate,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
    ...deps.hub,
  });
  if (!deps.manual) hub.start();
  const overview = new OverviewService({
    jurisdictions: deps.jurisdictions,
    cases: deps.cases,
    board,
    feed,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  return {
    feed,
    board,
    hub,
    overview,
    close: () => {
      hub.stop();
      feed.stop();
      readings.unsubscribe();
    },
  };
}
