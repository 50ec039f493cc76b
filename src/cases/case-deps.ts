import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { EventBus } from '../platform/bus/event-bus.js';
import type { CaseCatalog } from './case-catalog.service.js';
import { CASE_EVENTS } from './case-intake.js';
import type { CaseStatus } from './case-lifecycle.js';
import { toBusEvent } from './case-records.js';
import type { CaseChange, CaseRepository } from './case.repository.js';
import type { CaseEventRecord, CaseRecord, NewCaseEvent } from './case.types.js';

/**
 * What the case workflows (case-reporter.ts, case-transitions.ts, case-escalation.ts) share: the
 * stores they read and write, the bus, the clock, and `commit`, the one way a change is written.
 */
export interface CaseDeps {
  repository: CaseRepository;
  /** Categories, department types and the routing table. */
  catalog: CaseCatalog;
  jurisdictions: JurisdictionService;
  bus: EventBus | null;
  clock: () => number;
  /** Writes the changes in one transaction and publishes their linked events on `cases.events`. */
  commit: (changes: CaseChange[]) => Promise<CaseEventRecord[]>;
}

/** The workflows' dependencies, with `commit` bound to the repository and the bus. */
export function caseDeps(parts: Omit<CaseDeps, 'commit'>): CaseDeps {
  const { repository, bus } = parts;
  return {
    ...parts,
    commit: async (changes) => {
      const linked = await repository.commit(changes);
      if (bus && linked.length > 0) {
        const byId = new Map(changes.flatMap((c) => c.writes.map((w) => [w.after.id, w.after] as const)));
        await bus.publish(
          CASE_EVENTS,
          linked.map((e) => toBusEvent(e, byId.get(e.caseId))),
        );
      }
      return linked;
    },
  };
}

/** A timeline entry for `record` as it is after the action. */
export function caseEvent(
  record: CaseRecord,
  action: string,
  from: CaseStatus | null,
  at: number,
  actor: string,
  note: string | null,
  attachments: string[],
  data: Record<string, unknown>,
  publicNote: string | null = null,
): NewCaseEvent {
  return {
    caseId: record.id,
    action,
    from,
    to: record.status,
    at,
    actor,
    note,
    publicNote,
    attachments,
    data,
  };
}
