import { sql } from "kysely";
import type { Database } from "../db/database.js";

/**
 * Serialises, per upload blob key, recording a document that points at the blob and the
 * blob sweeper deciding that nothing does. Call inside the write transaction. PostgreSQL: a
 * transaction-scoped advisory lock on the key's hash. SQLite: nothing to do, its write
 * transactions already run one at a time.
 */
export async function lockUploadKey(database: Database, trx: Database["db"], key: string): Promise<void> {
  if (database.dialect !== "postgres") return;
  await sql`select pg_advisory_xact_lock(hashtext(${`docket-upload:${key}`}))`.execute(trx);
}
