import { EVERYTHING } from '../access/principal.js';
import type { CaseService } from '../cases/case.service.js';
import { isOpen } from '../cases/case-lifecycle.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { Category } from '../cases/case-catalog.js';
import type { CasePort, CaseView, CategoryView } from './case-port.js';

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
    const noted = [...timeline].reverse().find((e) => e.note !== null && e.note !== '');
    return {
      id: record.id,
      status: record.status,
      open: isOpen(record.status),
      agency: type ? `${unit ?? ''}${type}` : null,
      expectedAt: record.dueAt,
      notes: noted?.note ?? null,
      reportedAt: record.reportedAt,
      updatedAt: record.updatedAt,
    };
  };
  return {
    report: (report, visible) => cases.report(report, visible),
    view: (id) => view(id),
    categories: async () =>
      cases.catalog
        .listCategories()
        .filter((c) => c.enabled)
        .map(categoryView),
  };
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
