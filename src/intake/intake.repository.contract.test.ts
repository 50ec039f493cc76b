import { expect, it } from 'vitest';
import { describeContract } from '../test-support/engines.js';
import { buildCamera } from './intake.fixtures.js';
import type { NewDetection, NewOpen311Request } from './intake.repository.js';

const detection = (overrides: Partial<NewDetection> = {}): NewDetection => ({
  camera: 'CAM-A',
  class: 'street_vending',
  confidence: 0.9,
  ts: 1_000,
  snapshotUrl: null,
  qualified: true,
  outcome: 'pending',
  caseId: null,
  receivedAt: 5_000,
  raw: { camera: 'CAM-A', bbox: [1, 2, 3, 4] },
  ...overrides,
});

const request = (overrides: Partial<NewOpen311Request> = {}): NewOpen311Request => ({
  token: `tok-${Math.random()}`,
  caseId: 'C-1',
  serviceCode: 'road_damage',
  description: '坑',
  lon: 106.5,
  lat: 29.5,
  address: null,
  mediaUrl: null,
  requestedAt: 10_000,
  raw: { service_code: 'road_damage' },
  ...overrides,
});

describeContract('CameraRepository', (ctx) => {
  const repo = () => ctx().repositories.cameras;

  it('inserts, reads, updates, lists by scope and deletes', async () => {
    const a = buildCamera({ id: 'R-A', metadata: { model: 'x' } });
    await repo().insert(a);
    await repo().insertMany([buildCamera({ id: 'R-B', countyCode: '500103', townshipCode: '500103001' })]);
    expect(await repo().get('R-A')).toEqual(a);
    await expect(repo().insert(a)).rejects.toMatchObject({ code: 'CAMERA_CONFLICT' });
    const updated = await repo().update({
      ...a,
      name: null,
      department: 'd',
      updatedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(updated).toMatchObject({ name: null, department: 'd', updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(await repo().update(buildCamera({ id: 'nope' }))).toBeNull();
    const page = await repo().list({ scope: { level: 'county', code: '500109' }, limit: 10, offset: 0 });
    expect(page.items.map((c) => c.id)).toContain('R-A');
    expect(page.items.map((c) => c.id)).not.toContain('R-B');
    expect(await repo().existing(['R-A', 'R-B', 'R-C'])).toEqual(new Set(['R-A', 'R-B']));
    expect(await repo().delete('R-A')).toBe(true);
    expect(await repo().delete('R-A')).toBe(false);
    expect(await repo().get('R-A')).toBeNull();
  });
});

describeContract('IntakeRepository', (ctx) => {
  const repo = () => ctx().repositories.intake;

  it('stores detections raw and finds the qualified ones in a window', async () => {
    const seqs = await repo().insertDetections([
      detection({ ts: 1_000 }),
      detection({ ts: 2_000, qualified: false, outcome: 'below_threshold' }),
      detection({ ts: 3_000 }),
      detection({ ts: 3_000, class: 'fire_smoke' }),
    ]);
    expect(seqs).toHaveLength(4);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const window = await repo().qualifiedDetections('CAM-A', 'street_vending', 1_000, 3_000, 10);
    expect(window.map((d) => d.ts)).toEqual([1_000, 3_000]);
    expect(window[0]).toMatchObject({ qualified: true, raw: { camera: 'CAM-A', bbox: [1, 2, 3, 4] } });
    await repo().setDetectionOutcome([seqs[0]!, seqs[2]!], 'case_opened', 'C-9');
    const recent = await repo().recentDetections('CAM-A', 2);
    expect(recent.map((d) => [d.ts, d.outcome, d.caseId])).toEqual([
      [3_000, 'pending', null],
      [3_000, 'case_opened', 'C-9'],
    ]);
  });

  it('links cameras and alarms to cases idempotently', async () => {
    expect(await repo().cameraCase('CAM-L', 'street_vending')).toBeNull();
    await repo().setCameraCase('CAM-L', 'street_vending', 'C-1', 1);
    await repo().setCameraCase('CAM-L', 'street_vending', 'C-2', 2);
    expect(await repo().cameraCase('CAM-L', 'street_vending')).toBe('C-2');
    expect(await repo().insertAlarmCase(42, 'C-3', 1)).toBe(true);
    expect(await repo().insertAlarmCase(42, 'C-4', 2)).toBe(false);
    expect(await repo().alarmCase(42)).toBe('C-3');
    expect(await repo().alarmCase(43)).toBeNull();
  });

  it('stores Open311 requests and finds them by id, token and filters', async () => {
    const a = await repo().insertOpen311(request({ token: 't-a', requestedAt: 10_000 }));
    const b = await repo().insertOpen311(
      request({ token: 't-b', caseId: 'C-2', serviceCode: 'street_vending', requestedAt: 20_000 }),
    );
    expect(b.id).toBeGreaterThan(a.id);
    expect(await repo().open311ById(a.id)).toEqual(a);
    expect(await repo().open311ByToken('t-b')).toEqual(b);
    expect(await repo().open311ByToken('t-none')).toBeNull();
    const ids = (q: Parameters<ReturnType<typeof repo>['listOpen311']>[0]) =>
      repo()
        .listOpen311(q)
        .then((rows) => rows.map((r) => r.token));
    expect(await ids({ ids: [a.id, b.id], limit: 10 })).toEqual(['t-b', 't-a']);
    expect(await ids({ serviceCodes: ['road_damage'], limit: 10 })).toEqual(['t-a']);
    expect(await ids({ serviceCodes: ['road_damage', 'street_vending'], limit: 10 })).toEqual(['t-b', 't-a']);
    expect(await ids({ before: { requestedAt: b.requestedAt, id: b.id }, limit: 10 })).toEqual(['t-a']);
    expect(await ids({ caseIds: [b.caseId], limit: 10 })).toEqual(['t-b']);
    expect(await ids({ from: 15_000, limit: 10 })).toEqual(['t-b']);
    expect(await ids({ to: 15_000, limit: 10 })).toEqual(['t-a']);
  });

  it('stores an Open311 request given by address alone, without a point (0018)', async () => {
    const a = await repo().insertOpen311(
      request({ token: 't-addr', lon: null, lat: null, address: '渝中区解放碑步行街 12 号' }),
    );
    expect(await repo().open311ById(a.id)).toMatchObject({
      lon: null,
      lat: null,
      address: '渝中区解放碑步行街 12 号',
    });
    // The rebuilt SQLite table keeps counting ids where the old one stopped.
    const b = await repo().insertOpen311(request({ token: 't-after' }));
    expect(b.id).toBeGreaterThan(a.id);
  });

  it('stores hotline records once per number', async () => {
    const record = { recordNo: 'H-1', caseId: 'C-1', importedAt: 1, raw: { 诉求内容: '噪声' } };
    expect(await repo().insertHotline(record)).toBe(true);
    expect(await repo().insertHotline({ ...record, caseId: 'C-2' })).toBe(false);
    expect(await repo().hotline('H-1')).toEqual(record);
    expect(await repo().hotline('H-2')).toBeNull();
  });
});
