import { AppError } from '../errors.js';
import type { Category } from './case-catalog.js';
import { dueFrom, enterStage, extendedDeadlines } from './case-deadlines.js';
import { nextStatus, ruleFor, stageOf, type LifecycleState } from './case-lifecycle.js';
import type { StageSample } from './case-stats.js';
import type { CaseChain } from './case-routing.js';
import type { CaseRecord, RoutingReason } from './case.types.js';

/**
 * What each action does to a case beyond its status: the named workflows of the lifecycle
 * (dispatch sets the department, verify_fail counts a rework, an approved extension moves the
 * deadlines…). Pure: given the case, the action's input and the time, it returns the case after.
 * The deadlines themselves are computed in case-deadlines.ts.
 */

/** The input an action may carry. */
export interface ActionInput {
  /** The staff's note: private. */
  note?: string | undefined;
  /** A reply for the public (公开回复), written on purpose: the only text Open311 shows. */
  publicNote?: string | undefined;
  attachments?: string[] | undefined;
  /** Extension minutes (request_extension). */
  minutes?: number | undefined;
}

/** Everything an action needs besides the case. */
export interface EffectContext {
  now: number;
  /** Who acts, as recorded. */
  actor: string;
  category: Category;
  /** Routing for dispatch/reassign: the explicit target or the automatic decision. */
  routing?: RoutingReason | undefined;
  /** For merge: the case this one is folded into. */
  mergedInto?: string | undefined;
  /** For split: the new case and the occurrences it takes. */
  splitOff?: { id: string; occurrences: string[] } | undefined;
  /** For locate: the point, the chain there and the routing decided for it. */
  location?: { lon: number; lat: number; chain: CaseChain; routing: RoutingReason } | undefined;
}

/** The case's lifecycle facts, for the table. */
export function lifecycleState(c: CaseRecord): LifecycleState {
  return {
    status: c.status,
    extensionPending: c.extension !== null,
    suspendedFrom: c.suspendedFrom,
    needsLocation: c.lon === null,
  };
}

/** What a new case takes from the report(s) that open it. */
export type OpeningFacts = Pick<
  CaseRecord,
  | 'description'
  | 'address'
  | 'lon'
  | 'lat'
  | 'source'
  | 'reporter'
  | 'priority'
  | 'reportedAt'
  | 'lastReportedAt'
  | 'occurrences'
>;

/**
 * A case as it opens (采集, waiting for 立案): the facts of its report, where it lies, the routing
 * decision, and the registration stage's clock started at the report time.
 */
export function openingRecord(
  facts: OpeningFacts,
  id: string,
  category: Category,
  chain: { township: string; county: string; city: string },
  routing: RoutingReason,
  now: number,
): CaseRecord {
  return enterStage(
    {
      ...facts,
      id,
      status: 'reported',
      category: category.code,
      kind: category.kind,
      provinceCode: chain.city,
      countyCode: chain.county,
      townshipCode: chain.township,
      departmentType: null,
      departmentUnit: null,
      level: routing.level,
      routing,
      escalation: 0,
      registeredAt: null,
      closedAt: null,
      updatedAt: now,
      stage: null,
      stageStartedAt: now,
      stageDeadline: null,
      dueAt: dueFrom(category, facts.priority, 'register', facts.reportedAt),
      nextEscalationAt: null,
      overdue: false,
      reworkCount: 0,
      extensionCount: 0,
      extension: null,
      suspendedFrom: null,
      mergedInto: null,
      version: 1,
    },
    'register',
    facts.reportedAt,
    category,
  );
}

