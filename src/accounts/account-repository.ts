/**
 * The `users`, `sessions` and `api_tokens` tables: every statement on them. Functions take
 * `db` (or the caller's transaction) first; the caller that owns the use case opens the
 * transaction. Rows are mapped to the API's shapes by the services, not here.
 */
import { CompiledQuery, type Kysely, type Selectable } from "kysely";
import type { Database } from "../db/database.js";
import { compiledOnce, executePrepared } from "../db/prepared.js";
import type { ApiTokensTable, DatabaseSchema, SessionsTable, UsersTable } from "../db/schema.js";

type Db = Kysely<DatabaseSchema>;
export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
/** A user joined with the API token that authenticated it. */
export type TokenUserRow = UserRow & { token_id: string; token_last_used: number | null };
/** A user joined with the session that authenticated it. */
export type SessionUserRow = UserRow & {
  session_id: string;
  csrf_token: string;
  expires_at: number;
  last_seen_at: number;
};

// Users

export async function anyUserExists(db: Db): Promise<boolean> {
  return (await db.selectFrom("users").select("id").limit(1).executeTakeFirst()) !== undefined;
}

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** By normalised (lower-case) email. */
export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

/** The user named by an email (lower-cased here) or an id. */
export function findUserByEmailOrId(db: Db, emailOrId: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where((eb) => eb.or([eb("email", "=", emailOrId.toLowerCase()), eb("id", "=", emailOrId)]))
    .executeTakeFirst();
}

/** The enabled admin created first. */
export function oldestEnabledAdmin(db: Db): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("role", "=", "admin")
    .where("disabled", "=", 0)
    .orderBy("created_at")
    .orderBy("id")
    .executeTakeFirst();
}

/** The enabled admins' ids; on PostgreSQL their rows are locked for the caller's transaction. */
export async function lockEnabledAdmins(database: Database, trx: Db): Promise<string[]> {
  let query = trx.selectFrom("users").select("id").where("role", "=", "admin").where("disabled", "=", 0);
  if (database.dialect === "postgres") query = query.forUpdate();
  return (await query.execute()).map((row) => row.id);
}

export async function insertUser(trx: Db, row: UserRow): Promise<void> {
  await trx.insertInto("users").values(row).execute();
}

export async function listUsers(db: Db, page: number, pageSize: number): Promise<{ rows: UserRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("users")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function updateUser(trx: Db, id: string, set: Partial<UserRow>): Promise<void> {
  await trx.updateTable("users").set(set).where("id", "=", id).execute();
}

// Sessions

export async function insertSession(trx: Db, row: SessionRow): Promise<void> {
  await trx.insertInto("sessions").values(row).execute();
}

export async function deleteSession(trx: Db, id: string): Promise<void> {
  await trx.deleteFrom("sessions").where("id", "=", id).execute();
}

export async function deleteUserSessions(trx: Db, userId: string): Promise<void> {
  await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function touchSession(trx: Db, id: string, now: number): Promise<void> {
  await trx.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", id).execute();
}

/** The session with this token hash and its user (expired or not: the caller decides). */
export async function findSessionByHash(database: Database, hash: string): Promise<SessionUserRow | undefined> {
  // Every uncached session request runs this: compiled once, a named prepared statement on PostgreSQL.
  const text = compiledOnce(database, "authenticate:session", ["\u0000hash"], ([h]) =>
    database.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .selectAll("users")
      .select(["sessions.id as session_id", "sessions.csrf_token", "sessions.expires_at", "sessions.last_seen_at"])
      .where("sessions.token_hash", "=", h!),
  );
  const [row] = await executePrepared<SessionUserRow>(
    database,
    CompiledQuery.raw(text, [hash]) as CompiledQuery<SessionUserRow>,
  );
  return row;
}

// API tokens

/** The unrevoked API token with this hash and its user. */
export async function findApiTokenByHash(database: Database, hash: string): Promise<TokenUserRow | undefined> {
  // Every uncached API-token request runs this: compiled once, a named prepared statement on PostgreSQL.
  const text = compiledOnce(database, "authenticate:api-token", ["\u0000hash"], ([h]) =>
    database.db
      .selectFrom("api_tokens")
      .innerJoin("users", "users.id", "api_tokens.user_id")
      .selectAll("users")
      .select(["api_tokens.id as token_id", "api_tokens.last_used_at as token_last_used"])
      .where("api_tokens.token_hash", "=", h!)
      .where("api_tokens.revoked_at", "is", null),
  );
  const [row] = await executePrepared<TokenUserRow>(
    database,
    CompiledQuery.raw(text, [hash]) as CompiledQuery<TokenUserRow>,
  );
  return row;
}

export async function touchApiToken(trx: Db, id: string, now: number): Promise<void> {
  await trx.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
}

export async function insertApiToken(trx: Db, row: ApiTokenRow): Promise<void> {
  await trx.insertInto("api_tokens").values(row).execute();
}

/** The user's unrevoked tokens, oldest first. */
export function listApiTokens(db: Db, userId: string) {
  return db
    .selectFrom("api_tokens")
    .select(["id", "name", "token_prefix", "created_at", "last_used_at"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("created_at")
    .execute();
}

/** Revokes one of the user's live tokens; false when there is none with that id. */
export async function revokeApiToken(trx: Db, userId: string, tokenId: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("id", "=", tokenId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// Credentials still current (long-lived requests)

/** The user's disabled flag and role behind a live token or an unexpired session; undefined when gone. */
export async function credentialOwner(
  db: Db,
  credential: { tokenId: string | null; sessionId: string | null },
  now: number,
): Promise<{ disabled: number; role: string } | undefined> {
  if (credential.tokenId)
    return db
      .selectFrom("api_tokens")
      .innerJoin("users", "users.id", "api_tokens.user_id")
      .select(["users.disabled", "users.role"])
      .where("api_tokens.id", "=", credential.tokenId)
      .where("api_tokens.revoked_at", "is", null)
      .executeTakeFirst();
  if (credential.sessionId)
    return db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select(["users.disabled", "users.role"])
      .where("sessions.id", "=", credential.sessionId)
      .where("sessions.expires_at", ">", now)
      .executeTakeFirst();
  return undefined;
}
