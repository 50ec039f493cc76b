import { AppError } from '../errors.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import type { ReportSource } from './case-intake.js';
import { planCommit } from './case-commit.js';
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

/** CaseRepository on the embedded SQLite database (synchronous calls in async methods, like the others). */
export class SqliteCaseRepository implements CaseRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  private all(build: (param: Param) => string): Row[] {
    const [text, values] = sql(build);
    return this.db.prepare(text).all(...values) as Row[];
  }

  async catalog(): Promise<CatalogSnapshot> {
    const rows = this.db.prepare('SELECT kind, data FROM case_catalog ORDER BY kind, code').all() as {
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
        const seeded = this.db.prepare(`SELECT 1 FROM case_settings WHERE key = 'catalog_seeded'`).get();
        if (seeded) return false;
        const put = this.db.prepare(
          'INSERT INTO case_catalog (kind, code, data) VALUES (?, ?, ?) ON CONFLICT (kind, code) DO NOTHING',
        );
        for (const c of defaults.categories) put.run('category', c.code, JSON.stringify(c));
        for (const t of defaults.departmentTypes) put.run('department_type', t.code, JSON.stringify(t));
        for (const r of defaults.rules) put.run('routing_rule', r.id, JSON.stringify(r));
        this.db
          .prepare(`INSERT INTO case_settings (key, value) VALUES ('catalog_seeded', ?)`)
          .run(new Date().toISOString());
        return true;
      })
      .immediate();
  }

  private put(kind: string, code: string, data: unknown): void {
    this.db
      .prepare(
        'INSERT INTO case_catalog (kind, code, data) VALUES (?, ?, ?) ON CONFLICT (kind, code) DO UPDATE SET data = excluded.data',
      )
      .run(kind, code, JSON.stringify(data));
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
      this.db.prepare(`DELETE FROM case_catalog WHERE kind = 'routing_rule' AND code = ?`).run(id).changes > 0
    );
  }

  async commit(changes: readonly CaseChange[]): Promise<CaseEventRecord[]> {
    return this.db
      .transaction(() => {
        const head = this.db.prepare('SELECT seq, hash FROM case_audit_head WHERE id = 1').get() as {
          seq: number;
          hash: string;
        };
        const plan = planCommit(changes, head);
        for (const statement of plan.statements) {
          const [text, values] = sql(statement.build);
          const { changes: count } = this.db.prepare(text).run(...values);
          if (statement.expectOne && count !== 1) throw conflict(statement.expectOne.caseId);
        }
        return plan.events;
      })
      .immediate();
  }

  async get(id: string): Promise<CaseRecord | null> {
    const row = this.db.prepare('SELECT * FROM cases WHERE id = ?').get(id) as Row | undefined;
    return row ? toCase(row) : null;
  }

  async findBySource(source: ReportSource, sourceRef: string): Promise<string | null> {
    const row = this.db
      .prepare('SELECT case_id FROM case_occurrences WHERE source = ? AND source_ref = ?')
      .get(source, sourceRef) as { case_id: string } | undefined;
    return row?.case_id ?? null;
  }

  async findOpenNear(
    category: string,
    box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
    since: number,
  ): Promise<CaseRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM cases WHERE category = ? AND is_open = 1 AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
         AND last_reported_at >= ? LIMIT 50`,
      )
      .all(category, box.minLat, box.maxLat, box.minLon, box.maxLon, since) as Row[];
    return rows.map(toCase);
  }

  async list(query: CaseListQuery): Promise<CaseRecord[]> {
    return this.all((p) => listSql(p, query, 'LIKE')).map(toCase);
  }

  async occurrences(caseId: string): Promise<OccurrenceRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM case_occurrences WHERE case_id = ? ORDER BY reported_at, id')
      .all(caseId) as Row[];
    return rows.map(toOccurrence);
  }

  async events(caseId: string): Promise<CaseEventRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM case_events WHERE case_id = ? ORDER BY seq')
      .all(caseId) as Row[];
    return rows.map(toEvent);
  }

  async dueForEscalation(now: number, limit: number): Promise<CaseRecord[]> {
    const rows = this.db
      .prepare(
        'SELECT * FROM cases WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ? ORDER BY next_escalation_at LIMIT ?',
      )
      .all(now, limit) as Row[];
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
    const rows = this.db
      .prepare('SELECT * FROM case_events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as Row[];
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
