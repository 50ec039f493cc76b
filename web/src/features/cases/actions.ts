import type { Lang } from '../../shared/i18n';

/** What a case action needs from the operator, after the lifecycle table (docs/cases.md). */
export interface ActionSpec {
  zh: string;
  en: string;
  /** A note (reason) must be given. */
  note: boolean;
  /** Extra fields the form asks for (`occurrences`: which of the case's reports, by checkbox). */
  fields: ('department' | 'minutes' | 'into' | 'occurrences' | 'point')[];
  /** Moves the case forward on its main path: shown as the primary button. */
  primary: boolean;
}

const spec = (zh: string, en: string, extra: Partial<ActionSpec> = {}): ActionSpec => ({
  zh,
  en,
  note: false,
  fields: [],
  primary: false,
  ...extra,
});

/** Every action an operator or handler can take from the workbench. */
export const ACTIONS: Record<string, ActionSpec> = {
  register: spec('立案', 'Register', { primary: true }),
  dispatch: spec('派遣', 'Dispatch', { primary: true, fields: ['department'] }),
  accept: spec('接单', 'Accept', { primary: true }),
  handle: spec('处置反馈', 'Report handled', { primary: true }),
  verify_pass: spec('核查通过', 'Verify: passed', { primary: true }),
  close: spec('结案', 'Close', { primary: true }),
  verify_fail: spec('核查不通过(返工)', 'Verify: failed (rework)', { note: true }),
  cancel: spec('注销', 'Cancel', { note: true }),
  reassign: spec('改派', 'Reassign', { note: true, fields: ['department'] }),
  return: spec('退单', 'Return', { note: true }),
  request_extension: spec('申请延期', 'Request extension', { note: true, fields: ['minutes'] }),
  approve_extension: spec('批准延期', 'Approve extension'),
  reject_extension: spec('驳回延期', 'Reject extension', { note: true }),
  suspend: spec('挂账', 'Suspend', { note: true }),
  resume: spec('恢复(解除挂账)', 'Resume'),
  reopen: spec('重新打开', 'Reopen', { note: true }),
  merge: spec('合并', 'Merge', { fields: ['into'] }),
  split: spec('拆分', 'Split', { note: true, fields: ['occurrences'] }),
  // 待定位: a case reported by address alone gets its point (WGS84) from command staff.
  locate: spec('定位', 'Locate', { primary: true, fields: ['point'] }),
  comment: spec('备注', 'Comment', { note: true }),
};

/** Timeline-only actions (system steps, intake), for naming timeline entries. */
const TIMELINE_ONLY: Record<string, { zh: string; en: string }> = {
  report: { zh: '上报', en: 'Reported' },
  occurrence: { zh: '重复上报归并', en: 'Duplicate report attached' },
  escalate: { zh: '超期升级督办', en: 'Overdue: escalated' },
  split_in: { zh: '拆分新建', en: 'Split from another case' },
  merge_in: { zh: '合并转入', en: 'Merged in' },
};

/** The name of any action (timeline entries included). */
export function actionName(action: string, lang: Lang): string {
  return (ACTIONS[action] ?? TIMELINE_ONLY[action])?.[lang] ?? action;
}

/**
 * The actions to offer, from the case's `allowedActions` (the server decides what is allowed):
 * the main-path step first, then the rest. Split needs two reports at least (it moves some, never
 * all, of them to a new case), so a case with one is not offered it.
 */
export function offeredActions(allowed: readonly string[], occurrences = 2): string[] {
  const known = allowed.filter((a) => ACTIONS[a] !== undefined && (a !== 'split' || occurrences > 1));
  return [...known.filter((a) => ACTIONS[a]!.primary), ...known.filter((a) => !ACTIONS[a]!.primary)];
}

/** The body of POST /cases/{id}/transitions for a filled-in form, or the problem with it. */
export function transitionBody(
  action: string,
  form: {
    note: string;
    /** 公开回复: shown to citizens by Open311; the note stays internal. */
    publicNote?: string;
    department: string;
    minutes: string;
    into: string;
    occurrences?: string[];
    /** locate: WGS84 longitude and latitude as typed. */
    lon?: string;
    lat?: string;
  },
  /** How many reports the case has (split moves some, not all). */
  occurrenceCount = 0,
):
  | { body: Record<string, unknown> }
  | { problem: 'note' | 'department' | 'minutes' | 'into' | 'occurrences' | 'point' } {
  const s = ACTIONS[action];
  if (!s) return { body: { action } };
  const note = form.note.trim();
  const publicNote = (form.publicNote ?? '').trim();
  // A comment may be a public reply alone; a reason (退单, 注销…) is always the internal note.
  if (s.note && note === '' && !(action === 'comment' && publicNote !== '')) return { problem: 'note' };
  const body: Record<string, unknown> = { action };
  if (note !== '') body.note = note;
  if (publicNote !== '') body.publicNote = publicNote;
  if (s.fields.includes('department')) {
    const department = form.department.trim();
    if (department !== '') body.department = department;
    else if (action === 'reassign') return { problem: 'department' };
  }
  if (s.fields.includes('minutes')) {
    const minutes = Number(form.minutes);
    if (!Number.isInteger(minutes) || minutes < 1) return { problem: 'minutes' };
    body.minutes = minutes;
  }
  if (s.fields.includes('into')) {
    if (form.into.trim() === '') return { problem: 'into' };
    body.into = form.into.trim();
  }
  if (s.fields.includes('occurrences')) {
    const picked = form.occurrences ?? [];
    if (picked.length === 0 || picked.length >= occurrenceCount) return { problem: 'occurrences' };
    body.occurrences = picked;
  }
  if (s.fields.includes('point')) {
    const text = (v: string | undefined) => (v ?? '').trim();
    const lon = text(form.lon) === '' ? Number.NaN : Number(text(form.lon));
    const lat = text(form.lat) === '' ? Number.NaN : Number(text(form.lat));
    if (!(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90)) return { problem: 'point' };
    body.lon = lon;
    body.lat = lat;
  }
  return { body };
}
