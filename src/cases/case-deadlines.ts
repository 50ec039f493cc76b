import { HANDLING_LEVELS, STAGES, type Category, type HandlingLevel, type Stage } from './case-catalog.js';
import type { CaseRecord } from './case.types.js';

/**
 * Stage deadlines (时限): where every deadline, expected closure and overdue escalation of a case
 * is computed. Pure: given the case, its category and the time, each returns the times or the case
 * after. The actions that move a clock (case-effects.ts) and the escalation job call these.
 */

const MINUTE = 60_000;

/** Minutes allowed for a stage of a case of this category and priority. */
export function stageLimit(category: Category, priority: CaseRecord['priority'], stage: Stage): number {
  return category.limits[priority][stage];
}

/** The expected closure time when a case enters `stage` at `now`: this and every later stage's limit. */
export function dueFrom(
  category: Category,
  priority: CaseRecord['priority'],
  stage: Stage,
  now: number,
): number {
  const rest = STAGES.slice(STAGES.indexOf(stage));
  return now + rest.reduce((sum, s) => sum + stageLimit(category, priority, s), 0) * MINUTE;
}

/** The case with a new stage clock started (or stopped, for null). */
export function enterStage(c: CaseRecord, stage: Stage | null, now: number, category: Category): CaseRecord {
  if (stage === null) {
    return {
      ...c,
      stage: null,
      stageStartedAt: now,
      stageDeadline: null,
      nextEscalationAt: null,
      overdue: false,
    };
  }
  const deadline = now + stageLimit(category, c.priority, stage) * MINUTE;
  return {
    ...c,
    stage,
    stageStartedAt: now,
    stageDeadline: deadline,
    nextEscalationAt: deadline,
    overdue: false,
  };
}

/**
 * The deadlines after an approved extension (延期) of `minutes`: the stage deadline and the expected
 * closure move by it; a deadline still passed keeps the case overdue and due for escalation now.
 */
export function extendedDeadlines(
  c: CaseRecord,
  minutes: number,
  now: number,
): Pick<CaseRecord, 'stageDeadline' | 'dueAt' | 'nextEscalationAt' | 'overdue'> & { stageDeadline: number } {
  const deadline = (c.stageDeadline ?? now) + minutes * MINUTE;
  return {
    stageDeadline: deadline,
    dueAt: c.dueAt + minutes * MINUTE,
    nextEscalationAt: deadline > now ? deadline : now,
    overdue: deadline <= now && c.overdue,
  };
}

/** The level overdue escalation has raised supervision to (督办层级). */
export function supervisionLevel(c: Pick<CaseRecord, 'level' | 'escalation'>): HandlingLevel {
  const index = Math.min(HANDLING_LEVELS.indexOf(c.level) + c.escalation, HANDLING_LEVELS.length - 1);
  return HANDLING_LEVELS[index]!;
}

/**
 * The case after one overdue escalation (超期升级): supervision one level up (township → county →
 * city), and another level after one more stage limit, until the city supervises it.
 */
export function escalated(record: CaseRecord, category: Category | undefined, now: number): CaseRecord {
  const top = HANDLING_LEVELS.length - 1 - HANDLING_LEVELS.indexOf(record.level);
  const escalation = Math.min(record.escalation + 1, top);
  const stage = record.stage;
  return {
    ...record,
    escalation,
    overdue: true,
    nextEscalationAt:
      escalation < top && category && stage
        ? now + stageLimit(category, record.priority, stage) * MINUTE
        : null,
    updatedAt: now,
    version: record.version + 1,
  };
}
