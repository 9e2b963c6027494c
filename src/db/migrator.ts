import { sql, type Kysely } from "kysely";
import type { Database } from "./database.js";
import { writeTransaction } from "./transaction.js";
import * as m0001 from "./migrations/0001_initial.js";
import * as m0002 from "./migrations/0002_fields.js";
import * as m0003 from "./migrations/0003_collections.js";
import * as m0004 from "./migrations/0004_destinations.js";
import * as m0005 from "./migrations/0005_one_active_job.js";

interface Migration {
  id: string;
  up(db: Kysely<unknown>, dialect: Database["dialect"]): Promise<void>;
  /**
   * SQLite: run with foreign keys off, as its table-rebuild procedure requires (the pragma
   * is a no-op inside a transaction, so it is set around it); the migration itself must run
   * `foreign_key_check` before it returns.
   */
  foreignKeysOff?: boolean;
}

/** Every migration in order. Append only; released migrations are frozen. */
const MIGRATIONS: readonly Migration[] = [
  { id: "0001_initial", up: m0001.up },
  { id: "0002_fields", up: m0002.up },
  { id: "0003_collections", up: m0003.up, foreignKeysOff: m0003.foreignKeysOff },
  { id: "0004_destinations", up: m0004.up },
  { id: "0005_one_active_job", up: m0005.up },
];

// An arbitrary constant: the key of the advisory lock that serialises migrations when
// several processes start at once on PostgreSQL.
const MIGRATION_LOCK_KEY = 4_216_031_337;

export interface MigrationReport {
  applied: string[];
  current: string | null;
}

export interface MigrateOptions {
  /** Stop after this migration (tests upgrade a database that holds data from an older schema). */
  upTo?: string;
}

/** Applies pending migrations, each in its own transaction; safe to run from many processes at once. */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<MigrationReport> {
  const { db, dialect } = database;
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  await sql`create table if not exists docket_migrations (id text primary key, applied_at ${sql.raw(bigint)} not null)`.execute(
    db,
  );

  const applied: string[] = [];
  const run = async (): Promise<void> => {
    const last =
      options.upTo === undefined ? MIGRATIONS.length - 1 : MIGRATIONS.findIndex((m) => m.id === options.upTo);
    if (last < 0) throw new Error(`unknown migration ${options.upTo}`);
    for (const migration of MIGRATIONS.slice(0, last + 1)) {
      const foreignKeysOff = migration.foreignKeysOff === true && dialect === "sqlite";
      // Kysely's SQLite dialect has one connection, so the pragma holds for the transaction.
      if (foreignKeysOff) await sql`pragma foreign_keys = off`.execute(db);
      try {
        await writeTransaction(database, async (trx) => {
          const done = await sql<{ id: string }>`select id from docket_migrations where id = ${migration.id}`.execute(
            trx,
          );
          if (done.rows.length > 0) return;
          await migration.up(trx as unknown as Kysely<unknown>, dialect);
          await sql`insert into docket_migrations (id, applied_at) values (${migration.id}, ${Date.now()})`.execute(
            trx,
          );
          applied.push(migration.id);
        });
      } finally {
        if (foreignKeysOff) await sql`pragma foreign_keys = on`.execute(db);
      }
    }
  };

  if (dialect === "postgres") {
    await db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        await run();
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    });
  } else {
    await run();
  }
  return { applied, current: MIGRATIONS.at(-1)?.id ?? null };
}

export async function pendingMigrations(database: Database): Promise<string[]> {
  try {
    const rows = await sql<{ id: string }>`select id from docket_migrations`.execute(database.db);
    const done = new Set(rows.rows.map((r) => r.id));
    return MIGRATIONS.map((m) => m.id).filter((id) => !done.has(id));
  } catch {
    return MIGRATIONS.map((m) => m.id);
  }
}
