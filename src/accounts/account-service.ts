import { CompiledQuery, type Selectable } from "kysely";
import type { Database } from "../db/database.js";
import { compiledOnce, executePrepared } from "../db/prepared.js";
import type { UsersTable } from "../db/schema.js";
import { writeTransaction } from "../db/transaction.js";
import { newId } from "../engine/ids.js";
import { DocketError } from "../errors.js";
import type { Notifier } from "../engine/notifier.js";
import type { Logger } from "../logger.js";
import { CredentialCache, credentialHint, parseCredentialHint, type CredentialSubject } from "./credential-cache.js";
import { CredentialWatcher } from "./credential-watch.js";
import { refuseRemovingLastAdmin } from "./last-admin.js";
import { hashToken, newSecret, PasswordHasher, safeEqual, type PasswordHashingOptions } from "./secrets.js";

export type Role = "user" | "admin";

/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: string;
}

/** Who is calling, and how they proved it. */
export interface Principal {
  user: User;
  via: "api_token" | "session_bearer" | "session_cookie";
  /** The session's CSRF token (session authentication only). */
  csrfToken: string | null;
  sessionId: string | null;
  tokenId: string | null;
  /** A stable key for per-credential rate limits (a hash, never the secret). */
  rateKey: string;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

const SESSION_TTL_MS = 14 * 24 * 3600_000;
/** last_used_at / last_seen_at are bookkeeping: write them at most this often per credential. */
const TOUCH_INTERVAL_MS = 60_000;

type UserRow = Selectable<UsersTable>;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function userRowToUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role === "admin" ? "admin" : "user",
    disabled: row.disabled === 1,
    created_at: iso(row.created_at)!,
  };
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    (typeof e?.message === "string" && /UNIQUE constraint/i.test(e.message))
  );
}

export interface AccountServiceOptions {
  hashing?: PasswordHashingOptions | undefined;
  /**
   * Publishes `auth` hints after changes to credentials and users. Where its hints cross
   * processes (PostgreSQL), verified credentials are also cached (see credential-cache.ts).
   * SQLite gets no cache: another process (the CLI in local mode) may change the same file
   * with no way to tell this one, and there a lookup costs about 0.05 ms in-process anyway.
   */
  notifier?: Notifier | undefined;
}

type TokenRow = UserRow & { token_id: string; token_last_used: number | null };
type SessionRow = UserRow & { session_id: string; csrf_token: string; expires_at: number; last_seen_at: number };

