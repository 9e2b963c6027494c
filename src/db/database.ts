import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { CachingSqliteConnection } from "./sqlite-statement-cache.js";
import pg from "pg";
import type { DatabaseSchema } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

/** An open database: the Kysely instance plus what the dialect-specific parts need. */
export interface Database {
  readonly dialect: DialectName;
  readonly db: Kysely<DatabaseSchema>;
  /** PostgreSQL only: connection settings for dedicated LISTEN connections. */
  readonly pgConfig: pg.PoolConfig | null;
  /** PostgreSQL only: the pool behind `db`, for named prepared statements (see prepared.ts). */
  readonly pgPool: pg.Pool | null;
  /** SQLite only: the file path (":memory:" is refused: several processes must share it). */
  readonly sqlitePath: string | null;
  /** A description safe to log (no password). */
  readonly description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` / `postgresql://…`, `sqlite:<path>`, or empty for `<dataDir>/docket.db`. */
  url?: string | undefined;
  dataDir: string;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
}

// int8 (bigint) columns hold epoch milliseconds and small counters, far below 2^53:
// parse them as numbers, with a per-pool type parser rather than mutating pg globally.
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}

/**
 * A server restart or pg_terminate_backend ends every connection with an error. The pool
 * listens on idle clients only: a client that is checked out between two queries (inside
 * a transaction, or held by a prepared-statement caller) emits its error with no listener,
 * and an unhandled 'error' event ends the process. Every client gets a listener for its
 * whole life; the error still fails the query that runs, and the pool discards the dead
 * client when it is released.
 */
export function survivePostgresRestarts(pool: pg.Pool): void {
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (isPostgresUrl(options.url)) return openPostgres(options.url!, options.poolSize ?? 10);
  const path = options.url?.startsWith("sqlite:")
    ? resolve(options.url.slice("sqlite:".length))
    : join(resolve(options.dataDir), "docket.db");
  return openSqlite(path);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pgConfig: pg.PoolConfig = {
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    // A lost connection surfaces as an error on the next query instead of hanging forever.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Named prepared statements (db/prepared.ts) exist to skip planning. PostgreSQL plans the
    // first executions for their values and keeps doing so whenever it estimates the generic
    // plan dearer, which it does for the engine's batch statement (it cannot see into its JSON
    // input): planning cost more than running it. Their plans are index lookups either way.
    options: "-c plan_cache_mode=force_generic_plan",
  };
  const pool = new pg.Pool(pgConfig);
  survivePostgresRestarts(pool);
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: "postgres",
    db,
    pgConfig,
    pgPool: pool,
    sqlitePath: null,
    description: maskUrl(url),
    close: () => db.destroy(),
  };
}

async function openSqlite(path: string): Promise<Database> {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({
      database: async () => {
        // A short busy timeout: better-sqlite3 waits synchronously, which would stall the
        // event loop (and heartbeats). Write transactions retry BEGIN IMMEDIATE
        // asynchronously instead (see transaction.ts).
        const connection = new BetterSqlite3(path, { timeout: 50 });
        connection.pragma("journal_mode = WAL");
        connection.pragma("synchronous = NORMAL");
        connection.pragma("foreign_keys = ON");
        connection.pragma("busy_timeout = 50");
        return new CachingSqliteConnection(connection);
      },
    }),
  });
  return {
    dialect: "sqlite",
    db,
    pgConfig: null,
    pgPool: null,
    sqlitePath: path,
    description: `sqlite:${path}`,
    close: () => db.destroy(),
  };
}

/** A round trip to the database (the readiness check). */
export async function pingDatabase(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}
