import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';

// In 北碚区 (500109), town/street 500109004.
const AT = { lon: 106.43, lat: 29.83 };
let app: FastifyInstance;
let admin: Record<string, string>;
let cameraKey: Record<string, string>;

beforeAll(async () => {
  app = await buildTestApp();
  admin = await signIn(app, { role: 'admin', scope: null });
  const { key } = await app.services.access.createKey({
    kind: 'camera',
    label: 'video platform',
    scope: '500109',
  });
  cameraKey = { 'x-api-key': key };
});
afterAll(async () => app.close());

describe('camera registry', () => {
  it('registers, reads, changes, lists and removes a camera with its jurisdiction chain', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cameras',
      headers: admin,
      payload: { id: 'BB-REG-1', name: '天生路口', ...AT, metadata: { model: 'DS-2CD' } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'BB-REG-1',
      jurisdiction: { province: '50', county: '500109', township: '500109004' },
    });
    const conflict = await app.inject({
      method: 'POST',
      url: '/api/v1/cameras',
      headers: admin,
      payload: { id: 'BB-REG-1', ...AT },
    });
    expect(conflict.json()).toMatchObject({ error: { code: 'CAMERA_CONFLICT' } });
    const patched = await app.inject({
      method: 'PATCH',
      url: '/api/v1/cameras/BB-REG-1',
      headers: admin,
      payload: { department: '北碚区城管局' },
    });
    expect(patched.json()).toMatchObject({ department: '北碚区城管局', name: '天生路口' });
    const list = await app.inject({ method: 'GET', url: '/api/v1/cameras?scope=500109', headers: admin });
    expect(list.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toContain('BB-REG-1');
    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/cameras/BB-REG-1', headers: admin });
    expect(removed.statusCode).toBe(204);
    const gone = await app.inject({ method: 'GET', url: '/api/v1/cameras/BB-REG-1', headers: admin });
    expect(gone.json()).toMatchObject({ error: { code: 'CAMERA_NOT_FOUND' } });
  });

  it('imports cameras from CSV with a per-row report', async () => {
    const csv = [
      'id,name,lon,lat,meta.model',
      `BB-IMP-1,路口一,${AT.lon},${AT.lat},X1`,
      `BB-IMP-2,,${AT.lon},${AT.lat},`,
      'BB-IMP-3,,abc,29.8,',
      'BB-IMP-1,dup,106.43,29.83,',
      'BB-IMP-4,北京,116.4,39.9,',
    ].join('\n');
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/cameras/import',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(response.json()).toMatchObject({
      imported: 2,
      rejected: [
        { row: 3, code: 'INVALID_CAMERA' },
        { row: 4, code: 'CAMERA_CONFLICT' },
        { row: 5, code: 'OUTSIDE_JURISDICTION' },
      ],
    });
    const one = await app.services.cameras.get('BB-IMP-1');
    expect(one.metadata).toEqual({ model: 'X1' });
  });
});

