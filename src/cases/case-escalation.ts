import { every, type PeriodicJob } from '../platform/periodic.js';
import { AppError } from '../errors.js';
import { caseEvent, type CaseDeps } from './case-deps.js';
import { escalated, supervisionLevel } from './case-deadlines.js';
import { CASE_OVERDUE } from './case-intake.js';
import { toBusEvent } from './case-records.js';

/**
 * Escalation (超期督办): the periodic check that raises supervision over cases past their stage
 * deadline (the deadlines themselves come from case-deadlines.ts), and the job that runs it.
 */

/**
 * Escalates every case whose stage deadline has passed (超期升级): one level up (township →
 * county → city) per stage limit overdue, and a notification on `cases.overdue`. Returns how
 * many cases it escalated. Run periodically; the clock is the deps'.
 */
export async function escalateOverdue(deps: CaseDeps, batch = 500): Promise<number> {
  const now = deps.clock();
  let done = 0;
  for (;;) {
    const due = await deps.repository.dueForEscalation(now, batch);
    if (due.length === 0) return done;
    for (const record of due) {
      const after = escalated(record, deps.catalog.find(record.category), now);
      const stage = record.stage;
      const event = caseEvent(
        after,
        'escalate',
        record.status,
        now,
        'system',
        `超期 overdue in stage ${stage ?? '-'}`,
        [],
        {
          stage,
          deadline: record.stageDeadline,
          from: supervisionLevel(record),
          to: supervisionLevel(after),
        },
      );
      try {
        const [linked] = await deps.commit([{ writes: [{ before: record, after }], events: [event] }]);
        if (linked && deps.bus) await deps.bus.publish(CASE_OVERDUE, [toBusEvent(linked, after)]);
        done += 1;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'CASE_CONFLICT')) throw error;
      }
    }
    if (due.length < batch) return done;
  }
}

/** The periodic deadline check; `close` stops it and waits for a run in progress. */
export type CaseJobs = PeriodicJob;

/**
 * Runs `escalateOverdue` every `intervalMs` (0: never; tests call the service directly with their
 * own clock). Runs do not overlap; a failure is reported and the next run tries again.
 */
export function startCaseJobs(
  service: { escalateOverdue(): Promise<number> },
  options: { intervalMs: number; onError: (error: unknown) => void },
): CaseJobs {
  return every(options.intervalMs, () => service.escalateOverdue(), options.onError);
}
