/**
 * Who local CLI mode acts as: `--as <email or id>`, else the oldest enabled admin (created
 * from DOCKET_ADMIN_EMAIL / DOCKET_ADMIN_PASSWORD when no account exists yet). Whoever can
 * open the data directory can read the database anyway, so local mode asks for no password.
 */
import { findUserByEmailOrId, oldestEnabledAdmin } from "../../accounts/account-repository.js";
import { userRowToUser, type AccountService, type User } from "../../accounts/account-service.js";
import type { Config } from "../../config.js";
import type { Database } from "../../db/database.js";
import { CliError } from "../errors.js";

export async function findLocalActor(
  database: Database,
  accounts: AccountService,
  config: Config,
  as: string | undefined,
): Promise<User> {
  const { db } = database;
  const named = as?.trim();
  if (named) {
    const row = await findUserByEmailOrId(db, named);
    if (!row) throw new CliError(`--as ${named}: no such user in ${database.description} (see \`docket users list\`)`);
    if (row.disabled === 1) throw new CliError(`--as ${named}: this account is disabled`);
    return userRowToUser(row);
  }
  let row = await oldestEnabledAdmin(db);
  if (!row && !(await accounts.hasUsers())) {
    await accounts.bootstrapAdmin(config.adminEmail, config.adminPassword);
    row = await oldestEnabledAdmin(db);
  }
  if (!row) {
    throw new CliError(
      (await accounts.hasUsers())
        ? `no enabled admin account in ${database.description}: name the user to act as with --as <email>`
        : `no account exists yet in ${database.description}: create the first (admin) one with \`docket users add you@example.com\`, or set DOCKET_ADMIN_EMAIL and DOCKET_ADMIN_PASSWORD`,
    );
  }
  return userRowToUser(row);
}
