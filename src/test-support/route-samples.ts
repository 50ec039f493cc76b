import type { InjectOptions } from 'fastify';
import { CASE_SAMPLES } from '../cases/case.route-samples.js';
import { INTAKE_SAMPLES } from '../intake/intake.route-samples.js';
import { LIVE_SAMPLES } from '../live/live.route-samples.js';

/** Where a caller works and what lies inside and outside it, for building sample requests. */
export interface SampleContext {
  /** A township inside the caller's scope, and its county (or zone). */
  inside: { township: string; county: string; lon: number; lat: number };
  /** A township outside the caller's scope and its county; null for callers who see everything. */
  outside: { township: string; county: string; lon: number; lat: number } | null;
  /** A unique suffix for things the sample creates. */
  unique: string;
  /** Creates something the sample needs first (e.g. a key to revoke) and returns its id. */
  createKey(scope: string): Promise<string>;
  /** Creates a viewer working in a county (e.g. one to unlock) and returns its id. */
  createUser(scope: string): Promise<string>;
  /** Registers a sensor at a point (inside or outside) and returns its id. */
  createSensor(at: { lon: number; lat: number }): Promise<string>;
  /** Raises an alarm on a new gas sensor at a point and returns the alarm's id. */
  createAlarm(at: { lon: number; lat: number }): Promise<number>;
  /** Creates an alarm rule attached to a township and returns its id. */
  createRule(township: string): Promise<string>;
  /** Creates a maintenance window over a township and returns its id. */
  createWindow(township: string): Promise<string>;
  /** Opens a case at a point (through the intake pipeline) and returns its id. */
  createCase(at: { lon: number; lat: number }): Promise<string>;
  /** Registers an AI camera at a point and returns its id. */
  createCamera?(at: { lon: number; lat: number }): Promise<string>;
}

/** How the authorization matrix exercises one route. */
export interface RouteSample {
  /** A request about something inside the caller's scope. */
  inside(ctx: SampleContext): Promise<InjectOptions> | InjectOptions;
  /** The same about something outside it; omitted when the route has nothing scoped. */
  outside?(ctx: SampleContext): Promise<InjectOptions> | InjectOptions;
  /** Status expected for `outside` (default 404: hidden records do not leak). */
  outsideStatus?: number;
  /** For lists: the jurisdiction codes a response shows, each of which must be visible. */
  codes?(body: unknown): string[];
  /** The request ends the caller's session (logout): sign in afresh for it. */
  endsSession?: boolean;
}

const items = (body: unknown): { code: string }[] => (body as { items: { code: string }[] }).items;
const features = (body: unknown): string[] =>
  (body as { features: { properties: { code: string } }[] }).features.map((f) => f.properties.code);

/**
 * One sample per policed route, keyed "METHOD /url". The authorization matrix fails for a route
 * that has none, so a domain that adds a route adds its sample here.
 */