/** Applies an allowed action; returns the case after, the event's data and the stage times that ended. */
export function applyAction(
  c: CaseRecord,
  action: string,
  input: ActionInput,
  ctx: EffectContext,
): { after: CaseRecord; data: Record<string, unknown>; stageTimes: StageSample[] } {
  const rule = ruleFor(action);
  if (!rule) throw new AppError('INVALID_CASE_TRANSITION', `Unknown action "${action}".`);
  if (rule.note && !input.note?.trim()) {
    throw new AppError(
      'INVALID_CASE_TRANSITION',
      `The action "${action}" (${rule.zh}) needs a note giving the reason.`,
    );
  }
  const { now, category } = ctx;
  const to = nextStatus(lifecycleState(c), action);
  let after: CaseRecord = { ...c, status: to, updatedAt: now, version: c.version + 1 };
  const data: Record<string, unknown> = {};

  switch (action) {
    case 'register':
      after.registeredAt = now;
      break;
    case 'dispatch':
    case 'reassign': {
      const routing = ctx.routing;
      if (!routing) throw new AppError('INVALID_CASE_TRANSITION', 'No department to dispatch to.');
      after = {
        ...after,
        departmentType: routing.departmentType,
        departmentUnit: routing.unit,
        level: routing.level,
        routing,
      };
      data.routing = routing;
      break;
    }
    case 'verify_fail':
      after.reworkCount += 1;
      break;
    case 'close':
      after.closedAt = now;
      break;
    case 'request_extension': {
      const minutes = input.minutes;
      if (minutes === undefined || !Number.isInteger(minutes) || minutes <= 0) {
        throw new AppError(
          'INVALID_CASE_TRANSITION',
          'An extension request needs "minutes", a positive whole number.',
        );
      }
      after.extension = { minutes, by: ctx.actor, at: now, note: input.note ?? null };
      data.minutes = minutes;
      break;
    }
    case 'approve_extension': {
      const minutes = c.extension?.minutes ?? 0;
      const deadlines = extendedDeadlines(c, minutes, now);
      after = { ...after, extension: null, extensionCount: c.extensionCount + 1, ...deadlines };
      data.minutes = minutes;
      data.stageDeadline = deadlines.stageDeadline;
      break;
    }
    case 'reject_extension':
      after.extension = null;
      break;
    case 'suspend':
      after.suspendedFrom = c.status;
      break;
    case 'resume':
      after.suspendedFrom = null;
      break;
    case 'reopen':
      after = { ...after, closedAt: null, dueAt: dueFrom(category, c.priority, 'dispatch', now) };
      break;
    case 'merge':
      if (!ctx.mergedInto) {
        throw new AppError('INVALID_CASE_TRANSITION', 'A merge needs "into", the case to merge into.');
      }
      after.mergedInto = ctx.mergedInto;
      data.into = ctx.mergedInto;
      break;
    case 'split': {
      const off = ctx.splitOff;
      if (!off || off.occurrences.length === 0 || off.occurrences.length >= c.occurrences) {
        throw new AppError(
          'INVALID_CASE_TRANSITION',
          'A split moves some, not all, of the case’s occurrences to a new case.',
        );
      }
      after.occurrences = c.occurrences - off.occurrences.length;
      data.to = off.id;
      data.occurrences = off.occurrences;
      break;
    }
    case 'locate': {
      const at = ctx.location;
      if (!at) throw new AppError('INVALID_CASE_TRANSITION', 'A locate needs "lon" and "lat".');
      after = {
        ...after,
        lon: at.lon,
        lat: at.lat,
        provinceCode: at.chain.city,
        countyCode: at.chain.county,
        townshipCode: at.chain.township,
      };
      // Not yet with a department: the dispatch to come follows the place. Already dispatched:
      // the department keeps it; the command center reassigns if the place says otherwise.
      if (c.departmentType === null) after = { ...after, routing: at.routing, level: at.routing.level };
      data.lon = at.lon;
      data.lat = at.lat;
      data.from = { county: c.countyCode, township: c.townshipCode };
      data.routing = at.routing;
      break;
    }
    default:
      break;
  }

  // A new stage starts whenever the status lands in another stage, and also when work comes back
  // to the department (rework, reassignment, resume) even though the stage has the same name.
  const stageTimes: StageSample[] = [];
  const newStage = stageOf(to);
  const restarts = ['verify_fail', 'reassign', 'resume', 'reopen'].includes(action);
  if (newStage !== c.stage || restarts) {
    if (c.stage !== null && to !== 'suspended' && action !== 'merge') {
      stageTimes.push({ stage: c.stage, ms: Math.max(0, now - c.stageStartedAt) });
    }
    after = enterStage(after, newStage, now, category);
  }
  return { after, data, stageTimes };
}
