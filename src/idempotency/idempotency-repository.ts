/** The `idempotency_keys` table: the first response stored per (user, key). */
import type { Kysely, Selectable } from "kysely";
import type { DatabaseSchema, IdempotencyKeysTable } from "../db/schema.js";

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;

export async function findIdempotencyKey(
  db: Kysely<DatabaseSchema>,
  ownerId: string,
  key: string,
): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom("idempotency_keys")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("key", "=", key)
    .executeTakeFirst();
}

/** Stores the row, replacing an expired one under the same (user, key); inside the caller's transaction. */
export async function putIdempotencyKey(
  trx: Kysely<DatabaseSchema>,
  row: IdempotencyKeyRow,
  replacesExpired: boolean,
): Promise<void> {
  if (replacesExpired)
    await trx.deleteFrom("idempotency_keys").where("owner_id", "=", row.owner_id).where("key", "=", row.key).execute();
  await trx.insertInto("idempotency_keys").values(row).execute();
}
