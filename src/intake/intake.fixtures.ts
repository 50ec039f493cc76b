import { DEFAULT_CATEGORIES } from '../cases/case-catalog.js';
import type { IncomingReport, ReportOutcome } from '../cases/case-intake.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import type { CameraRecord } from '../devices/camera.repository.js';
import { categoryView } from './case-port.adapter.js';
import type { CasePort, CaseView, PublicUpdate } from './case-port.js';

/** A stand-in for the cases domain: opens one case per (category, place) while open, records every report. */
export class FakeCases implements CasePort {
  readonly reports: IncomingReport[] = [];
  readonly cases = new Map<string, CaseView & { category: string; lon: number | null; lat: number | null }>();
  private next = 0;

  async report(report: IncomingReport, _visible: Visibility): Promise<ReportOutcome> {
    this.reports.push(report);
    const open = [...this.cases.values()].find(
      (c) =>
        c.open &&
        report.lon !== null &&
        c.category === report.category &&
        c.lon === report.lon &&
        c.lat === report.lat,
    );
    if (open) return { caseId: open.id, attached: true, status: open.status };
    const id = `C-${++this.next}`;
    this.cases.set(id, {
      id,
      status: 'reported',
      open: true,
      agency: 'township_office@500109001',
      expectedAt: report.reportedAt + 3_600_000,
      notes: null,
      timeline: [],
      reportedAt: report.reportedAt,
      updatedAt: report.reportedAt,
      category: report.category,
      lon: report.lon,
      lat: report.lat,
    });
    return { caseId: id, attached: false, status: 'reported' };
  }

  async view(caseId: string): Promise<CaseView | null> {
    return this.cases.get(caseId) ?? null;
  }

  async categories() {
    return DEFAULT_CATEGORIES.map(categoryView);
  }

  async publicUpdates(): Promise<PublicUpdate[]> {
    return [];
  }

  readonly comments: { caseId: string; note: string; by: string }[] = [];

  async comment(caseId: string, note: string, by: string): Promise<number> {
    this.comments.push({ caseId, note, by });
    return this.comments.length;
  }

  /** Closes a case as the lifecycle would. */
  close(caseId: string, note = '已处置完毕'): void {
    const c = this.cases.get(caseId);
    if (c) this.cases.set(caseId, { ...c, status: 'closed', open: false, notes: note });
  }
}

let n = 0;

/** A registered camera with defaults (天生街道, 北碚区); override what the test is about. */
export function buildCamera(overrides: Partial<CameraRecord> = {}): CameraRecord {
  n += 1;
  return {
    id: `CAM-${n}`,
    name: '天生路口',
    lon: 106.43,
    lat: 29.83,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: '500109',
    townshipCode: '500109001',
    department: null,
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
