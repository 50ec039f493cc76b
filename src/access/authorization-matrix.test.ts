import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import {
  ROUTE_SAMPLES,
  matrixRule,
  matrixWindow,
  type SampleContext,
} from '../test-support/route-samples.js';
import type { RuleCreate } from '../alarms/alarm.schema.js';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { installAccessControl, type RouteEntry } from './policy.js';
import { KEY_PERMISSIONS, ROLE_PERMISSIONS, type KeyKind, type Permission, type Role } from './roles.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';

// The authorization matrix: every policed route × every role and key kind × a unit inside and one
// outside the caller's scope. It is generated from the app's own route table, so a route added
// later is covered automatically (and fails here until it has a sample in route-samples.ts).

interface Caller {
  label: string;
  role: Role | KeyKind | 'anonymous';
  scope: string | null;
  inside: string;
  outside: string | null;
  department?: string;
}

const CALLERS: Caller[] = [
  { label: 'anonymous', role: 'anonymous', scope: null, inside: '500109001', outside: null },
  { label: 'admin (everywhere)', role: 'admin', scope: null, inside: '500109001', outside: null },
  {
    label: 'city commander 重庆市',
    role: 'city_commander',
    scope: '50',
    inside: '500109001',
    outside: '510104017',
  },
  {
    label: 'county commander 北碚区',
    role: 'county_commander',
    scope: '500109',
    inside: '500109001',
    outside: '500103001',
  },
  {
    label: 'township operator 天生街道',
    role: 'township_operator',
    scope: '500109001',
    inside: '500109001',
    outside: '500109002',
  },
  {
    label: 'department handler 北碚区 water',
    role: 'department_handler',
    scope: '500109',
    department: 'water',
    inside: '500109003',
    outside: '500103001',
  },
  { label: 'viewer 渝中区', role: 'viewer', scope: '500103', inside: '500103001', outside: '500109001' },
  { label: 'device key 北碚区', role: 'device', scope: '500109', inside: '500109001', outside: '500103001' },
  { label: 'camera key 北碚区', role: 'camera', scope: '500109', inside: '500109001', outside: '500103001' },
  { label: 'open311 key', role: 'open311', scope: null, inside: '500109001', outside: null },
];

let app: FastifyInstance;
let service: JurisdictionService;
const headers = new Map<string, Record<string, string>>();
let unique = 0;

