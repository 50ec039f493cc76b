import { CityGeo } from './city-geo.js';
import { CameraWorld, DEFAULT_CLASS_RULES, type ClassRule } from './cameras.js';
import { FALLBACK_LIMITS, isOwnCase, type CaseView, type StageLimits } from './case-plans.js';
import { Citizens } from './citizens.js';
import { Staff, type AlarmView } from './departments.js';
import { buildFleet, type Fleet } from './fleet.js';
import { FleetIndex } from './fleet-index.js';
import { sleep, type SimHttp } from './http-client.js';
import { IncidentBook } from './incident-book.js';
import type { Incident } from './incident-kinds.js';
import { collectOutcome } from './outcome.js';
import { registerFleet, type Registration } from './registration.js';
import type { Pace, Scenario } from './scenario.types.js';
import { ReportSchedule } from './schedule.js';
import { SendQueue } from './send-queue.js';
import type { SimAccess } from './sim-access.js';
import { SignalModel } from './signal-model.js';
import type { SimSummary } from './summary.js';
import { TelemetryEmitter } from './telemetry-emitter.js';
import { planTimeline, type Timeline } from './timeline.js';
import { Weather } from './weather.js';

/** Which cases and alarms the simulated staff touch: every one (a demo city), the run's own, or none. */
export type WorkMode = 'all' | 'own' | 'none';

/** How to run a scenario; unset fields come from the scenario. */
export interface RunOptions {
  scenario: Scenario;
  /** Id prefix of the fleet's devices and staff (`SIM` → SIM-WP-000001, sim-command). */
  prefix: string;
  work: WorkMode;
  seed?: number | undefined;
  sensors?: number | undefined;
  cameraScale?: number | undefined;
  pace?: Pace | undefined;
  durationMs?: number | null | undefined;
  /** Start this long ago and catch up first (backfill; the in-process simulator's first start). */
  historyMs?: number | undefined;
  /** Citizens' Open311 reports (they carry no time, so never while writing history). */
  citizens?: boolean | undefined;
}

/** Something worth telling the operator while a run goes on. */
export type SimEvent =
  | { type: 'registered'; registration: Registration; fleet: Fleet }
  | { type: 'incident'; incident: Incident; planned: boolean }
  | { type: 'caught-up'; at: number }
  | { type: 'warning'; message: string };

/** A snapshot for progress bars and logs. */
export interface SimStatus {
  simNow: number;
  timeline: Timeline;
  /** How far simulated time is behind the wall clock. */
  lagMs: number;
  readings: number;
  startedAt: number;
}

/**
 * The city simulator: a client of cityops that registers its fleet, then sends what the city does
 * — readings, camera detections, citizens' reports — and works the resulting cases as the command
 * center and departments would, over HTTP only. The same code runs in-process beside the server
 * (loopback), as `cityops sim` against another server, and as the ingest load test.
 */
export class Simulator {
  private stopped = false;
  private simNow: number;
  private readonly startedAt = Date.now();
  private caughtUp = false;
  /** Citizens' reports and detections, sent beside the readings, four at a time. */
  private readonly reports = new SendQueue(4);
  private wallStart = Date.now();

  private constructor(
    private readonly http: SimHttp,
    private readonly access: SimAccess,
    readonly fleet: Fleet,
    readonly timeline: Timeline,
    private readonly registration: Registration,
    private readonly parts: {
      seed: number;
      scenario: Scenario;
      work: WorkMode;
      citizens: boolean;
      emitter: TelemetryEmitter;
      incidents: IncidentBook;
      cameras: CameraWorld;
      citizenReports: Citizens;
      staff: Staff | null;
      schedule: ReportSchedule;
      mine: { case(c: CaseView): boolean; alarm(a: AlarmView): boolean };
    },
    private readonly onEvent: (e: SimEvent) => void,
  ) {
    this.simNow = timeline.origin;
  }

