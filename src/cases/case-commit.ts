import { eventHash, type ChainCursor } from './case-audit.js';
import { isOpen } from './case-lifecycle.js';
import { binOf, statDeltas, statKeys } from './case-stats.js';
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

/** One statement of a commit; `expectOne` marks a versioned update that must hit exactly one row. */
export interface PlannedStatement {
  build: (param: Param) => string;
  expectOne?: { caseId: string };
}

/**
 * Turns changes into the statements both engines run inside one transaction, given the audit
 * chain's head read in that transaction: the events get their seq and hashes here, so the
 * planning (and its tests) need no database.
 */
export function planCommit(
  changes: readonly CaseChange[],
  head: ChainCursor,
): { statements: PlannedStatement[]; events: CaseEventRecord[]; head: ChainCursor } {
  const statements: PlannedStatement[] = [];
  const events: CaseEventRecord[] = [];
  let at = head;
  for (const change of changes) {
    for (const { before, after, stageTimes } of change.writes) {
      const open = isOpen(after.status);
      statements.push(
        before
          ? { build: (p) => updateCaseSql(p, after, open, before.version), expectOne: { caseId: after.id } }
          : { build: (p) => insertCaseSql(p, after, open) },
      );
      for (const { key, delta } of statDeltas(before, after)) {
        statements.push({ build: (p) => statUpsertSql(p, key, delta) });
      }
      for (const sample of stageTimes ?? []) {
        if (after.status === 'merged') continue;
        for (const key of statKeys(after)) {
          statements.push({
            build: (p) => stageUpsertSql(p, key, sample.stage, binOf(sample.ms), sample.ms),
          });
        }
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
      const link = { ...event, seq: at.seq + 1, prevHash: at.hash };
      const linked: CaseEventRecord = { ...link, hash: eventHash(link) };
      events.push(linked);
      at = { seq: linked.seq, hash: linked.hash };
      const values = eventValues(linked);
      statements.push({
        build: (p) =>
          `INSERT INTO case_events (${EVENT_COLUMNS.join(', ')}) VALUES (${values.map(p).join(', ')})`,
      });
    }
  }
  if (at.seq !== head.seq) {
    const next = at;
    statements.push({
      build: (p) => `UPDATE case_audit_head SET seq = ${p(next.seq)}, hash = ${p(next.hash)} WHERE id = 1`,
    });
  }
  return { statements, events, head: at };
}
