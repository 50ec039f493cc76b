import { AppError } from '../errors.js';
import { eventHash, type ChainCursor } from './case-audit.js';
import { isOpen } from './case-lifecycle.js';
import { binOf, COUNTERS, statDeltas, statKeys, type Counters, type StatKey } from './case-stats.js';
import type { CaseChange } from './case.repository.js';
import {
  insertCaseSql,
  OCCURRENCE_COLUMNS,
  occurrenceValues,
  EVENT_COLUMNS,
  eventValues,
  stageUpsertSql,
  statUpsertSql,
  updateCaseSql,
  type Param,
} from './case.sql.js';
import type { CaseEventRecord } from './case.types.js';

/** The CASE_CONFLICT of a versioned update that found a newer version (either engine). */
export function conflict(caseId: string): AppError {
  return new AppError('CASE_CONFLICT', `Case ${caseId} changed meanwhile; read it again and retry.`);
}

/** One statement of a commit; `expectOne` marks a versioned update that must hit exactly one row. */
export interface PlannedStatement {
  build: (param: Param) => string;
  expectOne?: { caseId: string };
}

/** The statements of a commit, its linked events and the chain's head after them. */
export interface CommitPlan {
  statements: PlannedStatement[];
  events: CaseEventRecord[];
  head: ChainCursor;
}

/**
 * Statistics deltas summed before they are written: a commit of many changes (a group commit)
 * upserts each aggregate row once, and always in key order, so two transactions on PostgreSQL
 * cannot deadlock on the same rows taken in different orders.
 */
export class StatTally {
  private readonly counters = new Map<string, { key: StatKey; delta: Counters }>();
  private readonly stages = new Map<
    string,
    { key: StatKey; stage: string; bin: number; n: number; ms: number }
  >();

  addDelta(key: StatKey, delta: Counters): void {
    const id = statKeyId(key);
    const entry = this.counters.get(id);
    if (!entry) {
      this.counters.set(id, { key, delta: { ...delta } });
      return;
    }
    for (const counter of COUNTERS) entry.delta[counter] += delta[counter];
  }

  addStage(key: StatKey, stage: string, bin: number, ms: number): void {
    const id = `${statKeyId(key)}|${stage}|${bin}`;
    const entry = this.stages.get(id);
    if (entry) {
      entry.n += 1;
      entry.ms += ms;
    } else {
      this.stages.set(id, { key, stage, bin, n: 1, ms });
    }
  }

  /** Adds another tally's sums (a savepoint that succeeded). */
  merge(other: StatTally): void {
    for (const { key, delta } of other.counters.values()) this.addDelta(key, delta);
    for (const { key, stage, bin, n, ms } of other.stages.values()) {
      const id = `${statKeyId(key)}|${stage}|${bin}`;
      const entry = this.stages.get(id);
      if (entry) {
        entry.n += n;
        entry.ms += ms;
      } else {
        this.stages.set(id, { key, stage, bin, n, ms });
      }
    }
  }

  /** The upserts, in key order; rows whose delta is all zero are skipped. */
  statements(): PlannedStatement[] {
    const statements: PlannedStatement[] = [];
    for (const id of [...this.counters.keys()].sort()) {
      const { key, delta } = this.counters.get(id)!;
      if (COUNTERS.every((c) => delta[c] === 0)) continue;
      statements.push({ build: (p) => statUpsertSql(p, key, delta) });
    }
    for (const id of [...this.stages.keys()].sort()) {
      const { key, stage, bin, n, ms } = this.stages.get(id)!;
      statements.push({ build: (p) => stageUpsertSql(p, key, stage, bin, n, ms) });
    }
    return statements;
  }
}

function statKeyId(k: StatKey): string {
  return `${k.level}|${k.unit}|${k.grain}|${k.bucket}|${k.category}|${k.department}`;
}

/**
 * Turns changes into the statements both engines run inside one transaction, given the audit
 * chain's head read in that transaction: the events get their seq and hashes here, so the
 * planning (and its tests) need no database. The statistics deltas go to `tally`; its
 * statements run in the same transaction, after these. Without `writeHead` the caller stores the
 * new head itself (a group commit writes it once).
 */
export function planCommit(
  changes: readonly CaseChange[],
  head: ChainCursor,
  tally: StatTally,
  options: { writeHead: boolean } = { writeHead: true },
): CommitPlan {
  const statements: PlannedStatement[] = [];
  const events: CaseEventRecord[] = [];
  let at = head;
  for (const change of changes) {
    for (const { before, after, stageTimes } of change.writes) {
      const open = isOpen(after.status);
      statements.push(
        before
          ? {
              build: (p) =>
                updateCaseSql(
                  p,
                  { record: before, isOpen: isOpen(before.status) },
                  { record: after, isOpen: open },
                ),
              expectOne: { caseId: after.id },
            }
          : { build: (p) => insertCaseSql(p, after, open) },
      );
      for (const { key, delta } of statDeltas(before, after)) tally.addDelta(key, delta);
      if (after.status === 'merged') continue;
      for (const sample of stageTimes ?? []) {
        for (const key of statKeys(after)) tally.addStage(key, sample.stage, binOf(sample.ms), sample.ms);
      }
    }
    for (const occurrence of change.occurrences ?? []) {
      const values = occurrenceValues(occurrence);
      statements.push({
        build: (p) =>
          `INSERT INTO case_occurrences (${OCCURRENCE_COLUMNS.join(', ')}) VALUES (${values.map(p).join(', ')})`,
      });
    }
    for (const move of change.moves ?? []) {
      statements.push({
        build: (p) =>
          move.ids === 'all'
            ? `UPDATE case_occurrences SET case_id = ${p(move.to)} WHERE case_id = ${p(move.from)}`
            : `UPDATE case_occurrences SET case_id = ${p(move.to)} WHERE case_id = ${p(move.from)} AND id IN (${move.ids.map(p).join(', ')})`,
      });
    }
    for (const event of change.events) {
      const link = { ...event, publicNote: event.publicNote ?? null, seq: at.seq + 1, prevHash: at.hash };
      const linked: CaseEventRecord = { ...link, hash: eventHash(link, head.algorithm) };
      events.push(linked);
      at = { ...at, seq: linked.seq, hash: linked.hash };
      const values = eventValues(linked);
      statements.push({
        build: (p) =>
          `INSERT INTO case_events (${EVENT_COLUMNS.join(', ')}) VALUES (${values.map(p).join(', ')})`,
      });
    }
  }
  if (options.writeHead && at.seq !== head.seq) {
    const next = at;
    statements.push({
      build: (p) => `UPDATE case_audit_head SET seq = ${p(next.seq)}, hash = ${p(next.hash)} WHERE id = 1`,
    });
  }
  return { statements, events, head: at };
}