/** A point inside a township, found by scanning its bounding box (polygons may be concave). */
function pointIn(code: string): { lon: number; lat: number } {
  const feature = service
    .geojson({ level: 'township', parent: code.slice(0, 6) })
    .features.find((f) => f.id === code)!;
  const ring = feature.geometry.coordinates[0]![0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  for (let i = 1; i < 20; i++) {
    for (let j = 1; j < 20; j++) {
      const lon = Math.min(...xs) + ((Math.max(...xs) - Math.min(...xs)) * i) / 20;
      const lat = Math.min(...ys) + ((Math.max(...ys) - Math.min(...ys)) * j) / 20;
      if (service.locate(lon, lat) === code) return { lon, lat };
    }
  }
  throw new Error(`no point found in ${code}`);
}

function permitted(caller: Caller, route: RouteEntry): boolean {
  if ('public' in route.policy) return true;
  if (caller.role === 'anonymous') return false;
  if ('authenticated' in route.policy) return true;
  const permissions: readonly Permission[] =
    caller.role in ROLE_PERMISSIONS
      ? ROLE_PERMISSIONS[caller.role as Role]
      : KEY_PERMISSIONS[caller.role as KeyKind];
  return permissions.includes(route.policy.permission);
}

async function headersFor(caller: Caller, fresh = false): Promise<Record<string, string>> {
  if (caller.role === 'anonymous') return {};
  const cached = headers.get(caller.label);
  if (cached && !fresh) return cached;
  let value: Record<string, string>;
  if (caller.role === 'device' || caller.role === 'camera' || caller.role === 'open311') {
    const { key } = await app.services.access.createKey({
      kind: caller.role,
      label: caller.label,
      scope: caller.scope,
    });
    value = { 'x-api-key': key };
  } else {
    value = await signIn(app, {
      role: caller.role,
      scope: caller.scope,
      ...(caller.department ? { department: caller.department } : {}),
    });
  }
  if (!fresh) headers.set(caller.label, value);
  return value;
}

function context(caller: Caller): SampleContext {
  const unit = (township: string) => ({
    township,
    county: service.units.get(township)!.parent!,
    ...pointIn(township),
  });
  return {
    inside: unit(caller.inside),
    outside: caller.outside ? unit(caller.outside) : null,
    unique: `${++unique}`,
    createKey: async (scope) =>
      (await app.services.access.createKey({ kind: 'device', label: 'matrix', scope })).record.id,
    createUser: async (scope) =>
      (
        await app.services.access.createUser({
          username: `matrix-${++unique}`,
          password: 'correct-horse-battery',
          role: 'viewer',
          scope,
        })
      ).id,
    createSensor: async ({ lon, lat }) =>
      (await app.services.sensors.create({ id: `m-${++unique}`, type: 'water_main_pressure', lon, lat })).id,
    createAlarm: async ({ lon, lat }) => {
      const sensor = await app.services.sensors.create({
        id: `m-${++unique}`,
        type: 'gas_concentration',
        lon,
        lat,
      });
      await app.services.ingest.ingest([{ sensor: sensor.id, ts: Date.now(), value: 60 }], EVERYTHING);
      await app.services.bus.drain();
      return app.services.alarmEngine.openAlarms().find((a) => a.sensorId === sensor.id)!.id;
    },
    createRule: async (township) =>
      (
        await app.services.alarms.createRule(matrixRule(township) as RuleCreate, {
          name: 'matrix',
          visible: EVERYTHING,
        })
      ).id,
    createWindow: async (township) =>
      (
        await app.services.alarms.createWindow(matrixWindow(township), {
          name: 'matrix',
          visible: EVERYTHING,
        })
      ).id,
    createCase: async ({ lon, lat }) =>
      (
        await app.services.cases.report(
          {
            source: 'operator',
            sourceRef: `matrix-${++unique}`,
            category: 'street_vending',
            lon,
            lat,
            description: '矩阵测试',
            reportedAt: Date.now(),
            raw: null,
          },
          EVERYTHING,
        )
      ).caseId,
    createCamera: async ({ lon, lat }) =>
      (await app.services.cameras.create({ id: `m-cam-${++unique}`, lon, lat })).id,
  };
}

async function send(options: InjectOptions, extra: Record<string, string>) {
  const response = await app.inject({ ...options, headers: { ...(options.headers as object), ...extra } });
  const body: unknown = response.headers['content-type']?.toString().includes('json')
    ? response.json()
    : response.body;
  return {
    status: response.statusCode,
    body,
    code: (body as { error?: { code?: string } } | null)?.error?.code,
  };
}

beforeAll(async () => {
  app = await buildTestApp();
  service = app.services.jurisdictions;
});
afterAll(async () => app.close());

describe('authorization matrix', () => {
  it('covers every policed route with a sample', () => {
    const missing = app.routeTable.map((r) => `${r.method} ${r.url}`).filter((key) => !ROUTE_SAMPLES[key]);
    expect(missing, 'add a sample to src/test-support/route-samples.ts for each of these').toEqual([]);
    expect(app.routeTable.length).toBeGreaterThanOrEqual(15);
  });

  it('refuses to start an app with an /api route that has no policy', async () => {
    const bare = Fastify();
    installAccessControl(bare, app.services.access);
    expect(() => bare.get('/api/v1/forgotten', async () => ({}))).toThrow(/has no access policy/);
    await bare.close();
  });

  for (const caller of CALLERS) {
    it(`${caller.label}: allowed inside, 404 outside, 403 without the permission, 401 anonymous`, async () => {
      const failures: string[] = [];
      for (const route of app.routeTable) {
        const sample = ROUTE_SAMPLES[`${route.method} ${route.url}`]!;
        const ctx = context(caller);
        const auth = await headersFor(caller, sample.endsSession);
        const where = `${route.method} ${route.url}`;
        const inside = await send(await sample.inside(ctx), auth);
        if (!permitted(caller, route)) {
          const expected = caller.role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
          if (inside.code !== expected) {
            failures.push(`${where}: expected ${expected}, got ${inside.status} ${inside.code}`);
          }
          continue;
        }
        if (inside.status === 403 || inside.code === 'UNAUTHENTICATED' || inside.status >= 500) {
          failures.push(`${where} inside: got ${inside.status} ${inside.code}`);
          continue;
        }
        if ('permission' in route.policy && inside.status >= 400) {
          failures.push(`${where} inside: expected success, got ${inside.status} ${inside.code}`);
        }
        if (sample.codes && inside.status === 200) {
          const hidden = sample
            .codes(inside.body)
            .filter((code) => caller.scope && !service.units.isWithin(code, caller.scope));
          if (hidden.length > 0) failures.push(`${where} inside: shows ${hidden.length} units outside scope`);
        }
        if (sample.outside && ctx.outside) {
          const outside = await send(await sample.outside(ctx), auth);
          const expected = sample.outsideStatus ?? 404;
          if (sample.codes && outside.status === 200) {
            // A list above the caller's scope (a township operator listing its county) answers,
            // filtered: it must show nothing outside the scope.
            const shown = sample.codes(outside.body);
            if (shown.some((code) => caller.scope && !service.units.isWithin(code, caller.scope))) {
              failures.push(`${where} outside: shows units outside scope`);
            }
          } else if (outside.status !== expected) {
            failures.push(`${where} outside: expected ${expected}, got ${outside.status} ${outside.code}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
