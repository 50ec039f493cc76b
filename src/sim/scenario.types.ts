/**
 * What a scenario file holds once validated and resolved (durations in ms, counties as codes,
 * defaults filled). The file format is documented in docs/simulator.md; `scenario.ts` reads it.
 */

/** Incidents the simulator can inject; each one is aimed at a default alarm rule or detection rule. */
export const INCIDENT_KINDS = [
  'water_main_burst', // 爆管: water-main pressure falls by more than 0.1 MPa within a minute
  'gas_leak', // 燃气泄漏: combustible gas above 25 %LEL
  'bridge_overstrain', // 桥梁应变超限: strain beyond ±200 µε (an overloaded lorry, a bearing problem)
  'base_station_outage', // 基站退服: availability below 90 %, DC voltage sagging on battery
  'river_quality_breach', // 跨界断面水质超标: ammonia nitrogen above 1 mg/L, dissolved oxygen below 5
  'tunnel_waterlogging', // 隧道积水 without rain: a failed pump
  'sewer_blockage', // 管道堵塞: a sewer surcharged above 100 %
  'feeder_overload', // 馈线过载: a 10 kV feeder above 100 %
  'platform_crowding', // 站台拥挤: above 3 persons/m² for minutes
  'street_vending', // 占道经营: vendors seen by AI cameras
  'sensor_dropout', // 网关掉线: every sensor of a town/street goes silent
] as const;
/** One incident kind. */
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** How fast simulated time runs: a multiple of real time, or as fast as the server takes it. */
export type Pace = number | 'max';

/** Rain over some counties: rises, holds and falls between start and end (offsets from the run's start). */
export interface RainSpell {
  counties: string[];
  startMs: number;
  endMs: number;
  peakMmPerHour: number;
  /** The storm cell reaches each next county this much later (it moves across the city). */
  moveMs: number;
}

/** An incident placed by the scenario. */
export interface PlannedIncident {
  kind: IncidentKind;
  atMs: number;
  durationMs: number | null;
  county: string | null;
  township: string | null;
  count: number;
}

/** How the simulated departments and command center work cases. */
export interface DepartmentBehaviour {
  enabled: boolean;
  /** Multiplies every handling delay (0.5: twice as fast as the defaults). */
  delayFactor: number;
  /** Share of handled cases that fail verification once (返工). */
  reworkShare: number;
  /** Share of cases put on hold (挂账) and never closed during the run: what keeps 结案率 below 100 %. */
  suspendShare: number;
  /** Share of citizen reports cancelled as invalid or duplicate (注销). */
  cancelShare: number;
  /** Share of dispatched cases a department returns (退单) as not its business. */
  returnShare: number;
  /** Share of cases whose department asks for more time (申请延期). */
  extensionShare: number;
  /** Whether the command center acknowledges major and critical alarms. */
  acknowledgeAlarms: boolean;
}

/** Background rates of a normal day; scenarios scale them. */
export interface Background {
  citizenReportsPerHour: number;
  cameraEventsPerCameraPerDay: number;
  falseDetectionsPerCameraPerDay: number;
  incidentsPerDay: Partial<Record<IncidentKind, number>>;
  /** Probability per sensor per day of a drop-out lasting 10–90 minutes. */
  dropoutsPerSensorPerDay: number;
  /** Share of single readings lost in transit. */
  lostReadingShare: number;
}

/** A validated scenario. */
export interface Scenario {
  name: string;
  title: string;
  description: string;
  /** Where it came from: `built-in` or the file path. */
  source: string;
  seed: number;
  /** Simulated length; null runs until stopped. */
  durationMs: number | null;
  pace: Pace;
  sensors: number;
  cameraScale: number;
  background: Background;
  rain: RainSpell[];
  incidents: PlannedIncident[];
  departments: DepartmentBehaviour;
  batchSize: number;
  concurrency: number;
}

/** One problem found in a scenario file: where (a JSON path) and what to do about it. */
export interface ScenarioProblem {
  path: string;
  message: string;
}