/** Users, passwords, sessions and API tokens. */
export class AccountService {
  private readonly hasher: PasswordHasher;
  private readonly notifier: Notifier | undefined;
  private readonly credentials: CredentialCache | undefined;
  readonly watcher: CredentialWatcher; // ends event streams and long-polls whose credential ends

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    options: AccountServiceOptions = {},
  ) {
    this.hasher = new PasswordHasher(options.hashing ?? {});
    this.notifier = options.notifier;
    this.watcher = new CredentialWatcher(database, options.notifier);
    const notifier = options.notifier;
    if (notifier?.crossProcess) {
      const cache = new CredentialCache({ hintsLive: () => notifier.hintsLive("auth") });
      notifier.subscribe("auth", (payload) => cache.forget(parseCredentialHint(payload)));
      this.credentials = cache;
    }
  }

  /** Bookkeeping (last used / last seen) written in the background: a request never waits for it, nor fails on it. */
  private touchLater(write: (trx: Database["db"]) => Promise<unknown>): void {
    void writeTransaction(this.database, write).catch(() => undefined);
  }

  /** After a commit that ends or changes credentials: every process drops what it cached. */
  private credentialsChanged(subject: CredentialSubject): void {
    this.notifier?.publish("auth", credentialHint(subject));
  }

  private get db() {
    return this.database.db;
  }

  async hasUsers(): Promise<boolean> {
    return (await this.db.selectFrom("users").select("id").limit(1).executeTakeFirst()) !== undefined;
  }

  /** The first account (an admin): only while no user exists. */
  async setup(email: string, password: string): Promise<User> {
    const hash = await this.hasher.hash(password);
    return writeTransaction(this.database, async (trx) => {
      const any = await trx.selectFrom("users").select("id").limit(1).executeTakeFirst();
      if (any) throw new DocketError("setup_done", "setup is already done: log in, or ask an admin for an account");
      return this.insertUser(trx, email, hash, "admin");
    });
  }

  /** Start-up bootstrap from DOCKET_ADMIN_EMAIL / DOCKET_ADMIN_PASSWORD. */
  async bootstrapAdmin(email: string | undefined, password: string | undefined): Promise<void> {
    if (!email || !password) return;
    try {
      const user = await this.setup(email, password);
      this.log.info({ userId: user.id, email: user.email }, "created the admin account from DOCKET_ADMIN_EMAIL");
    } catch (error) {
      if (!(error instanceof DocketError && error.code === "setup_done")) throw error;
    }
  }

  async createUser(email: string, password: string, role: Role): Promise<User> {
    const hash = await this.hasher.hash(password);
    try {
      return await writeTransaction(this.database, (trx) => this.insertUser(trx, email, hash, role));
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DocketError("email_taken", "a user with this email already exists", {
          details: { fields: ["email"] },
        });
      throw error;
    }
  }

  private async insertUser(trx: Database["db"], email: string, hash: string, role: Role): Promise<User> {
    const now = Date.now();
    const row: UserRow = {
      id: newId(),
      email: normaliseEmail(email),
      password_hash: hash,
      role,
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    const taken = await trx.selectFrom("users").select("id").where("email", "=", row.email).executeTakeFirst();
    if (taken)
      throw new DocketError("email_taken", "a user with this email already exists", { details: { fields: ["email"] } });
    await trx.insertInto("users").values(row).execute();
    return userRowToUser(row);
  }

  async listUsers(page: number, pageSize: number): Promise<{ items: User[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom("users")
        .selectAll()
        .orderBy("created_at")
        .orderBy("id")
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      this.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(userRowToUser), total: Number(count.n) };
  }

  async updateUser(id: string, patch: { disabled?: boolean | undefined; role?: Role | undefined }): Promise<User> {
    const user = await writeTransaction(this.database, async (trx) => {
      const row = await trx.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw new DocketError("not_found", "user not found");
      await refuseRemovingLastAdmin(this.database, trx, row, patch);
      const set: Partial<UserRow> = { updated_at: Date.now() };
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.role !== undefined) set.role = patch.role;
      await trx.updateTable("users").set(set).where("id", "=", id).execute();
      if (patch.disabled) {
        // A disabled user's sessions end now (tokens stay, but authentication refuses them).
        await trx.deleteFrom("sessions").where("user_id", "=", id).execute();
      }
      return userRowToUser({ ...row, ...set });
    });
    this.credentialsChanged({ kind: "user", id });
    return user;
  }

  /**
   * Same answer for an unknown email, a wrong password and a disabled account, and about the
   * same time (a dummy hash is verified when the user does not exist).
   */
  async login(
    email: string,
    password: string,
  ): Promise<{ token: string; csrfToken: string; user: User; expiresAt: number }> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normaliseEmail(email))
      .executeTakeFirst();
    const ok = await this.hasher.verify(row?.password_hash ?? null, password);
    if (!row || !ok || row.disabled === 1) throw new DocketError("invalid_credentials", "wrong email or password");
    const token = newSecret("dks_");
    const csrfToken = newSecret("");
    const now = Date.now();
    const expiresAt = now + SESSION_TTL_MS;
    await writeTransaction(this.database, (trx) =>
      trx
        .insertInto("sessions")
        .values({
          id: newId(),
          user_id: row.id,
          token_hash: hashToken(token),
          csrf_token: csrfToken,
          created_at: now,
          expires_at: expiresAt,
          last_seen_at: now,
        })
        .execute(),
    );
    return { token, csrfToken, user: userRowToUser(row), expiresAt };
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    const id = principal.sessionId;
    await writeTransaction(this.database, (trx) => trx.deleteFrom("sessions").where("id", "=", id).execute());
    this.credentialsChanged({ kind: "session", id });
  }

  /** Resolves a bearer token (API or session token) or a session cookie to its user; null when invalid. */
  async authenticate(secret: string, via: "bearer" | "cookie"): Promise<Principal | null> {
    const hash = hashToken(secret);
    const isApiToken = via === "bearer" && secret.startsWith("dkt_");
    // The cache key says how the secret came: a session token is a different principal as a
    // cookie (CSRF applies) than as a bearer token.
    const key = isApiToken ? hash : `${via}:${hash}`;
    const cached = this.credentials?.get(key);
    if (cached !== undefined) return cached;
    const lookup = this.credentials?.begin();
    const now = Date.now();
    const found = isApiToken ? await this.findApiToken(hash, now) : await this.findSession(hash, via, now);
    if (found !== null && lookup !== undefined) this.credentials!.store(lookup, key, found.principal, found.expiresAt);
    return found?.principal ?? null;
  }

  private async findApiToken(hash: string, now: number): Promise<{ principal: Principal; expiresAt: null } | null> {
    // Every uncached API-token request runs this: compiled once, a named prepared statement on PostgreSQL.
    const text = compiledOnce(this.database, "authenticate:api-token", ["\u0000hash"], ([h]) =>
      this.db
        .selectFrom("api_tokens")
        .innerJoin("users", "users.id", "api_tokens.user_id")
        .selectAll("users")
        .select(["api_tokens.id as token_id", "api_tokens.last_used_at as token_last_used"])
        .where("api_tokens.token_hash", "=", h!)
        .where("api_tokens.revoked_at", "is", null),
    );
    const [row] = await executePrepared<TokenRow>(
      this.database,
      CompiledQuery.raw(text, [hash]) as CompiledQuery<TokenRow>,
    );
    if (!row || row.disabled === 1) return null;
    if (row.token_last_used === null || now - Number(row.token_last_used) > TOUCH_INTERVAL_MS) {
      this.touchLater((trx) =>
        trx.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.token_id).execute(),
      );
    }
    return {
      principal: {
        user: userRowToUser(row),
        via: "api_token",
        csrfToken: null,
        sessionId: null,
        tokenId: row.token_id,
        rateKey: `t:${hash.slice(0, 24)}`,
      },
      expiresAt: null,
    };
  }

  private async findSession(
    hash: string,
    via: "bearer" | "cookie",
    now: number,
  ): Promise<{ principal: Principal; expiresAt: number } | null> {
    const text = compiledOnce(this.database, "authenticate:session", ["\u0000hash"], ([h]) =>
      this.db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .selectAll("users")
        .select(["sessions.id as session_id", "sessions.csrf_token", "sessions.expires_at", "sessions.last_seen_at"])
        .where("sessions.token_hash", "=", h!),
    );
    const [row] = await executePrepared<SessionRow>(
      this.database,
      CompiledQuery.raw(text, [hash]) as CompiledQuery<SessionRow>,
    );
    if (!row || row.disabled === 1 || Number(row.expires_at) <= now) return null;
    if (now - Number(row.last_seen_at) > TOUCH_INTERVAL_MS) {
      this.touchLater((trx) =>
        trx.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", row.session_id).execute(),
      );
    }
    return {
      principal: {
        user: userRowToUser(row),
        via: via === "cookie" ? "session_cookie" : "session_bearer",
        csrfToken: row.csrf_token,
        sessionId: row.session_id,
        tokenId: null,
        rateKey: `s:${hash.slice(0, 24)}`,
      },
      expiresAt: Number(row.expires_at),
    };
  }

  checkCsrf(principal: Principal, header: string | undefined): boolean {
    return principal.csrfToken !== null && header !== undefined && safeEqual(principal.csrfToken, header);
  }

  async createToken(userId: string, name: string): Promise<ApiTokenInfo & { token: string }> {
    const token = newSecret("dkt_");
    const now = Date.now();
    const row = {
      id: newId(),
      user_id: userId,
      name,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, 10),
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await writeTransaction(this.database, (trx) => trx.insertInto("api_tokens").values(row).execute());
    return { id: row.id, name, token, prefix: row.token_prefix, created_at: iso(now)!, last_used_at: null };
  }

  async listTokens(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.db
      .selectFrom("api_tokens")
      .select(["id", "name", "token_prefix", "created_at", "last_used_at"])
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.token_prefix,
      created_at: iso(r.created_at)!,
      last_used_at: iso(r.last_used_at),
    }));
  }

  /** Revokes one of the user's tokens; another user's token is not found. */
  async revokeToken(userId: string, tokenId: string): Promise<void> {
    const result = await writeTransaction(this.database, (trx) =>
      trx
        .updateTable("api_tokens")
        .set({ revoked_at: Date.now() })
        .where("id", "=", tokenId)
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) === 0) throw new DocketError("not_found", "token not found");
    this.credentialsChanged({ kind: "token", id: tokenId });
  }
}
