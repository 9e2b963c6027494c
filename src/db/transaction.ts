import { setTimeout as sleep } from "node:timers/promises";
import { sql, type Kysely } from "kysely";
import type { Database } from "./database.js";
import type { DatabaseSchema } from "./schema.js";

export type Tx = Kysely<DatabaseSchema>;

const MAX_WAIT_MS = 30_000;

function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

function isPostgresRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // serialization_failure, deadlock_detected
  return code === "40001" || code === "40P01";
}

/**
 * Runs `work` in one short write transaction and retries it when the database says "try
 * again". On SQLite the transaction starts with BEGIN IMMEDIATE: a deferred transaction
 * that reads and then upgrades to a write can fail with SQLITE_BUSY in a way that cannot
 * simply be retried, while an immediate one takes the write lock up front. Waiting for that
 * lock happens here, asynchronously, so a busy database never blocks the event loop.
 *
 * `work` may run more than once: it must do nothing but database work through `trx`.
 */
export async function writeTransaction<T>(database: Database, work: (trx: Tx) => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      if (database.dialect === "postgres") {
        return await database.db.transaction().execute(work);
      }
      return await database.db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const result = await work(connection);
          await sql`commit`.execute(connection);
          return result;
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      const retryable = database.dialect === "postgres" ? isPostgresRetryable(error) : isSqliteBusy(error);
      if (!retryable || Date.now() - started > MAX_WAIT_MS) throw error;
      // Exponential back-off with full jitter, capped low: lock holders are short transactions.
      const cap = Math.min(100, 2 * 2 ** Math.min(attempt, 6));
      await sleep(Math.random() * cap);
    }
  }
}
