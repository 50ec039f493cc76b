import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { caseEvent, type CaseDeps } from './case-deps.js';
import { draftCase } from './case-draft.js';
import { applyAction, lifecycleState, type ActionInput, type EffectContext } from './case-effects.js';
import { allowedActions, isOpen, refusal, ruleFor } from './case-lifecycle.js';
import { chainOf } from './case-records.js';
import { actorKind, chainAt, requireCase, type CaseActor } from './case-scope.js';
import type { CaseChange } from './case.repository.js';
import type { CaseRecord, RoutingReason } from './case.types.js';

/**
 * Transitions (流转): one lifecycle action on a case, checked against the table in
 * case-lifecycle.ts, with what merge (合并), split (拆分) and locate (定位) do to other cases.
 */

/** A transition request. */
export interface TransitionInput extends ActionInput {
  action: string;
  /** dispatch / reassign: `type` or `type@unit`. */
  department?: string | undefined;
  /** merge: the case to merge into. */
  into?: string | undefined;
  /** split: the occurrences that become a new case. */
  occurrences?: string[] | undefined;
  /** split: the new case's category (default: the same). */
  category?: string | undefined;
  /** locate: the point (WGS84) of a case reported without one. */
  lon?: number | undefined;
  lat?: number | undefined;
}

/** Applies one lifecycle action; 409 CASE_ACTION_NOT_ALLOWED when the table refuses it. */
export async function transitionCase(
  deps: CaseDeps,
  id: string,
  input: TransitionInput,
  actor: CaseActor,
  visible: Visibility,
): Promise<void> {
  const { catalog } = deps;
  const record = await requireCase(deps.repository, id, visible);
  const kind = actorKind(record, actor, visible);
  const state = lifecycleState(record);
  const why =
    input.action === 'escalate' && actor.kind !== 'system' ? 'actor' : refusal(state, input.action, kind);
  if (why === 'unknown') throw new AppError('INVALID_CASE_TRANSITION', `Unknown action "${input.action}".`);
  if (why !== null) {
    const allowed = allowedActions(state, kind).filter((a) => a !== 'escalate');
    throw new AppError(
      'CASE_ACTION_NOT_ALLOWED',
      `"${input.action}" (${ruleFor(input.action)?.zh}) is not allowed on case ${id} in status ${record.status} for you.`,
      { action: input.action, status: record.status, reason: why, allowed },
    );
  }
  const publicNote = input.publicNote?.trim() || null;
  // A public reply speaks for the city: the command center or the department holding the case,
  // not an observer from another department.
  if (publicNote !== null && kind === 'observer') {
    throw new AppError(
      'CASE_ACTION_NOT_ALLOWED',
      `Only the command center or the department holding case ${id} may write a public reply.`,
      { action: input.action, status: record.status, reason: 'public_note', allowed: [] },
    );
  }
  const category = catalog.category(record.category);
  const now = deps.clock();
  let routing: RoutingReason | undefined;
  if (input.action === 'dispatch' || input.action === 'reassign') {
    routing = input.department
      ? catalog.manualRouting(record, category, input.department, actor.name)
      : (record.routing ?? catalog.route(category, record.priority, chainOf(record)));
  }
  let location: EffectContext['location'];
  if (input.action === 'locate') {
    if (input.lon === undefined || input.lat === undefined) {
      throw new AppError('INVALID_CASE_TRANSITION', 'A locate (定位) needs "lon" and "lat" (WGS84).');
    }
    const chain = chainAt(deps.jurisdictions, input.lon, input.lat, visible);
    const located = catalog.route(category, record.priority, chain);
    location = { lon: input.lon, lat: input.lat, chain, routing: located };
  }
  const changes: CaseChange[] = [];
  if (input.action === 'merge') {
    changes.push(await mergeTarget(deps, record, input.into, actor, visible, now));
  }
  let splitOff: { id: string; occurrences: string[] } | undefined;
  if (input.action === 'split') {
    const split = await splitCase(deps, record, input, actor, visible, now);
    changes.push(split.change);
    splitOff = { id: split.id, occurrences: split.occurrences };
  }
  const result = applyAction(record, input.action, input, {
    now,
    actor: actor.name,
    category,
    routing,
    mergedInto: input.into,
    splitOff,
    location,
  });
  const event = caseEvent(
    result.after,
    input.action,
    record.status,
    now,
    actor.name,
    input.note ?? null,
    input.attachments ?? [],
    result.data,
    publicNote,
  );
  changes.unshift({
    writes: [{ before: record, after: result.after, stageTimes: result.stageTimes }],
    events: [event],
  });
  await deps.commit(changes);
}

