/**
 * The API's answers as the dashboard reads them. The server's TypeBox schemas are the source of
 * truth (src/*\/*.schema.ts); these mirror the fields the dashboard uses, because the dashboard
 * type-checks under browser-only settings and cannot import server modules. The live feed's
 * types are shared for real (src/live/live.types.ts imports nothing).
 */
export type {
  LiveEvent,
  LiveAlarmEvent,
  LiveCaseEvent,
  VitalsMessage,
  ServerMessage,
  LiveDomainFigure,
  LiveUnitLoad,
} from '../../../src/live/live.types';

/** A jurisdiction level. */
export type Level = 'province' | 'prefecture' | 'county' | 'township';

/** GET /api/v1/overview. */
export interface Overview {
  scope: {
    code: string;
    name: string;
    level: Level;
    parent: string | null;
    chain: { code: string; name: string; level: Level }[];
    childLevel: Level | null;
  };
  asOf: string;
  live: { epoch: string; seq: number };
  figures: {
    reportedToday: number | null;
    open: number | null;
    overdue: number | null;
    closureRate: number | null;
    onTimeClosureRate: number | null;
    ratePeriod: { from: string; to: string } | null;
    activeAlarms: number | null;
    criticalAlarms: number | null;
    sensors: number;
    online: number;
    readingsPerMinute: number;
  };
  domains: OverviewDomain[];
  history: { stepSeconds: number; times: string[] };
  units: OverviewUnit[];
  recent: import('../../../src/live/live.types').LiveEvent[];
}

/** One vital-sign domain of the overview. */
export interface OverviewDomain {
  domain: string;
  name: string;
  nameEn: string;
  sensors: number;
  online: number;
  normalShare: number | null;
  activeAlarms: number;
  criticalAlarms: number;
  headline: {
    type: string;
    name: string;
    nameEn: string;
    unit: string;
    normalMin: number | null;
    normalMax: number | null;
    reporting: number;
    avg: number | null;
    min: number | null;
    max: number | null;
  };
  history: { normalShare: (number | null)[]; value: (number | null)[] };
}

/** One unit one level down (the map). */
export interface OverviewUnit {
  code: string;
  name: string;
  level: Level;
  approximate: boolean;
  openCases: number | null;
  overdueCases: number | null;
  activeAlarms: number | null;
  criticalAlarms: number | null;
  sensors: number;
  abnormal: number;
}

/** A case in lists (GET /api/v1/cases). */
export interface CaseItem {
  id: string;
  status: string;
  statusName: string;
  category: string;
  categoryName: string;
  priority: 'urgent' | 'high' | 'normal' | 'low';
  description: string;
  address: string | null;
  /** Null (with lat) while the case needs a location (待定位). */
  lon: number | null;
  lat: number | null;
  needsLocation: boolean;
  jurisdiction: { city: string; county: string; township: string };
  department: { id: string; type: string; unit: string; name: string } | null;
  source: string;
  reporter: string | null;
  occurrences: number;
  reportedAt: string;
  registeredAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  stage: string | null;
  stageDeadline: string | null;
  dueAt: string;
  overdue: boolean;
  escalation: number;
  reworkCount: number;
  extension: { minutes: number; by: string; at: string; note: string | null } | null;
}

/** A timeline entry. */
export interface CaseTimelineEntry {
  seq: number;
  action: string;
  from: string | null;
  to: string;
  at: string;
  actor: string;
  /** Internal: staff only. */
  note: string | null;
  /** 公开回复: what Open311 shows citizens. */
  publicNote: string | null;
  attachments: string[];
  data: Record<string, unknown>;
}

/** An occurrence (one report folded into the case). */
export interface CaseOccurrence {
  id: string;
  source: string;
  sourceRef: string;
  /** Null for a report that named a place but gave no point (待定位). */
  lon: number | null;
  lat: number | null;
  description: string;
  reporter: string | null;
  reportedAt: string;
  attachments: string[];
  raw: unknown;
}

/** GET /api/v1/cases/{id}. */
export interface CaseDetail extends Omit<CaseItem, 'occurrences'> {
  routing: Record<string, unknown> | null;
  timeline: CaseTimelineEntry[];
  occurrences: CaseOccurrence[];
  allowedActions: string[];
}

/** A category of the catalog. */
export interface Category {
  code: string;
  zh: string;
  en: string;
  priority: string;
  departmentType: string;
}

/** An alarm (GET /api/v1/alarms). */
export interface Alarm {
  id: number;
  ruleId: string;
  ruleName: string;
  sensorId: string | null;
  sensorType: string | null;
  domain: string;
  severity: 'warning' | 'minor' | 'major' | 'critical';
  state: 'active' | 'acknowledged' | 'cleared';
  message: string;
  value: number | null;
  occurrences: number;
  raisedAt: string;
  firstSeenAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  clearedAt: string | null;
  clearedBy: string | null;
  countyCode: string | null;
  townshipCode: string | null;
}

/** A registered sensor. */
export interface Sensor {
  id: string;
  type: string;
  domain: string;
  lon: number;
  lat: number;
  jurisdiction: { province: string; county: string | null; township: string | null };
}

/** A sensor type of the catalog. */
export interface SensorType {
  code: string;
  domain: string;
  name: string;
  nameEn: string;
  unit: string;
  normal: { min: number | null; max: number | null };
}

/** A series point: raw (`value`) or bucketed (`avg`, `min`, `max`). */
export interface SeriesPoint {
  ts: string;
  value?: number;
  avg?: number;
  min?: number;
  max?: number;
}

/** GET /api/v1/sensors/{id}/series. */
export interface Series {
  sensor: string;
  unit: string;
  bucket: 'raw' | '1m' | '1h';
  truncated: boolean;
  points: SeriesPoint[];
}
