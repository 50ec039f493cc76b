import { EVERYTHING } from '../jurisdictions/visibility.js';
import type { CaseService } from '../cases/case.service.js';
import { isOpen } from '../cases/case-lifecycle.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { Category } from '../cases/case-catalog.js';
import type { CaseEventRecord } from '../cases/case.types.js';
import type { CasePort, CaseView, CategoryView, PublicEntry } from './case-port.js';

// A merged case is shown as the case it was folded into; chains of merges are short.
const MAX_MERGE_HOPS = 5;

/** The cases domain's CaseService seen through the intake adapters' port. */
export function caseServicePort(cases: CaseService, tree: () => JurisdictionTree): CasePort {
  const departmentNames = () => new Map(cases.catalog.listDepartmentTypes().map((t) => [t.code, t.zh]));
  const view = async (id: string, hops = 0): Promise<CaseView | null> => {
    let detail;
    try {
      detail = await cases.getCase(id, EVERYTHING);
    } catch (error) {
      if (error instanceof AppError && error.code === 'CASE_NOT_FOUND') return null;
      throw error;
    }
    const { record, timeline } = detail;
    if (record.status === 'merged' && record.mergedInto && hops < MAX_MERGE_HOPS) {
      return (await view(record.mergedInto, hops + 1)) ?? null;
    }
    const type = record.departmentType ? departmentNames().get(record.departmentType) : undefined;
    const unit = record.departmentUnit ? tree().get(record.departmentUnit)?.name : undefined;
    const noted = [...timeline].reverse().find((e) => e.publicNote !== null && e.publicNote !== '');
    return {
      id: record.id,
      status: record.status,
      open: isOpen(record.status),
      agency: type ? `${unit ?? ''}${type}` : null,
      expectedAt: record.dueAt,
      notes: noted?.publicNote ?? null,
      timeline: timeline.filter((e) => e.from !== e.to || e.publicNote !== null).map(publicEntry),
      reportedAt: record.reportedAt,
      updatedAt: record.updatedAt,
    };
  };
  return {
    report: (report, visible) => cases.report(report, visible),
    view: (id) => view(id),
    publicUpdates: async (from, to, limit) => {
      const events = await cases.publicEvents(from, to, limit);
      const merged = new Map<string, string[]>();
      for (const e of events) {
        if (merged.has(e.caseId)) continue;
        // A reply on a case speaks also to the requests of the cases merged into it.
        const { timeline } = await cases.getCase(e.caseId, EVERYTHING);
        const from = timeline.filter((t) => t.action === 'merge_in').map((t) => String(t.data.from));
        merged.set(e.caseId, [e.caseId, ...from]);
      }
      return events.map((e) => ({ ...publicEntry(e), caseIds: merged.get(e.caseId) ?? [e.caseId] }));
    },
    comment: async (caseId, note, by, visible) => {
      const { timeline } = await cases.transition(
        caseId,
        { action: 'comment', note },
        { kind: 'command', name: by, department: null },
        visible,
      );
      return timeline.at(-1)?.seq ?? 0;
    },
    categories: async () =>
      cases.catalog
        .listCategories()
        .filter((c) => c.enabled)
        .map(categoryView),
  };
}

/** A timeline event as the public may see it: no actor, no staff note, no data. */
function publicEntry(e: CaseEventRecord): PublicEntry {
  return { seq: e.seq, at: e.at, status: e.to, open: isOpen(e.to), note: e.publicNote };
}

/** A catalog category as the intake adapters list it. */
export function categoryView(c: Category): CategoryView {
  return {
    code: c.code,
    kind: c.kind,
    group: c.group,
    zh: c.zh,
    en: c.en,
    priority: c.priority,
    citizenReportable: c.citizenReportable,
  };
}
