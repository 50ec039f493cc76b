import type { AccessService } from './access/access.service.js';
import type { RouteEntry } from './access/policy.js';
import type { AlarmEngine } from './alarms/alarm-engine.js';
import type { AlarmService } from './alarms/alarm.service.js';
import type { CaseService } from './cases/case.service.js';
import type { CameraService } from './devices/camera.service.js';
import type { SensorService } from './devices/sensor.service.js';
import type { Intake } from './intake/intake.js';
import type { JurisdictionService, GeoData } from './jurisdictions/jurisdiction.service.js';
import type { Live } from './live/live.js';
import type { EventBus } from './platform/bus/event-bus.js';
import type { Storage } from './storage.js';
import type { TelemetryEngine } from './telemetry/store/telemetry-engine.js';
import type { TelemetryIngest } from './telemetry/telemetry-ingest.js';

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