/** The change to the case a merge folds into: it takes the occurrences. */
async function mergeTarget(
  deps: CaseDeps,
  source: CaseRecord,
  into: string | undefined,
  actor: CaseActor,
  visible: Visibility,
  now: number,
): Promise<CaseChange> {
  if (!into || into === source.id) {
    throw new AppError('INVALID_CASE_TRANSITION', 'A merge needs "into", another open case.');
  }
  const target = await requireCase(deps.repository, into, visible);
  if (!isOpen(target.status)) {
    throw new AppError('CASE_ACTION_NOT_ALLOWED', `Case ${into} is not open.`, { status: target.status });
  }
  const after: CaseRecord = {
    ...target,
    occurrences: target.occurrences + source.occurrences,
    lastReportedAt: Math.max(target.lastReportedAt, source.lastReportedAt),
    updatedAt: now,
    version: target.version + 1,
  };
  return {
    writes: [{ before: target, after }],
    events: [
      caseEvent(after, 'merge_in', target.status, now, actor.name, null, [], {
        from: source.id,
        occurrences: source.occurrences,
      }),
    ],
    moves: [{ ids: 'all', from: source.id, to: target.id }],
  };
}

/**
 * The new case a split (拆分) makes from some of a case's occurrences: a report that turned out
 * to be another problem, or the same problem somewhere else. It opens where its earliest moved
 * occurrence was made, in `input.category` (or the same category), routed afresh; registered
 * and dispatched at once unless the case it leaves was still waiting for registration.
 */
async function splitCase(
  deps: CaseDeps,
  source: CaseRecord,
  input: TransitionInput,
  actor: CaseActor,
  visible: Visibility,
  now: number,
): Promise<{ id: string; occurrences: string[]; change: CaseChange }> {
  const wanted = new Set(input.occurrences ?? []);
  const all = await deps.repository.occurrences(source.id);
  const moved = all.filter((o) => wanted.has(o.id));
  if (wanted.size === 0 || moved.length !== wanted.size || moved.length >= all.length) {
    throw new AppError(
      'INVALID_CASE_TRANSITION',
      `A split needs "occurrences": ids of some, not all, of case ${source.id}'s occurrences (it has ${all.length}).`,
      { unknown: [...wanted].filter((id) => !all.some((o) => o.id === id)) },
    );
  }
  const category = deps.catalog.category(input.category ?? source.category);
  const first = moved[0]!;
  // The split-off case opens where its first report was made; a report without a point takes
  // the case's point, or, when the case has none either, its place (and stays 待定位).
  const point =
    first.lon !== null && first.lat !== null
      ? { lon: first.lon, lat: first.lat }
      : source.lon !== null && source.lat !== null
        ? { lon: source.lon, lat: source.lat }
        : null;
  const { record, change } = draftCase(
    deps.catalog,
    {
      description: first.description,
      address: point ? null : source.address,
      lon: point?.lon ?? null,
      lat: point?.lat ?? null,
      source: first.source,
      reporter: first.reporter,
      priority: input.category ? category.priority : source.priority,
      reportedAt: first.reportedAt,
      lastReportedAt: Math.max(...moved.map((o) => o.reportedAt)),
      occurrences: moved.length,
    },
    category,
    point ? chainAt(deps.jurisdictions, point.lon, point.lat, visible) : chainOf(source),
    now,
    {
      action: 'split_in',
      actor: actor.name,
      note: input.note ?? null,
      attachments: input.attachments ?? [],
      data: { from: source.id, occurrences: moved.map((o) => o.id) },
    },
    source.status !== 'reported',
  );
  change.moves = [{ ids: moved.map((o) => o.id), from: source.id, to: record.id }];
  return { id: record.id, occurrences: moved.map((o) => o.id), change };
}
