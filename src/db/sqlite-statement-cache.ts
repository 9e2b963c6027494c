import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * A better-sqlite3 connection for Kysely that compiles each distinct SQL text once.
 *
 * Why: Kysely's SQLite driver calls `prepare` for every query, and compiling the statement
 * cost more than running it on the hot read paths (profiled on the status endpoint: about
 * 55 µs to prepare against 45 µs to execute each of its four lookups). A prepared statement
 * is reusable as long as it is not in the middle of an iteration, which `busy` reports; a
 * busy one (a streamed query still open) gets a fresh, uncached statement instead.
 *
 * Bounded, least recently used first out: texts with variable-length IN lists are distinct
 * statements and must not grow the cache without limit.
 */
export class CachingSqliteConnection implements SqliteDatabase {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    readonly connection: BetterSqlite3.Database,
    readonly capacity = 256,
  ) {}

  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      if (cached.busy) return this.connection.prepare(sql);
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.connection.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.capacity) this.#statements.delete(this.#statements.keys().next().value!);
    return statement;
  }

  /** How many statements are held (for tests). */
  get size(): number {
    return this.#statements.size;
  }

  close(): void {
    this.#statements.clear();
    this.connection.close();
  }
}
