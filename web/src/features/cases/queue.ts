import type { CaseItem } from '../../shared/types';

/** Queue presets of the workbench. */
export type QueuePreset = 'mine' | 'open' | 'overdue' | 'closed' | 'all';

/** Statuses where the command center (指挥中心) acts next: 立案, 派遣, 核查, 结案 and parked cases. */
const COMMAND_TURN = ['reported', 'registered', 'handled', 'verified', 'suspended'];
/** Statuses where the department (处置部门) acts next. */
const HANDLER_TURN = ['dispatched', 'in_progress', 'rework'];
const OPEN = [
  'reported',
  'registered',
  'dispatched',
  'in_progress',
  'handled',
  'verified',
  'rework',
  'suspended',
];

/** The signed-in user as the queue needs it. */
export interface QueueUser {
  role: string;
  department: string | null;
}

/**
 * The GET /api/v1/cases parameters of a preset: "my queue" is whatever waits for the user's
 * side of the flow — the department's open work for a handler, the command steps for the rest.
 */
export function queueParams(
  preset: QueuePreset,
  user: QueueUser,
  filters: { scope: string; category?: string; q?: string; sort?: 'deadline' | 'newest' },
): Record<string, string | number | boolean | undefined> {
  const handler = user.role === 'department_handler' && user.department !== null;
  // Queues of open work are ordered by the server (sort=deadline lists open cases only), so the
  // most urgent cases are on the page however long the queue is; the others come newest first.
  const openWork = preset === 'mine' || preset === 'open' || preset === 'overdue';
  const base = {
    scope: filters.scope,
    category: filters.category || undefined,
    q: filters.q || undefined,
    sort: filters.sort === 'deadline' && openWork ? 'deadline' : undefined,
    limit: 200,
  };
  switch (preset) {
    case 'mine':
      return handler
        ? { ...base, status: HANDLER_TURN.join(','), department: user.department! }
        : { ...base, status: COMMAND_TURN.join(',') };
    case 'open':
      return { ...base, status: OPEN.join(','), ...(handler ? { department: user.department! } : {}) };
    case 'overdue':
      return { ...base, status: OPEN.join(','), overdue: true };
    case 'closed':
      return { ...base, status: 'closed,cancelled' };
    case 'all':
      return base;
  }
}

/** The deadline that matters now: the current stage's, else the case's expected closure. */
export function deadlineOf(c: Pick<CaseItem, 'stageDeadline' | 'dueAt'>): number {
  return Date.parse(c.stageDeadline ?? c.dueAt);
}

/**
 * Orders a queue by urgency: overdue first, then by deadline (soonest first), urgent priority
 * breaking ties. Queues of open work arrive in deadline order (sort=deadline); this also orders
 * the pages of the other presets, which arrive newest first.
 */
export function byDeadline<T extends Pick<CaseItem, 'stageDeadline' | 'dueAt' | 'overdue' | 'priority'>>(
  cases: readonly T[],
): T[] {
  const rank = { urgent: 0, high: 1, normal: 2, low: 3 } as const;
  return [...cases].sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      deadlineOf(a) - deadlineOf(b) ||
      rank[a.priority] - rank[b.priority],
  );
}

/** Time to a deadline as `2h05m` / `-35m` (negative: past it), for the queue's deadline column. */
export function timeLeft(deadline: number, now: number): { text: string; late: boolean; soon: boolean } {
  const ms = deadline - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const text =
    (ms < 0 ? '-' : '') +
    (days > 0
      ? `${days}d${hours}h`
      : hours > 0
        ? `${hours}h${String(minutes).padStart(2, '0')}m`
        : `${minutes}m`);
  return { text, late: ms < 0, soon: ms >= 0 && ms < 3_600_000 };
}
