import { describe, expect, it } from 'vitest';
import { CameraWorld, DEFAULT_CLASS_RULES } from './cameras.js';
import { SimHttp } from './http-client.js';
import { DEFAULT_BACKGROUND } from './scenario.js';
import { WEDNESDAY, world } from './sim.fixtures.js';

const HOUR = 3_600_000;
const unused = new SimHttp('http://127.0.0.1:9');

function cameras(w: ReturnType<typeof world>) {
  return new CameraWorld(
    unused,
    { key: 'unused' },
    w.fleet,
    w.seed,
    DEFAULT_BACKGROUND,
    w.weather,
    w.incidents,
    DEFAULT_CLASS_RULES,
  );
}

/** Whether some camera's detections of a class meet the server's persistence rule. */
function meetsRule(
  detections: { camera: string; class: string; confidence: number; ts: number }[],
  cls: string,
): boolean {
  const rule = DEFAULT_CLASS_RULES.find((r) => r.class === cls)!;
  const byCamera = new Map<string, number[]>();
  for (const d of detections) {
    if (d.class !== cls || d.confidence < rule.minConfidence) continue;
    byCamera.set(d.camera, [...(byCamera.get(d.camera) ?? []), d.ts]);
  }
  return [...byCamera.values()].some((ts) =>
    ts.some(
      (t) => ts.filter((u) => u >= t && u <= t + rule.windowSeconds * 1000).length >= rule.minDetections,
    ),
  );
}

describe('the AI cameras', () => {
  const w = world({ cameraScale: 0.02 });
  const cams = cameras(w);

  it('see the events of a day in bursts that meet the persistence rules, and false positives below them', () => {
    const day = cams.detections(WEDNESDAY, WEDNESDAY + 24 * HOUR);
    expect(day.length).toBeGreaterThan(500);
    expect(meetsRule(day, 'street_vending')).toBe(true);
    expect(meetsRule(day, 'illegal_parking')).toBe(true);
    expect(day.some((d) => d.confidence < 0.5)).toBe(true);
    // The market hours are busier than the small hours (false positives come at any hour).
    const inHours = (a: number, b: number) =>
      day.filter((d) => d.confidence >= 0.6 && d.ts >= WEDNESDAY + a * HOUR && d.ts < WEDNESDAY + b * HOUR)
        .length;
    expect(inHours(18, 21)).toBeGreaterThan(2 * inHours(2, 5));
  });

  it('gives the same detections however the time is cut into windows', () => {
    const whole = cams.detections(WEDNESDAY, WEDNESDAY + 2 * HOUR);
    const pieces = [0, 1].flatMap((h) => cams.detections(WEDNESDAY + h * HOUR, WEDNESDAY + (h + 1) * HOUR));
    expect(pieces).toEqual(whole);
  });

  it('keep seeing the vendors of a street-vending incident', () => {
    const v = world({
      cameraScale: 0.02,
      incidents: [
        {
          kind: 'street_vending',
          atMs: HOUR,
          durationMs: 2 * HOUR,
          county: '500109',
          township: null,
          count: 1,
        },
      ],
    });
    v.incidents.advance(WEDNESDAY, WEDNESDAY + 4 * HOUR);
    const incident = v.incidents.started[0]!;
    const seen = cameras(v)
      .detections(WEDNESDAY + HOUR, WEDNESDAY + 3 * HOUR)
      .filter((d) => incident.cameras.some((c) => v.fleet.cameras[c]!.id === d.camera));
    expect(meetsRule(seen, 'street_vending')).toBe(true);
    expect(seen.filter((d) => d.class === 'street_vending').length).toBeGreaterThanOrEqual(8 * 3);
  });

  it('see standing water only where it pours', () => {
    const rain = world({
      cameraScale: 0.02,
      rain: [
        {
          counties: ['500106', '500107', '500103'],
          startMs: 0,
          endMs: 4 * HOUR,
          peakMmPerHour: 90,
          moveMs: 0,
        },
      ],
    });
    const seen = cameras(rain)
      .detections(WEDNESDAY + HOUR, WEDNESDAY + 3 * HOUR)
      .filter((d) => d.class === 'road_waterlogging');
    expect(seen.length).toBeGreaterThan(0);
    const county = (id: string) => rain.fleet.cameras.find((c) => c.id === id)!.county;
    expect(seen.every((d) => ['500106', '500107', '500103'].includes(county(d.camera)))).toBe(true);
    expect(
      cams.detections(WEDNESDAY + HOUR, WEDNESDAY + 3 * HOUR).some((d) => d.class === 'road_waterlogging'),
    ).toBe(false);
  });
});
