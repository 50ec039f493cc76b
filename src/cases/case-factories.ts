import type { IncomingReport } from './case-intake.js';

/** Real places (WGS84) that case tests report at. */
export const CASE_PLACES = {
  /** 北碚城区, 北碚区 500109. */
  beibei: { lon: 106.437, lat: 29.825 },
  /** 解放碑, 渝中区 500103. */
  jiefangbei: { lon: 106.5775, lat: 29.5576 },
  /** 天安门, Beijing: outside every jurisdiction. */
  beijing: { lon: 116.397, lat: 39.909 },
} as const;

let counter = 0;

/** An incoming report with sensible defaults (street vending in 北碚 from a camera); override what the test is about. */
export function buildReport(overrides: Partial<IncomingReport> = {}): IncomingReport {
  counter += 1;
  return {
    source: 'camera',
    sourceRef: `det-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    category: 'street_vending',
    ...CASE_PLACES.beibei,
    description: '占道经营 street vending seen by camera',
    reportedAt: Date.UTC(2026, 2, 1, 2, 0, 0),
    raw: { test: counter },
    ...overrides,
  };
}
