import type { Stage } from './case-catalog.js';

/**
 * The case lifecycle as one table (the code and docs/cases.md both read it), after the national
 * digital urban-management flow: 采集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, with 注销, 返工,
 * 退单/改派, 延期, 挂账 and reopening.
 */

/** Every status a case can be in. */
export const CASE_STATUSES = [
  'reported', // 采集/上报: waiting for the command center to accept it
  'registered', // 立案: accepted, waiting for dispatch
  'cancelled', // 注销: invalid, duplicate or out of scope
  'dispatched', // 派遣: sent to a department, not yet accepted
  'in_progress', // 处置: the department is working on it
  'handled', // 反馈: the department reports it done; waiting for verification
  'verified', // 核查通过: checked on site; waiting for closure
  'rework', // 返工: verification failed; back with the department
  'suspended', // 挂账: parked (long-running, waiting on a third party)
  'closed', // 结案
  'merged', // 合并: a duplicate, folded into another case
] as const;
/** One case status. */
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Chinese names of the statuses, for the docs, exports and the dashboard. */
export const STATUS_NAMES: Record<CaseStatus, string> = {
  reported: '待立案',
  registered: '已立案',
  cancelled: '已注销',
  dispatched: '已派遣',
  in_progress: '处置中',
  handled: '待核查',
  verified: '核查通过',
  rework: '返工',
  suspended: '挂账',
  closed: '已结案',
  merged: '已合并',
};

/** Statuses that are finished: no stage runs, nothing is overdue. */
export const TERMINAL: ReadonlySet<CaseStatus> = new Set(['closed', 'cancelled', 'merged']);

/** Whether a case in this status is open (counts as open, can take occurrences). */
export function isOpen(status: CaseStatus): boolean {
  return !TERMINAL.has(status);
}

/** The timed stage a status belongs to (null: no clock runs). */
export function stageOf(status: CaseStatus): Stage | null {
  switch (status) {
    case 'reported':
      return 'register';
    case 'registered':
      return 'dispatch';
    case 'dispatched':
    case 'in_progress':
    case 'rework':
      return 'handle';
    case 'handled':
      return 'verify';
    case 'verified':
      return 'close';
    case 'cancelled':
    case 'suspended':
    case 'closed':
    case 'merged':
      return null;
  }
}

/**
 * Who acts: the command center (指挥中心: administrators, commanders, town/street operators), the
 * department the case is with (处置部门), the system (automatic intake, routing, escalation), or an
 * observer (a handler of another department, who may only comment).
 */
export type ActorKind = 'command' | 'handler' | 'system' | 'observer';

/** Every action; `to: 'same'` keeps the status, `'previous'` returns to where a suspension began. */
export interface TransitionRule {
  action: string;
  zh: string;
  from: readonly CaseStatus[];
  to: CaseStatus | 'same' | 'previous';
  by: readonly ActorKind[];
  /** A note (reason) is required. */
  note?: boolean;
  /** Only with (true) or without (false) a pending extension request. */
  extensionPending?: boolean;
  /** Only for a case without (true) or with (false) a point: 待定位. */
  needsLocation?: boolean;
}

const WORKING: CaseStatus[] = ['dispatched', 'in_progress', 'rework'];
const OPEN: CaseStatus[] = [
  'reported',
  'registered',
  'dispatched',
  'in_progress',
  'handled',
  'verified',
  'rework',
  'suspended',
];

