import type { Category } from './case-catalog.js';
import type { CaseCatalog } from './case-catalog.service.js';
import { caseEvent } from './case-deps.js';
import { applyAction, openingRecord, type OpeningFacts } from './case-effects.js';
import { newCaseId } from './case-records.js';
import type { CaseChain } from './case-routing.js';
import type { CaseChange } from './case.repository.js';
import type { CaseRecord, NewCaseEvent } from './case.types.js';

/** The first timeline entry of a new case: a report, or the split that made it. */
export type FirstEvent = Pick<NewCaseEvent, 'action' | 'actor' | 'note' | 'attachments' | 'data'>;

/**
 * A new case as one insert, with its first timeline entry and, when `autoDispatch`, the
 * automatic 立案 and 派遣: each a recorded transition by the system, with the routing reason.
 * Used by intake (case-reporter.ts) and by a split (case-transitions.ts).
 */
export function draftCase(
  catalog: CaseCatalog,
  facts: OpeningFacts,
  category: Category,
  chain: CaseChain,
  now: number,
  first: FirstEvent,
  autoDispatch: boolean,
): { record: CaseRecord; change: CaseChange } {
  const routing = catalog.route(category, facts.priority, chain);
  let record = openingRecord(facts, newCaseId(facts.reportedAt), category, chain, routing, now);
  const events: NewCaseEvent[] = [
    caseEvent(record, first.action, null, now, first.actor, first.note, first.attachments, {
      ...first.data,
      routing,
    }),
  ];
  let stageTimes: CaseChange['writes'][number]['stageTimes'] = [];
  if (autoDispatch) {
    for (const action of ['register', 'dispatch'] as const) {
      const result = applyAction(record, action, {}, { now, actor: 'system', category, routing });
      stageTimes = [...stageTimes, ...result.stageTimes];
      events.push(
        caseEvent(result.after, action, record.status, now, 'system', routing.text, [], result.data),
      );
      // One insert of the final state: the versions in between never reach the database.
      record = { ...result.after, version: 1 };
    }
  }
  return { record, change: { writes: [{ before: null, after: record, stageTimes }], events } };
}
