import type BetterSqlite3 from 'better-sqlite3';

/** SQLite statements prepared once per SQL text and kept (statements repeat with other values). */
export class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    /** Texts with IN lists vary: past this many, the cache starts over. */
    private readonly limit = 1_000,
  ) {}

  get(text: string): BetterSqlite3.Statement {
    let prepared = this.statements.get(text);
    if (!prepared) {
      if (this.statements.size > this.limit) this.statements.clear();
      prepared = this.db.prepare(text);
      this.statements.set(text, prepared);
    }
    return prepared;
  }
}
