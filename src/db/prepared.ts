import { createHash } from "node:crypto";
import type { CompiledQuery, RawBuilder } from "kysely";
import type { Database } from "./database.js";

/** Statement names by SQL text: hashing once per distinct text, not per execution. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `docket_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

const compiledTexts = new WeakMap<Database, Map<string, string>>();

/**
 * The SQL text of a query shape, compiled once per database and `key`: building and
 * compiling a Kysely query costs more than running a primary-key lookup, and the hot paths
 * (the status read, authentication) run the same shape thousands of times a second. `build`
 * gets one sentinel value per parameter; the compiled parameters must come out in the order
 * given, so callers can pass values positionally (`CompiledQuery.raw(text, values)`).
 */
export function compiledOnce(
  database: Database,
  key: string,
  sentinels: readonly string[],
  build: (sentinels: readonly string[]) => { compile(): CompiledQuery },
): string {
  let texts = compiledTexts.get(database);
  if (texts === undefined) compiledTexts.set(database, (texts = new Map()));
  const known = texts.get(key);
  if (known !== undefined) return known;
  const compiled = build(sentinels).compile();
  if (compiled.parameters.length !== sentinels.length || compiled.parameters.some((p, i) => p !== sentinels[i])) {
    throw new Error(
      `${key}: parameters compiled as ${JSON.stringify(compiled.parameters)}, expected ${JSON.stringify(sentinels)}`,
    );
  }
  texts.set(key, compiled.sql);
  return compiled.sql;
}

/**
 * Runs a query as a named prepared statement on PostgreSQL (plain execution elsewhere).
 *
 * Why: the queue's claim and transition statements are multi-CTE statements whose planning
 * costs more than their execution (measured: ~1 ms planning against ~0.3 ms of work for the
 * claim). A named statement is parsed once per pooled connection and, after a few runs,
 * PostgreSQL switches it to a cached generic plan. Only for statements whose SQL text comes
 * from a bounded set of shapes: every distinct text stays prepared on each connection.
 * Accepts a raw `sql` template or a compiled query builder (`builder.compile()`).
 */
export async function executePrepared<R>(database: Database, query: RawBuilder<R> | CompiledQuery<R>): Promise<R[]> {
  const compiled = "sql" in query ? query : query.compile(database.db);
  if (database.dialect !== "postgres" || database.pgPool === null) {
    return (await database.db.executeQuery<R>(compiled)).rows;
  }
  const result = await database.pgPool.query({
    name: statementName(compiled.sql),
    text: compiled.sql,
    values: compiled.parameters as unknown[],
  });
  return result.rows as R[];
}

/**
 * Runs SQL text with positional values on PostgreSQL's pool as a named prepared statement
 * (see executePrepared). For the engine's hot statements, whose texts are constants.
 */
export function preparedRunner(
  database: Database,
): (text: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]> {
  const pool = database.pgPool;
  if (pool === null) throw new Error("preparedRunner: PostgreSQL only");
  return async (text, values) =>
    (await pool.query({ name: statementName(text), text, values: values as unknown[] })).rows as Record<
      string,
      unknown
    >[];
}

/**
 * PostgreSQL: `work` in one transaction on one pooled connection, its statements sent as
 * named prepared statements (the engine's claim). Retries serialization failures and
 * deadlocks like writeTransaction does.
 */
export async function preparedTransaction<T>(
  database: Database,
  work: (run: (text: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>,
): Promise<T> {
  const pool = database.pgPool;
  if (pool === null) throw new Error("preparedTransaction: PostgreSQL only");
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query("begin");
      const result = await work(
        async (text, values) =>
          (await client.query({ name: statementName(text), text, values: values as unknown[] })).rows as Record<
            string,
            unknown
          >[],
      );
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => {
        broken = true;
      });
      const code = (error as { code?: unknown } | null)?.code;
      if ((code === "40001" || code === "40P01") && attempt < 5) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
