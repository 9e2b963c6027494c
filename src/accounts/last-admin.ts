import type { Database } from "../db/database.js";
import { DocketError } from "../errors.js";
import { lockEnabledAdmins } from "./account-repository.js";

/**
 * Refuses a change that would leave no enabled admin: disabling or demoting the last one
 * (typically an admin doing it to themselves) would leave nobody able to manage users
 * through the API. Runs inside the updating transaction; on PostgreSQL the enabled admins'
 * rows are locked, so two admins demoting each other at once cannot both succeed (SQLite
 * transactions are serial already).
 */
export async function refuseRemovingLastAdmin(
  database: Database,
  trx: Database["db"],
  target: { id: string; role: string; disabled: number },
  patch: { disabled?: boolean | undefined; role?: string | undefined },
): Promise<void> {
  const isEnabledAdmin = target.role === "admin" && Number(target.disabled) === 0;
  const removes = patch.disabled === true || (patch.role !== undefined && patch.role !== "admin");
  if (!isEnabledAdmin || !removes) return;
  const admins = await lockEnabledAdmins(database, trx);
  if (admins.some((id) => id !== target.id)) return;
  throw new DocketError("last_admin", "this is the last enabled admin: make another user admin first", {
    details: { user_id: target.id },
  });
}
