import type { Category } from './case-catalog.js';
import type { IncomingReport } from './case-intake.js';
import { isOpen } from './case-lifecycle.js';
import type { CaseRecord } from './case.types.js';

const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance in metres between two WGS84 points. */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * De-duplication (重复案件归并): the nearest open case of the same category within the category's
 * radius whose last report is within its window of this one; undefined when there is none.
 */
export function findDuplicate(
  candidates: readonly CaseRecord[],
  report: Pick<IncomingReport, 'reportedAt' | 'category'> & { lon: number; lat: number },
  category: Pick<Category, 'dedupRadiusM' | 'dedupWindowMin'>,
): CaseRecord | undefined {
  let best: CaseRecord | undefined;
  let bestDistance = Infinity;
  const window = category.dedupWindowMin * 60_000;
  for (const c of candidates) {
    // A case without a point (待定位) has no distance to compare: it never absorbs a report.
    if (c.category !== report.category || !isOpen(c.status) || c.lon === null || c.lat === null) continue;
    if (Math.abs(report.reportedAt - c.lastReportedAt) > window) continue;
    const d = distanceM(report.lon, report.lat, c.lon, c.lat);
    if (d <= category.dedupRadiusM && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