export const ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /healthz': { inside: () => ({ method: 'GET', url: '/healthz' }) },
  'GET /metrics': { inside: () => ({ method: 'GET', url: '/metrics' }) },
  'POST /api/v1/auth/login': {
    inside: () => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'x' },
    }),
  },
  'POST /api/v1/auth/refresh': {
    inside: () => ({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'cor_unknown' } }),
  },
  'POST /api/v1/auth/logout': {
    inside: () => ({ method: 'POST', url: '/api/v1/auth/logout' }),
    endsSession: true,
  },
  'GET /api/v1/auth/me': { inside: () => ({ method: 'GET', url: '/api/v1/auth/me' }) },
  'GET /api/v1/auth/demo-users': { inside: () => ({ method: 'GET', url: '/api/v1/auth/demo-users' }) },
  'GET /api/v1/users': { inside: () => ({ method: 'GET', url: '/api/v1/users' }) },
  'POST /api/v1/users': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: `m-${c.unique}`,
        password: 'long-enough-pw',
        role: 'viewer',
        scope: c.inside.county,
      },
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: `o-${c.unique}`,
        password: 'long-enough-pw',
        role: 'viewer',
        scope: c.outside!.county,
      },
    }),
    outsideStatus: 422,
  },
  'POST /api/v1/users/:id/unlock': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/users/${await c.createUser(c.inside.county)}/unlock`,
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/users/${await c.createUser(c.outside!.county)}/unlock`,
    }),
  },
  'GET /api/v1/keys': { inside: () => ({ method: 'GET', url: '/api/v1/keys' }) },
  'POST /api/v1/keys': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/keys',
      payload: { kind: 'device', scope: c.inside.county },
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/keys',
      payload: { kind: 'device', scope: c.outside!.county },
    }),
    outsideStatus: 422,
  },
  'DELETE /api/v1/keys/:id': {
    inside: async (c) => ({ method: 'DELETE', url: `/api/v1/keys/${await c.createKey(c.inside.county)}` }),
    outside: async (c) => ({ method: 'DELETE', url: `/api/v1/keys/${await c.createKey(c.outside!.county)}` }),
  },
  'GET /api/v1/jurisdictions': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/jurisdictions?level=township&parent=${c.inside.county}` }),
    outside: (c) => ({
      method: 'GET',
      url: `/api/v1/jurisdictions?level=township&parent=${c.outside!.county}`,
    }),
    codes: (body) => items(body).map((i) => i.code),
  },
  'GET /api/v1/jurisdictions/lookup': {
    inside: (c) => ({
      method: 'GET',
      url: `/api/v1/jurisdictions/lookup?lon=${c.inside.lon}&lat=${c.inside.lat}`,
    }),
    outside: (c) => ({
      method: 'GET',
      url: `/api/v1/jurisdictions/lookup?lon=${c.outside!.lon}&lat=${c.outside!.lat}`,
    }),
  },
  'GET /api/v1/jurisdictions/geojson': {
    inside: (c) => ({
      method: 'GET',
      url: `/api/v1/jurisdictions/geojson?level=township&parent=${c.inside.county}`,
    }),
    outside: (c) => ({
      method: 'GET',
      url: `/api/v1/jurisdictions/geojson?level=township&parent=${c.outside!.county}`,
    }),
    codes: features,
  },
  'GET /api/v1/jurisdictions/:code': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/jurisdictions/${c.inside.township}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/jurisdictions/${c.outside!.township}` }),
  },
  'GET /api/v1/sensor-types': { inside: () => ({ method: 'GET', url: '/api/v1/sensor-types' }) },
  'GET /api/v1/sensors': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/sensors?scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/sensors?scope=${c.outside!.county}` }),
    codes: (body) =>
      (body as { items: { jurisdiction: { township: string | null; county: string | null } }[] }).items.map(
        (s) => s.jurisdiction.township ?? s.jurisdiction.county ?? '',
      ),
  },
  'POST /api/v1/sensors': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/sensors',
      payload: { id: `m-in-${c.unique}`, type: 'water_main_pressure', lon: c.inside.lon, lat: c.inside.lat },
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/sensors',
      payload: {
        id: `m-out-${c.unique}`,
        type: 'water_main_pressure',
        lon: c.outside!.lon,
        lat: c.outside!.lat,
      },
    }),
  },
  'POST /api/v1/sensors/import': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/sensors/import',
      headers: { 'content-type': 'text/csv' },
      payload: `id,type,lon,lat\nm-imp-${c.unique},tunnel_co,${c.inside.lon},${c.inside.lat}\n`,
    }),
  },
  'GET /api/v1/sensors/:id': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/sensors/${await c.createSensor(c.inside)}` }),
    outside: async (c) => ({ method: 'GET', url: `/api/v1/sensors/${await c.createSensor(c.outside!)}` }),
  },
  'PATCH /api/v1/sensors/:id': {
    inside: async (c) => ({
      method: 'PATCH',
      url: `/api/v1/sensors/${await c.createSensor(c.inside)}`,
      payload: { department: 'matrix' },
    }),
    outside: async (c) => ({
      method: 'PATCH',
      url: `/api/v1/sensors/${await c.createSensor(c.outside!)}`,
      payload: { department: 'matrix' },
    }),
  },
  'DELETE /api/v1/sensors/:id': {
    inside: async (c) => ({ method: 'DELETE', url: `/api/v1/sensors/${await c.createSensor(c.inside)}` }),
    outside: async (c) => ({ method: 'DELETE', url: `/api/v1/sensors/${await c.createSensor(c.outside!)}` }),
  },
  'POST /api/v1/telemetry': {
    inside: async (c) => ({
      method: 'POST',
      url: '/api/v1/telemetry',
      payload: { readings: [{ sensor: await c.createSensor(c.inside), ts: Date.now(), value: 0.3 }] },
    }),
    outside: async (c) => ({
      method: 'POST',
      url: '/api/v1/telemetry',
      payload: { readings: [{ sensor: await c.createSensor(c.outside!), ts: Date.now(), value: 0.3 }] },
    }),
    // The batch is answered; the reading for a sensor outside is refused alone as UNKNOWN_SENSOR.
    outsideStatus: 202,
  },
  'GET /api/v1/sensors/:id/latest': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/sensors/${await c.createSensor(c.inside)}/latest` }),
    outside: async (c) => ({
      method: 'GET',
      url: `/api/v1/sensors/${await c.createSensor(c.outside!)}/latest`,
    }),
  },
  'GET /api/v1/sensors/:id/series': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/sensors/${await c.createSensor(c.inside)}/series` }),
    outside: async (c) => ({
      method: 'GET',
      url: `/api/v1/sensors/${await c.createSensor(c.outside!)}/series`,
    }),
  },
  'GET /api/v1/vitals': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/vitals?scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/vitals?scope=${c.outside!.county}` }),
    codes: (body) => {
      const v = body as { scope: { code: string }; units: { code: string }[] };
      return [v.scope.code, ...v.units.map((u) => u.code)];
    },
  },
  'GET /api/v1/alarm-rules': { inside: () => ({ method: 'GET', url: '/api/v1/alarm-rules' }) },
  'POST /api/v1/alarm-rules': {
    inside: (c) => ({ method: 'POST', url: '/api/v1/alarm-rules', payload: matrixRule(c.inside.township) }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/alarm-rules',
      payload: matrixRule(c.outside!.township),
    }),
    outsideStatus: 422,
  },
  'POST /api/v1/alarm-rules/dry-run': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/alarm-rules/dry-run',
      payload: matrixRule(c.inside.township),
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/alarm-rules/dry-run',
      payload: matrixRule(c.outside!.township),
    }),
    outsideStatus: 422,
  },
  'GET /api/v1/alarm-rules/:id': {
    inside: async (c) => ({
      method: 'GET',
      url: `/api/v1/alarm-rules/${await c.createRule(c.inside.township)}`,
    }),
    outside: async (c) => ({
      method: 'GET',
      url: `/api/v1/alarm-rules/${await c.createRule(c.outside!.township)}`,
    }),
  },
  'PATCH /api/v1/alarm-rules/:id': {
    inside: async (c) => ({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${await c.createRule(c.inside.township)}`,
      payload: { enabled: false },
    }),
    outside: async (c) => ({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${await c.createRule(c.outside!.township)}`,
      payload: { enabled: false },
    }),
  },
  'DELETE /api/v1/alarm-rules/:id': {
    inside: async (c) => ({
      method: 'DELETE',
      url: `/api/v1/alarm-rules/${await c.createRule(c.inside.township)}`,
    }),
    outside: async (c) => ({
      method: 'DELETE',
      url: `/api/v1/alarm-rules/${await c.createRule(c.outside!.township)}`,
    }),
  },
  'POST /api/v1/alarm-rules/:id/dry-run': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarm-rules/${await c.createRule(c.inside.township)}/dry-run`,
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarm-rules/${await c.createRule(c.outside!.township)}/dry-run`,
    }),
  },
  'GET /api/v1/alarms': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/alarms?scope=${c.inside.township}&state=active,cleared` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/alarms?scope=${c.outside!.township}` }),
    codes: (body) =>
      (body as { items: { townshipCode: string | null; countyCode: string }[] }).items.map(
        (a) => a.townshipCode ?? a.countyCode,
      ),
  },
  'GET /api/v1/alarms/:id': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/alarms/${await c.createAlarm(c.inside)}` }),
    outside: async (c) => ({ method: 'GET', url: `/api/v1/alarms/${await c.createAlarm(c.outside!)}` }),
  },
  'POST /api/v1/alarms/:id/ack': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.inside)}/ack`,
      payload: {},
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.outside!)}/ack`,
      payload: {},
    }),
  },
  'POST /api/v1/alarms/:id/clear': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.inside)}/clear`,
      payload: { note: '现场确认' },
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.outside!)}/clear`,
      payload: {},
    }),
  },
  'GET /api/v1/alarms/:id/comments': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/alarms/${await c.createAlarm(c.inside)}/comments` }),
    outside: async (c) => ({
      method: 'GET',
      url: `/api/v1/alarms/${await c.createAlarm(c.outside!)}/comments`,
    }),
  },
  'POST /api/v1/alarms/:id/comments': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.inside)}/comments`,
      payload: { text: '已派人' },
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/alarms/${await c.createAlarm(c.outside!)}/comments`,
      payload: { text: '已派人' },
    }),
  },
  'GET /api/v1/maintenance-windows': {
    inside: () => ({ method: 'GET', url: '/api/v1/maintenance-windows' }),
  },
  'POST /api/v1/maintenance-windows': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/maintenance-windows',
      payload: matrixWindow(c.inside.township),
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/maintenance-windows',
      payload: matrixWindow(c.outside!.township),
    }),
    outsideStatus: 422,
  },
  'DELETE /api/v1/maintenance-windows/:id': {
    inside: async (c) => ({
      method: 'DELETE',
      url: `/api/v1/maintenance-windows/${await c.createWindow(c.inside.township)}`,
    }),
    outside: async (c) => ({
      method: 'DELETE',
      url: `/api/v1/maintenance-windows/${await c.createWindow(c.outside!.township)}`,
    }),
  },
  ...CASE_SAMPLES,
  ...INTAKE_SAMPLES,
  ...LIVE_SAMPLES,
};

/** An alarm rule body attached to a township. */
export function matrixRule(township: string) {
  return {
    name: '矩阵测试规则',
    kind: 'threshold',
    sensorType: 'gas_concentration',
    jurisdiction: township,
    severity: 'minor',
    params: { op: 'above', value: 40 },
  };
}

/** A maintenance window body over a township, tomorrow (so it silences none of the matrix's alarms). */
export function matrixWindow(township: string) {
  return {
    jurisdiction: township,
    startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    endsAt: new Date(Date.now() + 90_000_000).toISOString(),
    reason: '矩阵测试',
  };
}