  /** Builds the fleet, registers it on the target and reads the server's rules; the run starts with run(). */
  static async prepare(
    http: SimHttp,
    access: SimAccess,
    options: RunOptions,
    onEvent: (e: SimEvent) => void = () => {},
    geo: CityGeo = CityGeo.load(),
  ): Promise<Simulator> {
    const s = options.scenario;
    const seed = options.seed ?? s.seed;
    const plan = () =>
      planTimeline(
        Date.now(),
        options.pace ?? s.pace,
        options.durationMs === undefined ? s.durationMs : options.durationMs,
        options.historyMs,
      );
    plan(); // refuses an impossible timeline before anything is registered
    const fleet = buildFleet(geo, {
      seed,
      sensors: options.sensors ?? s.sensors,
      cameraScale: options.cameraScale ?? s.cameraScale,
      prefix: options.prefix,
    });
    const registration = await registerFleet(http, access.registrar, fleet);
    onEvent({ type: 'registered', registration, fleet });
    if (registration.refused.length > 0) {
      const first = registration.refused[0]!;
      onEvent({
        type: 'warning',
        message: `${registration.refused.length} devices refused by the server and left out (first: ${first.id} ${first.code}: ${first.message})`,
      });
    }
    // Placed after registering, which takes a while: "now" is when the run starts.
    const timeline = plan();
    const reader = access.command ? { session: access.command } : access.registrar;
    const [rules, categories, services] = await Promise.all([
      http.send<{ items?: ClassRule[] }>('GET', '/api/v1/detection-classes', { auth: reader }),
      http.send<{ items?: { code: string; limits: Record<string, StageLimits> }[] }>(
        'GET',
        '/api/v1/cases/categories',
        { auth: reader },
      ),
      http.send<{ service_code: string }[]>('GET', '/open311/v2/services.json'),
    ]);
    const limits = new Map((categories.body.items ?? []).map((c) => [c.code, c.limits]));
    const weather = new Weather(s.rain, timeline.origin);
    const index = new FleetIndex(fleet);
    const incidents = new IncidentBook({
      index,
      seed,
      originMs: timeline.origin,
      planned: s.incidents,
      perDay: s.background.incidentsPerDay,
    });
    const model = new SignalModel(fleet, seed, weather, incidents, s.background);
    const schedule = new ReportSchedule(fleet, seed);
    const excluded = new Set(registration.refused.map((r) => r.id));
    const emitter = new TelemetryEmitter(http, access.device, fleet, model, schedule, {
      lanes: s.concurrency,
      batchSize: s.batchSize,
      excluded,
    });
    const cameras = new CameraWorld(
      http,
      access.camera,
      fleet,
      seed,
      s.background,
      weather,
      incidents,
      rules.status === 200 ? (rules.body.items ?? DEFAULT_CLASS_RULES) : DEFAULT_CLASS_RULES,
    );
    const citizenReports = new Citizens(http, {
      key: access.open311Key,
      seed,
      perHour: s.background.citizenReportsPerHour,
      geo,
      weather,
      incidents,
      services: new Set(Array.isArray(services.body) ? services.body.map((x) => x.service_code) : []),
    });
    const townships = new Set(fleet.sensors.map((x) => x.township));
    const own = {
      prefix: fleet.prefix,
      open311Label: access.open311Label,
      cameraCases: cameras.cases,
      townships,
    };
    const mine = {
      case: (c: CaseView) => options.work === 'all' || isOwnCase(c, own),
      alarm: (a: AlarmView) =>
        options.work === 'all' ||
        (a.sensorId !== null
          ? a.sensorId.startsWith(`${fleet.prefix}-`)
          : townships.has(a.townshipCode ?? '')),
    };
    const staff =
      options.work !== 'none' && s.departments.enabled && (access.command || access.handlers.size > 0)
        ? new Staff(http, {
            command: access.command,
            handlers: access.handlers,
            behaviour: s.departments,
            seed,
            mine,
            limitsOf: (category, priority) => limits.get(category)?.[priority] ?? FALLBACK_LIMITS,
          })
        : null;
    return new Simulator(
      http,
      access,
      fleet,
      timeline,
      registration,
      {
        seed,
        scenario: s,
        work: options.work,
        citizens: options.citizens ?? true,
        emitter,
        incidents,
        cameras,
        citizenReports,
        staff,
        schedule,
        mine,
      },
      onEvent,
    );
  }

  /** Asks the run to end at its next step; run() then flushes and resolves with the summary. */
  stop(): void {
    this.stopped = true;
  }

  /** Where the run is. */
  status(): SimStatus {
    return {
      simNow: this.simNow,
      timeline: this.timeline,
      lagMs: Date.now() - this.simNow,
      readings: this.parts.emitter.counters.accepted,
      startedAt: this.startedAt,
    };
  }

