import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { Category } from './case-catalog.js';
import { findDuplicate } from './case-dedup.js';
import { caseEvent, type CaseDeps } from './case-deps.js';
import { draftCase } from './case-draft.js';
import type { IncomingReport, ReportOutcome, ReportSource } from './case-intake.js';
import { boxAround, dedupCells, occurrenceOf, validateReport } from './case-records.js';
import type { CaseChain } from './case-routing.js';
import { chainAt, chainOfScope } from './case-scope.js';
import type { DedupCheck } from './case.repository.js';
import type { CaseRecord } from './case.types.js';

/**
 * Intake (受理): a report from any source opens a case or, when an open case of its category lies
 * within the category's radius and window, attaches to it as one more occurrence (de-duplication).
 */

/** The reporter's dependencies: the shared ones and the sources dispatched at once. */
export interface ReporterDeps extends CaseDeps {
  /** Sources whose reports are registered and dispatched at once (machine-checked or entered by staff). */
  autoDispatch: readonly ReportSource[];
}

/** Opens a case for a report or attaches it to an open one nearby (see CaseIntake). */
export async function reportCase(
  deps: ReporterDeps,
  report: IncomingReport,
  visible: Visibility,
): Promise<ReportOutcome> {
  const category = deps.catalog.category(report.category);
  if (!category.enabled) {
    throw new AppError('UNKNOWN_CASE_CATEGORY', `The category "${category.code}" is disabled.`);
  }
  validateReport(report);
  if (report.lon === null || report.lat === null) return openUnlocated(deps, report, category, visible);
  const located = { ...report, lon: report.lon, lat: report.lat };
  const chain = chainAt(deps.jurisdictions, located.lon, located.lat, visible);
  try {
    return await intake(deps, located, category, chain);
  } catch (error) {
    // Another writer got there between our read and our write (a second process on the same
    // SQLite file, or a change to the case we attach to): the second look sees what it wrote.
    if (!lostRace(error)) throw error;
    return intake(deps, located, category, chain);
  }
}

/**
 * A report with an address and no point (待定位): a new case in the reporter's scope (the key's
 * jurisdiction, or the city), routed at that scope's level, never de-duplicated (there is no
 * distance to compare), waiting for command staff to `locate` it. Sources still deliver at least
 * once, so the source record finds the case it made.
 */
async function openUnlocated(
  deps: ReporterDeps,
  report: IncomingReport,
  category: Category,
  visible: Visibility,
): Promise<ReportOutcome> {
  const known = await knownSource(deps, report);
  if (known) return known;
  return open(deps, report, category, chainOfScope(deps.jurisdictions, visible), undefined);
}

/** The case this source record already made, if any: sources deliver at least once. */
async function knownSource(deps: CaseDeps, report: IncomingReport): Promise<ReportOutcome | null> {
  const known = await deps.repository.findBySource(report.source, report.sourceRef);
  if (!known) return null;
  const existing = await deps.repository.get(known);
  return { caseId: known, attached: true, status: existing?.status ?? 'reported' };
}

/** De-duplication under the place's locks: the source's case, an open duplicate, or a new case. */
function intake(
  deps: ReporterDeps,
  report: IncomingReport & { lon: number; lat: number },
  category: Category,
  chain: CaseChain,
): Promise<ReportOutcome> {
  const box = boxAround(report.lon, report.lat, category.dedupRadiusM);
  return deps.repository.exclusive(dedupCells(category.code, box), async () => {
    // Sources deliver at least once: the same source record lands on the case it made.
    const known = await knownSource(deps, report);
    if (known) return known;
    const since = report.reportedAt - category.dedupWindowMin * 60_000;
    const near = await deps.repository.findOpenNear(category.code, box, since);
    const duplicate = findDuplicate(near, report, category);
    if (duplicate) return attach(deps, duplicate, report);
    return open(deps, report, category, chain, {
      // Only what the check needs: this goes to the writer thread with the change.
      report: {
        category: report.category,
        lon: report.lon,
        lat: report.lat,
        reportedAt: report.reportedAt,
      },
      box,
      since,
      radiusM: category.dedupRadiusM,
      windowMin: category.dedupWindowMin,
    });
  });
}

/** The report as one more occurrence (重复上报) of an open case. */
async function attach(deps: CaseDeps, target: CaseRecord, report: IncomingReport): Promise<ReportOutcome> {
  const now = deps.clock();
  const after: CaseRecord = {
    ...target,
    occurrences: target.occurrences + 1,
    lastReportedAt: Math.max(target.lastReportedAt, report.reportedAt),
    updatedAt: now,
    version: target.version + 1,
  };
  const occurrence = occurrenceOf(target.id, report);
  const event = caseEvent(
    after,
    'occurrence',
    target.status,
    now,
    report.reporter ?? report.source,
    report.description,
    report.attachments ?? [],
    {
      source: report.source,
      sourceRef: report.sourceRef,
      occurrence: occurrence.id,
    },
  );
  await deps.commit([{ writes: [{ before: target, after }], events: [event], occurrences: [occurrence] }]);
  return { caseId: target.id, attached: true, status: after.status };
}

/** A new case for the report; `opens` lets the writer check no duplicate was opened meanwhile. */
async function open(
  deps: ReporterDeps,
  report: IncomingReport,
  category: Category,
  chain: CaseChain,
  opens: DedupCheck | undefined,
): Promise<ReportOutcome> {
  const now = deps.clock();
  const occurrence = occurrenceOf('', report);
  const { record, change } = draftCase(
    deps.catalog,
    {
      ...report,
      address: report.address ?? null,
      reporter: report.reporter ?? null,
      priority: report.priority ?? category.priority,
      lastReportedAt: report.reportedAt,
      occurrences: 1,
    },
    category,
    chain,
    now,
    {
      action: 'report',
      actor: report.reporter ?? report.source,
      note: report.description,
      attachments: report.attachments ?? [],
      data: { source: report.source, sourceRef: report.sourceRef, occurrence: occurrence.id },
    },
    deps.autoDispatch.includes(report.source),
  );
  change.occurrences = [{ ...occurrence, caseId: record.id }];
  if (opens) change.opens = opens;
  await deps.commit([change]);
  return { caseId: record.id, attached: false, status: record.status };
}

/**
 * A write that lost to another writer: CASE_CONFLICT (the case changed, or a duplicate was opened
 * meanwhile), or the source record's occurrence stored meanwhile (unique (source, source_ref)).
 */
function lostRace(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'CASE_CONFLICT';
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  return unique && typeof message === 'string' && /source/.test(message);
}
