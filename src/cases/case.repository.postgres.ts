import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import type { Category, DepartmentType, RoutingRule } from './case-catalog.js';
import { conflict, planCommit, StatTally } from './case-commit.js';
import { KeyedMutex, Semaphore } from './keyed-mutex.js';
import type { ReportSource } from './case-intake.js';
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
  toStatsRow,
  type Param,
  type Row,
} from './case.sql.js';
import type { CaseEventRecord, CaseRecord, OccurrenceRecord } from './case.types.js';
import type { AuditHash, ChainCursor } from './case-audit.js';

/** Builds a statement with `$n` placeholders; returns the SQL and its values. */
function sql(build: (param: Param) => string): [string, unknown[]] {
  const values: unknown[] = [];
  const text = build((value) => {
    values.push(value);
    return `$${values.length}`;
  });
  return [text, values];
}

/** Per pool: the in-process queue in front of the advisory locks, and a cap on lock holders. */
const LOCKS = new WeakMap<object, { local: KeyedMutex; holders: Semaphore }>();

/** CaseRepository on PostgreSQL. */
export class PostgresCaseRepository implements CaseRepository {
  constructor(private readonly database: PostgresDatabase) {}

  /**
   * In-process callers queue on a KeyedMutex first (no round trips among themselves); the holder
   * then takes session advisory locks on a client of its own, so API processes sharing the
   * database serialise too. A crashed process's connection closes and its locks go with it.
   * Holders are capped below the pool size: their work needs pooled clients of its own.
   */
  async exclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    let locks = LOCKS.get(this.pool);
    if (!locks) {
      const max = this.pool.options.max ?? 10;
      LOCKS.set(
        this.pool,
        (locks = { local: new KeyedMutex(), holders: new Semaphore(Math.max(1, max >> 1)) }),
      );
    }
    const { local, holders } = locks;
    const sorted = [...new Set(keys)].sort();
    const space = this.database.schema ?? '';
    return local.runAll(sorted, () =>
      holders.run(async () => {
        const client = await this.pool.connect();
        try {
          // One statement, in sorted order: two processes cannot each hold a lock the other wants.
          await client.query(
            `SELECT pg_advisory_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, i) ORDER BY i`,
            [sorted.map((k) => `cityops.cases:${space}:${k}`)],
          );
          try {
            return await fn();
          } finally {
            await client.query('SELECT pg_advisory_unlock_all()');
          }
        } finally {
          client.release();
        }
      }),
    );
  }

  private get pool() {
    return this.database.pool;
  }

  private async all(build: (param: Param) => string): Promise<Row[]> {
    const [text, values] = sql(build);
    return (await this.pool.query(text, values)).rows as Row[];
  }

  async catalog(): Promise<CatalogSnapshot> {
    const { rows } = await this.pool.query<{ kind: string; data: string }>(
      'SELECT kind, data FROM case_catalog ORDER BY kind, code',
    );
    const of = <T>(kind: string) => rows.filter((r) => r.kind === kind).map((r) => JSON.parse(r.data) as T);
    return {
      categories: of<Category>('category'),
      departmentTypes: of<DepartmentType>('department_type'),
      rules: of<RoutingRule>('routing_rule'),
    };
  }

  async seedCatalog(defaults: CatalogSnapshot): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO case_settings (key, value) VALUES ('catalog_seeded', $1) ON CONFLICT (key) DO NOTHING`,
        [new Date().toISOString()],
      );
      if (rowCount !== 1) return false;
      const put = (kind: string, code: string, data: unknown) =>
        client.query(
          'INSERT INTO case_catalog (kind, code, data) VALUES ($1, $2, $3) ON CONFLICT (kind, code) DO NOTHING',
          [kind, code, JSON.stringify(data)],
        );
      for (const c of defaults.categories) await put('category', c.code, c);
      for (const t of defaults.departmentTypes) await put('department_type', t.code, t);
      for (const r of defaults.rules) await put('routing_rule', r.id, r);
      return true;
    });
  }

  private async put(kind: string, code: string, data: unknown): Promise<void> {
    await this.pool.query(
      'INSERT INTO case_catalog (kind, code, data) VALUES ($1, $2, $3) ON CONFLICT (kind, code) DO UPDATE SET data = excluded.data',
      [kind, code, JSON.stringify(data)],
    );
  }

  async putCategory(category: Category): Promise<void> {
    await this.put('category', category.code, category);
  }

  async putDepartmentType(type: DepartmentType): Promise<void> {
    await this.put('department_type', type.code, type);
  }

  async putRoutingRule(rule: RoutingRule): Promise<void> {
    await this.put('routing_rule', rule.id, rule);
  }

  async deleteRoutingRule(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM case_catalog WHERE kind = 'routing_rule' AND code = $1`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async commit(changes: readonly CaseChange[]): Promise<CaseEventRecord[]> {
    return withTransaction(this.pool, async (client) => {
      // FOR UPDATE on the one head row serialises appends, so the chain never forks.
      const { rows } = await client.query<ChainCursor>(
        'SELECT seq, hash, algorithm FROM case_audit_head WHERE id = 1 FOR UPDATE',
      );
      const tally = new StatTally();
      const plan = planCommit(changes, rows[0]!, tally);
      for (const statement of [...plan.statements, ...tally.statements()]) {
        const [text, values] = sql(statement.build);
        const { rowCount } = await client.query(text, values);
        if (statement.expectOne && rowCount !== 1) throw conflict(statement.expectOne.caseId);
      }
      return plan.events;
    });
  }

  async get(id: string): Promise<CaseRecord | null> {
    const { rows } = await this.pool.query('SELECT * FROM cases WHERE id = $1', [id]);
    return rows[0] ? toCase(rows[0] as Row) : null;
  }

  async findBySource(source: ReportSource, sourceRef: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ case_id: string }>(
      'SELECT case_id FROM case_occurrences WHERE source = $1 AND source_ref = $2',
      [source, sourceRef],
    );
    return rows[0]?.case_id ?? null;
  }

  async findOpenNear(
    category: string,
    box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
    since: number,
  ): Promise<CaseRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM cases WHERE category = $1 AND is_open = 1 AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5
       AND last_reported_at >= $6 LIMIT 50`,
      [category, box.minLat, box.maxLat, box.minLon, box.maxLon, since],
    );
    return (rows as Row[]).map(toCase);
  }

  async list(query: CaseListQuery): Promise<CaseRecord[]> {
    return (await this.all((p) => listSql(p, query, 'ILIKE'))).map(toCase);
  }

  async occurrences(caseId: string): Promise<OccurrenceRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM case_occurrences WHERE case_id = $1 ORDER BY reported_at, id',
      [caseId],
    );
    return (rows as Row[]).map(toOccurrence);
  }

  async events(caseId: string): Promise<CaseEventRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq', [
      caseId,
    ]);
    return (rows as Row[]).map(toEvent);
  }

  async dueForEscalation(now: number, limit: number): Promise<CaseRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM cases WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= $1 ORDER BY next_escalation_at LIMIT $2',
      [now, limit],
    );
    return (rows as Row[]).map(toCase);
  }

  async stats(query: StatsQuery): Promise<StatsRow[]> {
    return (await this.all((p) => statsSql(p, query))).map(toStatsRow);
  }

  async stageStats(query: StatsQuery): Promise<StageStatsRow[]> {
    return (await this.all((p) => stageStatsSql(p, query))).map((r) => ({
      group: String(r.grp),
      stage: r.stage as string,
      bin: Number(r.bin),
      n: Number(r.n),
      totalMs: Number(r.total_ms),
    }));
  }

  async auditHead(): Promise<Required<ChainCursor>> {
    const head = (
      await this.pool.query<Required<ChainCursor>>(
        'SELECT seq, hash, algorithm FROM case_audit_head WHERE id = 1',
      )
    ).rows[0]!;
    return { ...head, seq: Number(head.seq) };
  }

  async setAuditHash(algorithm: AuditHash): Promise<void> {
    await this.pool.query('UPDATE case_audit_head SET algorithm = $1 WHERE id = 1', [algorithm]);
  }

  async publicEvents(from: number, to: number, limit: number): Promise<CaseEventRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM case_events WHERE public_note IS NOT NULL AND at >= $1 AND at < $2 ORDER BY at, seq LIMIT $3',
      [from, to, limit],
    );
    return (rows as Row[]).map(toEvent);
  }

  async auditLinks(afterSeq: number, limit: number): Promise<CaseEventRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM case_events WHERE seq > $1 ORDER BY seq LIMIT $2', [
      afterSeq,
      limit,
    ]);
    return (rows as Row[]).map(toEvent);
  }
}