describe('detections → cases', () => {
  it('a street-vending sequence from a camera in 北碚区 opens one case, routed to its town/street', async () => {
    await app.services.cameras.create({ id: 'BB-TS-0001', name: '天生路与云华路口', ...AT });
    const t0 = Date.now() - 60_000;
    const detect = (ts: number, confidence = 0.92) => ({
      camera: 'BB-TS-0001',
      class: 'street_vending',
      confidence,
      ts,
      snapshotUrl: `https://video.example/snap/${ts}.jpg`,
      bbox: [10, 20, 200, 120],
    });
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/detections',
      headers: cameraKey,
      payload: detect(t0),
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ accepted: 1, results: [{ outcome: 'pending', caseId: null }] });
    const batch = await app.inject({
      method: 'POST',
      url: '/api/v1/detections',
      headers: cameraKey,
      payload: [
        detect(t0 + 20_000, 0.3),
        detect(t0 + 30_000),
        { camera: 'NOPE', class: 'street_vending' },
        detect(t0 + 45_000),
      ],
    });
    const report = batch.json<{
      results: { index: number; outcome: string; caseId: string | null }[];
      rejected: { index: number; code: string }[];
    }>();
    expect(report.rejected).toEqual([expect.objectContaining({ index: 2, code: 'INVALID_DETECTION' })]);
    expect(report.results.map((r) => r.outcome)).toEqual(['below_threshold', 'case_opened', 'case_opened']);
    const caseId = report.results[1]!.caseId!;
    const later = await app.inject({
      method: 'POST',
      url: '/api/v1/detections',
      headers: cameraKey,
      payload: [detect(t0 + 50_000), detect(t0 + 55_000)],
    });
    expect(later.json<{ results: { outcome: string; caseId: string }[] }>().results).toEqual([
      expect.objectContaining({ outcome: 'case_attached', caseId }),
      expect.objectContaining({ outcome: 'case_attached', caseId }),
    ]);
    const detail = await app.services.cases.getCase(caseId, EVERYTHING);
    expect(detail.record).toMatchObject({
      category: 'street_vending',
      source: 'camera',
      townshipCode: '500109004',
      countyCode: '500109',
      departmentType: 'township_office',
    });
    // One case for the whole sequence; the opening report and the later batch are its occurrences.
    expect(detail.occurrences).toHaveLength(2);
    const stored = await app.inject({
      method: 'GET',
      url: '/api/v1/cameras/BB-TS-0001/detections',
      headers: admin,
    });
    expect(stored.json<{ items: unknown[] }>().items).toHaveLength(6);
  });

  it('lists the class rules, and refuses cameras outside the key’s jurisdiction alone', async () => {
    const classes = await app.inject({ method: 'GET', url: '/api/v1/detection-classes', headers: admin });
    expect(classes.json<{ items: { class: string }[] }>().items).toHaveLength(8);
    await app.services.cameras.create({ id: 'YZ-1', lon: 106.5775, lat: 29.5576 });
    const outside = await app.inject({
      method: 'POST',
      url: '/api/v1/detections',
      headers: cameraKey,
      payload: [{ camera: 'YZ-1', class: 'fire_smoke', confidence: 0.9, ts: Date.now() }],
    });
    expect(outside.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'UNKNOWN_CAMERA' }] });
  });
});

describe('12345 hotline import', () => {
  it('opens cases from valid rows and refuses bad ones with row and line numbers', async () => {
    const csv = [
      '工单编号,事件类别,经度,纬度,地址,诉求内容,来电时间,来电人,紧急程度',
      `H-001,garbage_overflow,${AT.lon},${AT.lat},天生路12号,垃圾桶满了,2026-11-25 08:00,张先生,`,
      `H-002,no_such_category,${AT.lon},${AT.lat},,描述,2026-11-25 08:05,,`,
      `H-003,noise_nuisance,${AT.lon},abc,,描述,2026-11-25 08:05,,`,
      `H-004,noise_nuisance,${AT.lon},${AT.lat},,"多行\n描述",2026-11-25 08:10,,low`,
      `H-001,garbage_overflow,${AT.lon},${AT.lat},,重复,2026-11-25 08:11,,`,
      `H-005,noise_nuisance,116.4,39.9,,北京,2026-11-25 08:12,,`,
      `H-006,noise_nuisance,${AT.lon},${AT.lat},,时间不对,yesterday,,`,
    ].join('\n');
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/intake/hotline',
        headers: { ...admin, 'content-type': 'text/csv' },
        payload: csv,
      });
    const response = await send();
    expect(response.statusCode).toBe(200);
    const report = response.json<{
      opened: number;
      attached: number;
      rejected: { row: number; line: number; code: string }[];
    }>();
    expect(report.opened + report.attached).toBe(2);
    expect(report.rejected.map((r) => [r.row, r.line, r.code])).toEqual([
      [2, 3, 'UNKNOWN_CASE_CATEGORY'],
      [3, 4, 'INVALID_HOTLINE_RECORD'],
      [5, 7, 'DUPLICATE_HOTLINE_RECORD'],
      [6, 8, 'OUTSIDE_JURISDICTION'],
      [7, 9, 'INVALID_HOTLINE_RECORD'],
    ]);
    const stored = await app.storage.repositories.intake.hotline('H-001');
    const detail = await app.services.cases.getCase(stored!.caseId, EVERYTHING);
    expect(detail.record).toMatchObject({ source: 'hotline', category: 'garbage_overflow' });
    expect(detail.record.reportedAt).toBe(Date.parse('2026-11-25T00:00:00Z'));
    // The same export again opens nothing new.
    const again = (await send()).json<{ opened: number; attached: number; rejected: { code: string }[] }>();
    expect(again.opened + again.attached).toBe(0);
    expect(again.rejected.filter((r) => r.code === 'DUPLICATE_HOTLINE_RECORD')).toHaveLength(3);
  });

  it('refuses a file without the required columns as a whole', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/intake/hotline',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'record_no,category\nX,street_vending\n',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_IMPORT_FILE' } });
  });
});