/** The lifecycle table. Order is the order actions are offered in. */
export const TRANSITIONS: readonly TransitionRule[] = [
  { action: 'register', zh: '立案', from: ['reported'], to: 'registered', by: ['command', 'system'] },
  {
    action: 'cancel',
    zh: '注销',
    from: ['reported', 'registered'],
    to: 'cancelled',
    by: ['command'],
    note: true,
  },
  { action: 'dispatch', zh: '派遣', from: ['registered'], to: 'dispatched', by: ['command', 'system'] },
  {
    action: 'reassign',
    zh: '改派',
    from: ['dispatched', 'in_progress'],
    to: 'dispatched',
    by: ['command'],
    note: true,
  },
  {
    action: 'accept',
    zh: '接单',
    from: ['dispatched', 'rework'],
    to: 'in_progress',
    by: ['handler', 'command'],
  },
  {
    action: 'return',
    zh: '退单',
    from: ['dispatched', 'in_progress'],
    to: 'registered',
    by: ['handler'],
    note: true,
  },
  {
    action: 'handle',
    zh: '处置反馈',
    from: ['in_progress', 'rework'],
    to: 'handled',
    by: ['handler', 'command'],
  },
  { action: 'verify_pass', zh: '核查通过', from: ['handled'], to: 'verified', by: ['command'] },
  {
    action: 'verify_fail',
    zh: '核查不通过(返工)',
    from: ['handled'],
    to: 'rework',
    by: ['command'],
    note: true,
  },
  { action: 'close', zh: '结案', from: ['verified'], to: 'closed', by: ['command'] },
  {
    action: 'request_extension',
    zh: '申请延期',
    from: WORKING,
    to: 'same',
    by: ['handler'],
    note: true,
    extensionPending: false,
  },
  {
    action: 'approve_extension',
    zh: '批准延期',
    from: WORKING,
    to: 'same',
    by: ['command'],
    extensionPending: true,
  },
  {
    action: 'reject_extension',
    zh: '驳回延期',
    from: WORKING,
    to: 'same',
    by: ['command'],
    note: true,
    extensionPending: true,
  },
  {
    action: 'suspend',
    zh: '挂账',
    from: ['registered', 'dispatched', 'in_progress', 'rework'],
    to: 'suspended',
    by: ['command'],
    note: true,
  },
  { action: 'resume', zh: '恢复(解除挂账)', from: ['suspended'], to: 'previous', by: ['command'] },
  {
    action: 'reopen',
    zh: '重新打开',
    from: ['closed', 'cancelled'],
    to: 'registered',
    by: ['command'],
    note: true,
  },
  { action: 'escalate', zh: '超期升级督办', from: OPEN, to: 'same', by: ['system'] },
  {
    action: 'comment',
    zh: '备注',
    from: [...OPEN, 'closed', 'cancelled'],
    to: 'same',
    by: ['command', 'handler', 'observer'],
  },
  { action: 'merge', zh: '合并', from: OPEN, to: 'merged', by: ['command'] },
  { action: 'split', zh: '拆分', from: OPEN, to: 'same', by: ['command'], note: true },
  // A case reported by address alone gets its point from the command center (`lon`, `lat`): it
  // moves to the jurisdiction there and, if not yet dispatched, is routed afresh.
  { action: 'locate', zh: '定位', from: OPEN, to: 'same', by: ['command'], needsLocation: true },
];

/** Every action name. */
export const CASE_ACTIONS = TRANSITIONS.map((t) => t.action);

const BY_ACTION = new Map(TRANSITIONS.map((t) => [t.action, t]));

/** The rule for an action, or undefined for an unknown one. */
export function ruleFor(action: string): TransitionRule | undefined {
  return BY_ACTION.get(action);
}

/** The facts about a case the table looks at. */
export interface LifecycleState {
  status: CaseStatus;
  extensionPending: boolean;
  suspendedFrom: CaseStatus | null;
  /** The case has no point yet (待定位); absent: it has one. */
  needsLocation?: boolean;
}

/** Why an action is refused, or null when it is allowed. */
export function refusal(
  state: LifecycleState,
  action: string,
  actor: ActorKind,
): 'unknown' | 'status' | 'actor' | 'extension' | 'location' | null {
  const rule = BY_ACTION.get(action);
  if (!rule) return 'unknown';
  if (!rule.from.includes(state.status)) return 'status';
  if (!rule.by.includes(actor)) return 'actor';
  if (rule.extensionPending !== undefined && rule.extensionPending !== state.extensionPending) {
    return 'extension';
  }
  if (rule.needsLocation !== undefined && rule.needsLocation !== (state.needsLocation ?? false)) {
    return 'location';
  }
  return null;
}

/** The actions `actor` may take now, in table order. */
export function allowedActions(state: LifecycleState, actor: ActorKind): string[] {
  return TRANSITIONS.filter((t) => refusal(state, t.action, actor) === null).map((t) => t.action);
}

/** The status after `action` (which must be allowed). */
export function nextStatus(state: LifecycleState, action: string): CaseStatus {
  const rule = BY_ACTION.get(action);
  if (!rule) throw new Error(`unknown action ${action}`);
  if (rule.to === 'same') return state.status;
  if (rule.to === 'previous') return state.suspendedFrom ?? 'registered';
  return rule.to;
}
