import { AppError } from '../errors.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from '../platform/db/database.js';
import type { ReportSource } from './case-intake.js';
import type { ChainCursor } from './case-audit.js';
import { KeyedMutex } from './keyed-mutex.js';
import { planCommit, StatTally, type CommitPlan, type PlannedStatement } from './case-commit.js';
import { COUNTERS, type Counters } from './case-stats.js';
import type {
  CaseChange,
  CaseListQuery,
  CaseRepository,
  CatalogSnapshot,
  StageStatsRow,
  StatsQuery,
  StatsRow,
} from './case.repository.js';
import {
  listSql,
  stageStatsSql,
  statsSql,
  toCase,
  toEvent,
  toOccurrence,
  type Param,
  type Row,
} from './case.sql.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';
import type { Category, DepartmentType, RoutingRule } from './case-catalog.js';

/** Builds a statement with `?` placeholders; returns the SQL and its values. */
function sql(build: (param: Param) => string): [string, unknown[]] {
  const values: unknown[] = [];
  const text = build((value) => {
    values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return '?';
  });
  return [text, values];
}

/** One lock table per database, shared by every repository and service over it. */
const LOCKS = new WeakMap<object, KeyedMutex>();

/** CaseRepository on the embedded SQLite database (synchronous calls in async methods, like the others). */
export class SqliteCaseRepository implements CaseRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  private all(build: (param: Param) => string): Row[] {
    const [text, values] = sql(build);
    return this.statement(text).all(...values) as Row[];
  }

  exclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    let locks = LOCKS.get(this.db);
    if (!locks) LOCKS.set(this.db, (locks = new KeyedMutex()));
    return locks.runAll(keys, fn);
  }

  async catalog(): Promise<CatalogSnapshot> {
    const rows = this.statement('SELECT kind, data FROM case_catalog ORDER BY kind, code').all() as {
      kind: string;
      data: string;
    }[];
    const of = <T>(kind: string) => rows.filter((r) => r.kind === kind).map((r) => JSON.parse(r.data) as T);
    return {
      categories: of<Category>('category'),
      departmentTypes: of<DepartmentType>('department_type'),
      rules: of<RoutingRule>('routing_rule'),
    };
  }

  async seedCatalog(defaults: CatalogSnapshot): Promise<boolean> {
    return this.db
      .transaction(() => {
        const seeded = this.statement(`SELECT 1 FROM case_settings WHERE key = 'catalog_seeded'`).get();
        if (seeded) return false;
        const put = this.statement(
          'INSERT INTO case_catalog (kind, code, data) VALUES (?, ?, ?) ON CONFLICT (kind, code) DO NOTHING',
        );
        for (const c of defaults.categories) put.run('category', c.code, JSON.stringify(c));
        for (const t of defaults.departmentTypes) put.run('department_type', t.code, JSON.stringify(t));
        for (const r of defaults.rules) put.run('routing_rule', r.id, JSON.stringify(r));
        this.statement(`INSERT INTO case_settings (key, value) VALUES ('catalog_seeded', ?)`).run(
          new Date().toISOString(),
        );
        return true;
      })
      .immediate();
  }

  private put(kind: string, code: string, data: unknown): void {
    this.statement(
      'INSERT INTO case_catalog (kind, code, data) VALUES (?, ?, ?) ON CONFLICT (kind, code) DO UPDATE SET data = excluded.data',
    ).run(kind, code, JSON.stringify(data));
  }

  async putCategory(category: Category): Promise<void> {
    this.put('category', category.code, category);
  }

  async putDepartmentType(type: DepartmentType): Promise<void> {
    this.put('department_type', type.code, type);
  }

  async putRoutingRule(rule: RoutingRule): Promise<void> {
    this.put('routing_rule', rule.id, rule);
  }

  async deleteRoutingRule(id: string): Promise<boolean> {
    return (
      this.statement(`DELETE FROM case_catalog WHERE kind = 'routing_rule' AND code = ?`).run(id).changes > 0
    );
  }

  /**
   * Group commit: changes that arrive while the event loop is busy are written together in one
   * transaction, so one fsync (synchronous=FULL) acknowledges them all. Each caller's changes run
   * in their own savepoint: a conflict rolls back that caller's changes only, and it alone gets
   * the error. Nothing resolves before the transaction is durable.
   */
  commit(changes: readonly CaseChange[]): Promise<CaseEventRecord[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private readonly pending: {
    changes: readonly CaseChange[];
    resolve: (events: CaseEventRecord[]) => void;
    reject: (error: unknown) => void;
  }[] = [];

  private flush(): void {
    const batch = this.pending.splice(0);
    const outcomes: ({ ok: true; events: CaseEventRecord[] } | { ok: false; error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          // The chain's head is read once and carried: a change rolled back leaves it where it was.
          let head = this.statement(
            'SELECT seq, hash FROM case_audit_head WHERE id = 1',
          ).get() as ChainCursor;
          const start = head.seq;
          const tally = new StatTally();
          for (const { changes } of batch) {
            try {
              const own = new StatTally();
              const plan = this.applyChanges(changes, head, own);
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
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.events);
      else item.reject(outcome.error);
    });
  }

  /** One caller's changes in a savepoint (a nested better-sqlite3 transaction). */
  private applyChanges(changes: readonly CaseChange[], head: ChainCursor, tally: StatTally): CommitPlan {
    this.savepoint ??= this.db.transaction((c: readonly CaseChange[], h: ChainCursor, t: StatTally) => {
      const plan = planCommit(c, h, t, { writeHead: false });
      this.run(plan.statements);
      return plan;
    });
    return this.savepoint(changes, head, tally);
  }

  private savepoint:
    ((changes: readonly CaseChange[], head: ChainCursor, tally: StatTally) => CommitPlan) | undefined;

  private run(statements: readonly PlannedStatement[]): void {
    for (const planned of statements) {
      const [text, values] = sql(planned.build);
      const { changes: count } = this.statement(text).run(...values);
      if (planned.expectOne && count !== 1) throw conflict(planned.expectOne.caseId);
    }
  }

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared once per SQL text (the commit's statements repeat with other values). */
  private statement(text: string): BetterSqlite3.Statement {
    let prepared = this.statements.get(text);
    if (!prepared) {
      // Texts with IN lists vary; keep the cache bounded.
      if (this.statements.size > 1_000) this.statements.clear();
      prepared = this.db.prepare(text);
      this.statements.set(text, prepared);
    }
    return prepared;
  }

  async get(id: string): Promise<CaseRecord | null> {
    const row = this.statement('SELECT * FROM cases WHERE id = ?').get(id) as Row | undefined;
    return row ? toCase(row) : null;
  }

  async findBySource(source: ReportSource, sourceRef: string): Promise<string | null> {
    const row = this.statement(
      'SELECT case_id FROM case_occurrences WHERE source = ? AND source_ref = ?',
    ).get(source, sourceRef) as { case_id: string } | undefined;
    return row?.case_id ?? null;
  }

  async findOpenNear(
    category: string,
    box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
    since: number,
  ): Promise<CaseRecord[]> {
    const rows = this.statement(
      `SELECT * FROM cases WHERE category = ? AND is_open = 1 AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
         AND last_reported_at >= ? LIMIT 50`,
    ).all(category, box.minLat, box.maxLat, box.minLon, box.maxLon, since) as Row[];
    return rows.map(toCase);
  }

  async list(query: CaseListQuery): Promise<CaseRecord[]> {
    return this.all((p) => listSql(p, query, 'LIKE')).map(toCase);
  }

  async occurrences(caseId: string): Promise<OccurrenceRecord[]> {
    const rows = this.statement(
      'SELECT * FROM case_occurrences WHERE case_id = ? ORDER BY reported_at, id',
    ).all(caseId) as Row[];
    return rows.map(toOccurrence);
  }

  async events(caseId: string): Promise<CaseEventRecord[]> {
    const rows = this.statement('SELECT * FROM case_events WHERE case_id = ? ORDER BY seq').all(
      caseId,
    ) as Row[];
    return rows.map(toEvent);
  }

  async dueForEscalation(now: number, limit: number): Promise<CaseRecord[]> {
    const rows = this.statement(
      'SELECT * FROM cases WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ? ORDER BY next_escalation_at LIMIT ?',
    ).all(now, limit) as Row[];
    return rows.map(toCase);
  }

  async stats(query: StatsQuery): Promise<StatsRow[]> {
    return this.all((p) => statsSql(p, query)).map(toStatsRow);
  }

  async stageStats(query: StatsQuery): Promise<StageStatsRow[]> {
    return this.all((p) => stageStatsSql(p, query)).map((r) => ({
      group: String(r.grp),
      stage: r.stage as string,
      bin: Number(r.bin),
      n: Number(r.n),
      totalMs: Number(r.total_ms),
    }));
  }

  async auditLinks(afterSeq: number, limit: number): Promise<CaseEventRecord[]> {
    const rows = this.statement('SELECT * FROM case_events WHERE seq > ? ORDER BY seq LIMIT ?').all(
      afterSeq,
      limit,
    ) as Row[];
    return rows.map(toEvent);
  }
}

/** A summed statistics row as counters. */
export function toStatsRow(r: Row): StatsRow {
  const counters = Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c] ?? 0)])) as Counters;
  return { group: String(r.grp), counters };
}

/** The CASE_CONFLICT of a versioned update that found a newer version. */
export function conflict(caseId: string): AppError {
  return new AppError('CASE_CONFLICT', `Case ${caseId} changed meanwhile; read it again and retry.`);
}