  /** Runs until the timeline ends or stop() is called, then reads the outcome back and releases the keys. */
  async run(): Promise<SimSummary> {
    const staffLoop = this.staffLoop();
    const p = this.parts;
    let outcome;
    try {
      try {
        await this.mainLoop();
        await p.emitter.flush();
        await this.reports.drain();
      } finally {
        this.stopped = true;
        await staffLoop;
      }
      const reader = this.access.command ? { session: this.access.command } : this.access.registrar;
      outcome = await collectOutcome(this.http, reader, this.startedAt - 1000, p.mine);
    } finally {
      // The run's keys go, however it ended.
      await this.access.release();
    }
    const byKind: Record<string, number> = {};
    for (const i of p.incidents.started) byKind[i.kind] = (byKind[i.kind] ?? 0) + 1;
    return {
      scenario: p.scenario.name,
      seed: p.seed,
      prefix: this.fleet.prefix,
      sensors: this.fleet.sensors.length,
      cameras: this.fleet.cameras.length,
      registration: this.registration,
      simulatedFrom: this.timeline.origin,
      simulatedTo: this.simNow,
      wallMs: Date.now() - this.startedAt,
      telemetry: p.emitter.counters,
      detections: p.cameras.counters,
      citizens: p.citizenReports.counters,
      incidents: byKind,
      skippedIncidents: [...new Set(p.incidents.skipped)].slice(0, 10),
      staff: p.staff?.counters ?? null,
      outcome,
      http: this.http.counters,
    };
  }

  private async mainLoop(): Promise<void> {
    const { timeline } = this;
    const { emitter, schedule, scenario } = this.parts;
    const wallStart = (this.wallStart = Date.now());
    // Enough readings per step to fill a batch on every lane twice, bounded to [1 s, 15 min].
    const maxStep = Math.min(
      900_000,
      Math.max(
        1000,
        ((scenario.batchSize * scenario.concurrency * 2) / Math.max(1, schedule.ratePerSecond)) * 1000,
      ),
    );
    while (!this.stopped && this.simNow < timeline.end) {
      const wall = Date.now();
      const paced = timeline.pace === 'max' ? Infinity : timeline.origin + (wall - wallStart) * timeline.pace;
      const target = Math.min(timeline.end, wall, paced, this.simNow + maxStep);
      // Live: gather about a second of readings per request rather than trickling them out.
      if (target - this.simNow < Math.min(1000, timeline.end - this.simNow)) {
        await sleep(200);
        continue;
      }
      await this.step(this.simNow, target, wall);
      this.simNow = target;
      if (wall - this.simNow < 5000) {
        if (!this.caughtUp) {
          this.caughtUp = true;
          this.onEvent({ type: 'caught-up', at: this.simNow });
        }
        await emitter.flush();
      }
    }
  }

  private async step(from: number, to: number, wall: number): Promise<void> {
    const p = this.parts;
    for (const incident of p.incidents.advance(from, to)) {
      this.onEvent({ type: 'incident', incident, planned: incident.planned });
    }
    await p.emitter.emit(from, to);
    // While history is written (as fast as possible, well behind the clock) only readings go out:
    // a detection or a citizen's report would open a case dated hours ago, or (Open311 has no
    // time field) stamped now for something seen then.
    const { origin, pace } = this.timeline;
    if (pace === 'max' && wall - to > 10 * 60_000) return;
    // Readings keep simulated time (rule durations are reading time); in a drill, detections and
    // the cases they open happen now, so their times are mapped onto the wall clock.
    const stamp = pace === 'max' ? undefined : (t: number) => this.wallStart + (t - origin) / pace;
    p.cameras.emit(from, to, wall, this.reports, stamp);
    if (p.citizens) p.citizenReports.emit(from, to, this.reports);
    // Reports and detections go out beside the readings; only when far behind does the run wait.
    await this.reports.whenBelow(2000);
  }

  private async staffLoop(): Promise<void> {
    const staff = this.parts.staff;
    if (!staff) return;
    // Queues are read about every 10 simulated minutes, between twice a second and every 5 s:
    // often enough for the staff's delays, seldom enough not to load the server with lists.
    const { pace } = this.timeline;
    const pause = pace === 'max' ? 1000 : Math.min(5000, Math.max(500, 600_000 / pace));
    while (!this.stopped) {
      try {
        await staff.tick(this.simNow);
      } catch (error) {
        staff.counters.errors++;
        staff.counters.lastError = (error as Error).message;
      }
      for (let waited = 0; waited < pause && !this.stopped; waited += 200) await sleep(200);
    }
  }
}
