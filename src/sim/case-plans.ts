import type { DepartmentBehaviour } from './scenario.types.js';
import { normal, stringHash, unit } from './sim-random.js';

/** The part of a case (GET /api/v1/cases item) the simulated staff decide on. */
export interface CaseView {
  id: string;
  status: string;
  category: string;
  priority: string;
  source: string;
  reporter: string | null;
  description: string;
  jurisdiction: { township: string | null };
  department: { type: string } | null;
  reworkCount: number;
  extensionCount: number;
  extension: { minutes: number } | null;
}

/** Minutes per stage (立案, 派遣, 处置, 核查, 结案) for a category and priority, from the catalog. */
export type StageLimits = Record<'register' | 'dispatch' | 'handle' | 'verify' | 'close', number>;

/** What the staff will do next on a case, and how long after they first saw it in this state. */
export interface Step {
  by: 'command' | 'handler';
  action: string;
  afterMinutes: number;
  note?: string;
  minutes?: number;
  attachments?: string[];
}

/** Stage limits when the catalog cannot be read: the catalog's normal-priority defaults. */
export const FALLBACK_LIMITS: StageLimits = {
  register: 30,
  dispatch: 30,
  handle: 240,
  verify: 120,
  close: 60,
};

/**
 * The next step on a case, decided from its state and a hash of its id (so a case is decided the
 * same way on every poll and every run of the same seed). Delays are a share of the stage's time
 * limit, log-normally spread around 30 % of it, so most cases finish in time and a few run over
 * (按期结案率 below 100 %); a share of cases is cancelled, returned, extended, reworked or put on
 * hold (挂账) — the last is what keeps 结案率 near the 97 % the city reports. Null: nothing to do.
 */
export function nextStep(
  c: CaseView,
  limits: StageLimits,
  behaviour: DepartmentBehaviour,
  seed: number,
  /** What the staff did before that the case does not show: a department returns a case once and asks for more time once. */
  history: { returned: boolean; extensionAsked: boolean } = { returned: false, extensionAsked: false },
): Step | null {
  const h = stringHash(c.id);
  const chance = (salt: number) => unit(seed, h, salt, c.reworkCount);
  const delay = (limit: number, salt: number, median = 0.3) =>
    Math.max(
      0.5,
      limit * median * Math.exp(0.7 * normal(seed, h, salt, c.reworkCount)) * behaviour.delayFactor,
    );
  const working = c.status === 'dispatched' || c.status === 'in_progress' || c.status === 'rework';
  if (working && c.extension !== null) {
    return chance(1) < 0.85
      ? { by: 'command', action: 'approve_extension', afterMinutes: delay(limits.verify, 2) }
      : {
          by: 'command',
          action: 'reject_extension',
          afterMinutes: delay(limits.verify, 2),
          note: '延期理由不充分，请按期处置',
        };
  }
  switch (c.status) {
    case 'reported':
      return chance(3) < behaviour.cancelShare
        ? {
            by: 'command',
            action: 'cancel',
            afterMinutes: delay(limits.register, 4),
            note: '经核实为无效或重复上报，予以注销',
          }
        : { by: 'command', action: 'register', afterMinutes: delay(limits.register, 4) };
    case 'registered':
      return { by: 'command', action: 'dispatch', afterMinutes: delay(limits.dispatch, 5) };
    case 'dispatched':
      if (
        !history.returned &&
        c.reworkCount === 0 &&
        chance(6) < behaviour.returnShare &&
        c.source !== 'alarm'
      ) {
        return {
          by: 'handler',
          action: 'return',
          afterMinutes: delay(limits.dispatch, 7),
          note: '经核实不属于本部门职责，申请退回',
        };
      }
      return { by: 'handler', action: 'accept', afterMinutes: delay(limits.dispatch, 7, 0.2) };
    case 'in_progress':
      if (chance(8) < behaviour.suspendShare) {
        return {
          by: 'command',
          action: 'suspend',
          afterMinutes: delay(limits.handle, 9, 0.2),
          note: '需专项资金或跨部门协调，暂予挂账',
        };
      }
      // Only approvals count in extensionCount, so a rejected request is remembered by the staff.
      if (!history.extensionAsked && c.extensionCount === 0 && chance(10) < behaviour.extensionShare) {
        return {
          by: 'handler',
          action: 'request_extension',
          afterMinutes: delay(limits.handle, 11, 0.15),
          minutes: Math.max(30, Math.round(limits.handle / 2)),
          note: '需协调施工或等待材料，申请延期',
        };
      }
      return {
        by: 'handler',
        action: 'handle',
        afterMinutes: delay(limits.handle, 12),
        note: '已到场处置完毕',
        attachments: [`https://photos.cityops.invalid/handled/${c.id}.jpg`],
      };
    case 'rework':
      return {
        by: 'handler',
        action: 'handle',
        afterMinutes: delay(limits.handle, 13, 0.15),
        note: '已按核查意见返工处置',
      };
    case 'handled':
      return c.reworkCount === 0 && chance(14) < behaviour.reworkShare
        ? {
            by: 'command',
            action: 'verify_fail',
            afterMinutes: delay(limits.verify, 15),
            note: '现场核查未处置到位，退回返工',
          }
        : { by: 'command', action: 'verify_pass', afterMinutes: delay(limits.verify, 15) };
    case 'verified':
      return { by: 'command', action: 'close', afterMinutes: delay(limits.close, 16, 0.2) };
    default:
      // suspended, closed, cancelled, merged: nobody moves them in a drill.
      return null;
  }
}

/**
 * Whether a case is the fleet's own (for `--work own`): opened by its cameras, its citizens' key,
 * or an alarm of one of its sensors — or of an area where it has sensors (composite rules).
 */
export function isOwnCase(
  c: CaseView,
  fleet: {
    prefix: string;
    open311Label: string;
    cameraCases: ReadonlySet<string>;
    townships: ReadonlySet<string>;
  },
): boolean {
  if (fleet.cameraCases.has(c.id)) return true;
  switch (c.source) {
    case 'open311':
      return c.reporter === fleet.open311Label;
    case 'camera':
      return c.description.includes(`摄像头 ${fleet.prefix}-`);
    case 'alarm':
      return (
        c.description.includes(`传感器 ${fleet.prefix}-`) ||
        (c.description.includes('区域 ') && fleet.townships.has(c.jurisdiction.township ?? ''))
      );
    default:
      return false;
  }
}
