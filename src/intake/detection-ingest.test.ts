import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { MIGRATIONS } from '../storage.js';
import type { CameraRecord } from '../devices/camera.repository.js';
import { DetectionIngest } from './detection-ingest.js';
import { DEFAULT_DETECTION_RULES } from './detection-rules.js';
import { buildCamera, FakeCases } from './intake.fixtures.js';
import { SqliteIntakeRepository } from './intake.repository.sqlite.js';

const T0 = Date.parse('2026-11-25T08:00:00Z');

let database: SqliteDatabase;
let cases: FakeCases;
let now: number;
let camera: CameraRecord;
let ingest: DetectionIngest;

beforeEach(async () => {
  database = openSqlite(':memory:');
  await migrate(database, MIGRATIONS);
  cases = new FakeCases();
  now = T0 + 3_600_000;
  camera = buildCamera({ id: 'BB-TS-0001' });
  const cameras = new Map([[camera.id, camera]]);
  ingest = new DetectionIngest({
    repository: new SqliteIntakeRepository(database),
    cameras: { find: async (id) => cameras.get(id) ?? null },
    cases,
    rules: DEFAULT_DETECTION_RULES,
    clock: () => now,
  });
});
afterEach(async () => database.close());

const vending = (ts: number, confidence = 0.9) => ({
  camera: 'BB-TS-0001',
  class: 'street_vending',
  confidence,
  ts,
  snapshotUrl: `https://cams.example/s/${ts}.jpg`,
});

describe('DetectionIngest persistence rule', () => {
  it('opens one case after the third vending detection within two minutes, not before', async () => {
    const first = await ingest.ingest([vending(T0)], EVERYTHING);
    now += 40_000;
    const second = await ingest.ingest([vending(T0 + 40_000)], EVERYTHING);
    expect([first.results[0]?.outcome, second.results[0]?.outcome]).toEqual(['pending', 'pending']);
    expect(cases.reports).toHaveLength(0);
    now += 40_000;
    const third = await ingest.ingest([vending(T0 + 80_000)], EVERYTHING);
    expect(third.results[0]).toMatchObject({ outcome: 'case_opened', caseId: 'C-1' });
    expect(cases.reports).toHaveLength(1);
    const report = cases.reports[0]!;
    expect(report).toMatchObject({
      source: 'camera',
      category: 'street_vending',
      lon: camera.lon,
      lat: camera.lat,
      reportedAt: T0 + 80_000,
    });
    expect(report.raw).toHaveLength(3);
    expect(report.attachments).toHaveLength(3);
  });

  it('does not count detections spread wider than the window, or below the confidence threshold', async () => {
    await ingest.ingest([vending(T0), vending(T0 + 150_000), vending(T0 + 300_000)], EVERYTHING);
    const low = await ingest.ingest([vending(T0 + 310_000, 0.3), vending(T0 + 320_000, 0.59)], EVERYTHING);
    expect(low.results.map((r) => r.outcome)).toEqual(['below_threshold', 'below_threshold']);
    expect(cases.reports).toHaveLength(0);
  });

  it('attaches later detections of the same camera to the open case, and opens a new one once it is closed', async () => {
    await ingest.ingest([vending(T0), vending(T0 + 10_000), vending(T0 + 20_000)], EVERYTHING);
    const later = await ingest.ingest([vending(T0 + 60_000), vending(T0 + 70_000)], EVERYTHING);
    expect(later.results.map((r) => [r.outcome, r.caseId])).toEqual([
      ['case_attached', 'C-1'],
      ['case_attached', 'C-1'],
    ]);
    // One report per batch for the open case, not one per detection.
    expect(cases.reports).toHaveLength(2);
    cases.close('C-1');
    const single = await ingest.ingest([vending(T0 + 600_000)], EVERYTHING);
    expect(single.results[0]?.outcome).toBe('pending');
    const burst = await ingest.ingest([vending(T0 + 610_000), vending(T0 + 620_000)], EVERYTHING);
    // The third qualifying detection in two minutes opens the case; all three in the window are on it.
    expect(burst.results.map((r) => r.outcome)).toEqual(['case_opened', 'case_opened']);
    expect(burst.results[0]?.caseId).toBe('C-2');
  });

  it('does not count detections a closed case already took when the rule is met again', async () => {
    await ingest.ingest([vending(T0), vending(T0 + 10_000), vending(T0 + 20_000)], EVERYTHING);
    cases.close('C-1');
    // Within two minutes of the three that opened C-1, one new detection is not three.
    const single = await ingest.ingest([vending(T0 + 30_000)], EVERYTHING);
    expect(single.results[0]?.outcome).toBe('pending');
    expect(cases.reports).toHaveLength(1);
  });

  it('opens a fire_smoke case from one detection', async () => {
    const report = await ingest.ingest(
      [{ camera: 'BB-TS-0001', class: 'fire_smoke', confidence: 0.8, ts: T0 }],
      EVERYTHING,
    );
    expect(report.results[0]).toMatchObject({ outcome: 'case_opened' });
    expect(cases.reports[0]?.category).toBe('fire_smoke');
  });

  it('refuses bad detections alone with stable codes and keeps their valid neighbours', async () => {
    const report = await ingest.ingest(
      [
        vending(T0),
        'junk',
        { ...vending(T0), camera: 'NOPE' },
        { ...vending(T0), class: 'ufo' },
        { ...vending(T0), confidence: 2 },
        { ...vending(T0), ts: 'yesterday' },
        { ...vending(T0), ts: T0 + 7_200_000 },
        { ...vending(T0), extra: 1 },
        { ...vending(T0), bbox: [1, 2] },
        { ...vending(T0), snapshotUrl: 'javascript:alert(1)' },
        vending(T0 + 1000),
      ],
      EVERYTHING,
    );
    expect(report.accepted).toBe(2);
    expect(report.results.map((r) => r.index)).toEqual([0, 10]);
    expect(report.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'INVALID_DETECTION'],
      [2, 'UNKNOWN_CAMERA'],
      [3, 'UNKNOWN_DETECTION_CLASS'],
      [4, 'INVALID_DETECTION'],
      [5, 'INVALID_DETECTION'],
      [6, 'TIMESTAMP_OUT_OF_RANGE'],
      [7, 'INVALID_DETECTION'],
      [8, 'INVALID_DETECTION'],
      [9, 'INVALID_DETECTION'],
    ]);
  });

  it('keeps every stored detection raw, newest first', async () => {
    await ingest.ingest([{ ...vending(T0), bbox: [1, 2, 3, 4] }, vending(T0 + 5000, 0.1)], EVERYTHING);
    const rows = await ingest.recent('BB-TS-0001', 10, EVERYTHING);
    expect(rows.map((r) => r.outcome)).toEqual(['below_threshold', 'pending']);
    expect(rows[1]?.raw).toEqual({ ...vending(T0), bbox: [1, 2, 3, 4] });
  });
});
