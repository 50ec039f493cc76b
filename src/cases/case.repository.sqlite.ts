import type BetterSqlite3 from 'better-sqlite3';
import { moduleBeside } from '../platform/module-worker.js';
import { StatementCache } from '../platform/db/statement-cache.js';
import { WriterThread } from '../platform/db/writer-thread.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import type { ReportSource } from './case-intake.js';
import { KeyedMutex } from './keyed-mutex.js';
import { boundSql, CaseBatchWriter } from './case-batch-writer.js';
import { receiveOutcomes, writerMethods, type CaseWriterMethods } from './case-writer.methods.js';
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
  OPEN_NEAR_SQL,
  stageStatsSql,
  statsSql,
  toCase,
  toEvent,
  toOccurrence,
  toStatsRow,
  type Param,
  type Row,
} from './case.sql.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';
import type { AuditHash, ChainCursor } from './case-audit.js';
import type { Category, DepartmentType, RoutingRule } from './case-catalog.js';

/** One lock table per database, shared by every repository and service over it. */
const LOCKS = new WeakMap<object, KeyedMutex>();

/** CaseRepository on the embedded SQLite database (synchronous calls in async methods, like the others). */
export class SqliteCaseRepository implements CaseRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  private all(build: (param: Param) => string): Row[] {
    const [text, values] = boundSql(build);
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
   * Group commit: changes that arrive while a group is being written join the next group, which
   * is written in one transaction (CaseBatchWriter: one fsync for all; a failing caller fails
   * alone).
   * With a writer thread (startWriterThread) the groups are written there and this thread goes on
   * routing and de-duplicating meanwhile; without one (SQLite in memory, CLI tools) they are
   * written here. Either way nothing resolves before its transaction is durable.
   */
  commit(changes: readonly CaseChange[]): Promise<CaseEventRecord[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Moves the group commit to a writer thread with its own connection (a SQLite file only;
   * platform/db/writer-thread.ts). Should the thread die, the groups after it are written here.
   */
  async startWriterThread(): Promise<void> {
    if (this.thread || this.database.location === ':memory:') return;
    const thread = new WriterThread<CaseWriterMethods>(this.database, {
      methods: moduleBeside(import.meta.url, 'case-writer.methods'),
      name: 'case writer',
      fallback: writerMethods(this.database, this.localWriter()),
    });
    try {
      await thread.ready;
    } catch (error) {
      await thread.stop();
      throw error;
    }
    this.thread = thread;
  }

  /** Waits for the groups queued and in flight, then stops the writer thread (commits stay on this thread). */
  async stopWriterThread(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    await this.idle();
    this.thread = undefined;
    await thread.stop();
  }

  /** Whether group commits go to the writer thread (false once it died: they are written here). */
  get writesOnThread(): boolean {
    return this.thread !== undefined && !this.thread.failed;
  }

  private thread: WriterThread<CaseWriterMethods> | undefined;
  private local: CaseBatchWriter | undefined;
  /** Groups sent and not yet answered. */
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly pending: {
    changes: readonly CaseChange[];
    resolve: (events: CaseEventRecord[]) => void;
    reject: (error: unknown) => void;
  }[] = [];

  private schedule(): void {
    // Two groups in flight on the writer thread: it starts on the next as soon as one is committed
    // while this thread settles the callers of that one and routes their next reports; with one,
    // the threads would take turns. Groups stay in order; each reads the audit head it follows.
    const limit = this.writesOnThread ? 2 : 1;
    if (this.inFlight >= limit || this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    // After the current turn of the event loop: callers that arrive in it share the group.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    const group = this.pending.splice(0);
    try {
      const batch = group.map((g) => g.changes);
      const outcomes = this.thread
        ? receiveOutcomes(await this.thread.call('write', [batch]))
        : this.localWriter().write(batch);
      group.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.resolve(outcome.events);
        else item.reject(outcome.error);
      });
    } catch (error) {
      // The whole transaction failed, or the writer thread died with the group in flight (the
      // groups after it go to the thread's fallback: this connection).
      for (const item of group) item.reject(error);
    } finally {
      this.inFlight--;
      if (this.pending.length > 0) this.schedule();
      else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private localWriter(): CaseBatchWriter {
    return (this.local ??= new CaseBatchWriter(this.db));
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0 && !this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private statementCache: StatementCache | undefined;

  private statement(text: string): BetterSqlite3.Statement {
    return (this.statementCache ??= new StatementCache(this.db)).get(text);
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
    const rows = this.statement(OPEN_NEAR_SQL).all(
      category,
      box.minLat,
      box.maxLat,
      box.minLon,
      box.maxLon,
      since,
    ) as Row[];
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

  async auditHead(): Promise<Required<ChainCursor>> {
    const head = this.statement(
      'SELECT seq, hash, algorithm FROM case_audit_head WHERE id = 1',
    ).get() as Required<ChainCursor>;
    return { ...head, seq: Number(head.seq) };
  }

  async setAuditHash(algorithm: AuditHash): Promise<void> {
    this.statement('UPDATE case_audit_head SET algorithm = ? WHERE id = 1').run(algorithm);
  }

  async publicEvents(from: number, to: number, limit: number): Promise<CaseEventRecord[]> {
    const rows = this.statement(
      'SELECT * FROM case_events WHERE public_note IS NOT NULL AND at >= ? AND at < ? ORDER BY at, seq LIMIT ?',
    ).all(from, to, limit) as Row[];
    return rows.map(toEvent);
  }

  async auditLinks(afterSeq: number, limit: number): Promise<CaseEventRecord[]> {
    const rows = this.statement('SELECT * FROM case_events WHERE seq > ? ORDER BY seq LIMIT ?').all(
      afterSeq,
      limit,
    ) as Row[];
    return rows.map(toEvent);
  }
}
