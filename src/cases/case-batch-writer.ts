import type BetterSqlite3 from 'better-sqlite3';
import { StatementCache } from '../platform/db/statement-cache.js';
import { AppError } from '../errors.js';
import type { ChainCursor } from './case-audit.js';
import { conflict, planCommit, StatTally, type CommitPlan, type PlannedStatement } from './case-commit.js';
import { findDuplicate } from './case-dedup.js';
import type { CaseChange, DedupCheck } from './case.repository.js';
import { OPEN_NEAR_SQL, toCase, type Param, type Row } from './case.sql.js';
import type { CaseEventRecord } from './case.types.js';

/** One caller's changes in a group commit. */
export type CommitBatch = readonly (readonly CaseChange[])[];

/** What became of one caller's changes: its linked events, or the error that rolled them back. */
export type CommitOutcome = { ok: true; events: CaseEventRecord[] } | { ok: false; error: unknown };

/** Builds a statement with `?` placeholders; returns the SQL and its values. */
export function boundSql(build: (param: Param) => string): [string, unknown[]] {
  const values: unknown[] = [];
  const text = build((value) => {
    values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return '?';
  });
  return [text, values];
}

/** A caller's failure in the optimistic pass: the group is written again, a savepoint per caller. */
class CallerFailed extends Error {
  constructor(readonly failure: unknown) {
    super('a change of the group failed');
  }
}

/**
 * The SQLite side of a group commit, synchronous and connection-bound, so it runs the same on the
 * caller's thread (SQLite in memory, CLI tools) and on the case writer thread (CaseWriterThread).
 *
 * All callers' changes go into one transaction, so one fsync (synchronous=FULL) makes them all
 * durable. A conflict fails that caller's changes only, and only its outcome carries the error:
 * the group is then written again with each caller's changes in their own savepoint. The audit
 * chain's head is read once per transaction and carried; a caller rolled back leaves it where it
 * was. Statistics deltas of the callers that succeeded are summed and upserted once per row, in
 * key order.
 */
export class CaseBatchWriter {
  private readonly statements: StatementCache;
  private readonly savepoint: (
    changes: readonly CaseChange[],
    head: ChainCursor,
    tally: StatTally,
  ) => CommitPlan;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.statements = new StatementCache(db);
    this.savepoint = db.transaction((changes: readonly CaseChange[], head: ChainCursor, tally: StatTally) =>
      this.apply(changes, head, tally),
    );
  }

  /** One caller's changes: the re-check when needed, then its statements. */
  private apply(changes: readonly CaseChange[], head: ChainCursor, tally: StatTally): CommitPlan {
    if (this.foreignWrites) for (const change of changes) if (change.opens) this.recheck(change.opens);
    const plan = planCommit(changes, head, tally, { writeHead: false });
    this.run(plan.statements);
    return plan;
  }

  /** Writes a group of callers' changes in one durable transaction; throws if the whole of it failed. */
  write(batch: CommitBatch): CommitOutcome[] {
    try {
      // Optimistic first: no savepoints (two statements per caller saved). Failures are rare —
      // a stale version, a duplicate opened by another process — and send the group through once
      // more with a savepoint per caller, so only the failing caller gets the error.
      return this.writeGroup(batch, false);
    } catch (error) {
      if (!(error instanceof CallerFailed)) throw error;
      return this.writeGroup(batch, true);
    }
  }

  private writeGroup(batch: CommitBatch, isolated: boolean): CommitOutcome[] {
    const outcomes: CommitOutcome[] = [];
    let head: ChainCursor = { seq: 0, hash: '' };
    this.db
      .transaction(() => {
        head = this.statement(
          'SELECT seq, hash, algorithm FROM case_audit_head WHERE id = 1',
        ).get() as ChainCursor;
        const start = head.seq;
        // Every case write moves the audit head: if it is not where this writer left it, another
        // process (a CLI import beside the server) wrote cases, which this process's
        // de-duplication locks did not see; the new cases of this group are checked again.
        this.foreignWrites = this.lastSeq !== head.seq;
        const tally = new StatTally();
        for (const changes of batch) {
          if (!isolated) {
            let plan: CommitPlan;
            try {
              plan = this.apply(changes, head, tally);
            } catch (error) {
              throw new CallerFailed(error);
            }
            outcomes.push({ ok: true, events: plan.events });
            head = plan.head;
            continue;
          }
          try {
            const own = new StatTally();
            const plan = this.savepoint(changes, head, own);
            outcomes.push({ ok: true, events: plan.events });
            head = plan.head;
            tally.merge(own);
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        this.run(tally.statements());
        if (head.seq !== start) {
          this.statement('UPDATE case_audit_head SET seq = ?, hash = ? WHERE id = 1').run(
            head.seq,
            head.hash,
          );
        }
      })
      .immediate();
    this.lastSeq = head.seq;
    return outcomes;
  }

  /** The audit head this writer left; undefined before its first group. */
  private lastSeq: number | undefined;
  private foreignWrites = true;

  /** CASE_CONFLICT when an open duplicate of the report is there now. */
  private recheck(check: DedupCheck): void {
    const { box, report } = check;
    const rows = this.statement(OPEN_NEAR_SQL).all(
      report.category,
      box.minLat,
      box.maxLat,
      box.minLon,
      box.maxLon,
      check.since,
    ) as Row[];
    const duplicate = findDuplicate(rows.map(toCase), report, {
      dedupRadiusM: check.radiusM,
      dedupWindowMin: check.windowMin,
    });
    if (duplicate) {
      throw new AppError('CASE_CONFLICT', `Case ${duplicate.id} was opened for this place meanwhile.`, {
        duplicateOf: duplicate.id,
      });
    }
  }

  private run(statements: readonly PlannedStatement[]): void {
    for (const planned of statements) {
      const [text, values] = boundSql(planned.build);
      const { changes: count } = this.statement(text).run(...values);
      if (planned.expectOne && count !== 1) throw conflict(planned.expectOne.caseId);
    }
  }

  private statement(text: string): BetterSqlite3.Statement {
    return this.statements.get(text);
  }
}
