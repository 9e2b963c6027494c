import type { Database } from "../db/database.js";
import { writeTransaction } from "../db/transaction.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import { newId } from "../engine/ids.js";
import { DocketError } from "../errors.js";
import type { Notifier } from "../engine/notifier.js";
import type { Logger } from "../logger.js";
import { CredentialCache, credentialHint, parseCredentialHint, type CredentialSubject } from "./credential-cache.js";
import { CredentialWatcher } from "./credential-watch.js";
import { refuseRemovingLastAdmin } from "./last-admin.js";
import * as repo from "./account-repository.js";
import type { UserRow } from "./account-repository.js";
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
    return repo.anyUserExists(this.db);
  }

  /** The first account (an admin): only while no user exists. */
  async setup(email: string, password: string): Promise<User> {
    const hash = await this.hasher.hash(password);
    return writeTransaction(this.database, async (trx) => {
      if (await repo.anyUserExists(trx))
        throw new DocketError("setup_done", "setup is already done: log in, or ask an admin for an account");
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
    if (await repo.findUserByEmail(trx, row.email))
      throw new DocketError("email_taken", "a user with this email already exists", { details: { fields: ["email"] } });
    await repo.insertUser(trx, row);
    return userRowToUser(row);
  }

  async listUsers(page: number, pageSize: number): Promise<{ items: User[]; total: number }> {
    const { rows, total } = await repo.listUsers(this.db, page, pageSize);
    return { items: rows.map(userRowToUser), total };
  }

  async updateUser(id: string, patch: { disabled?: boolean | undefined; role?: Role | undefined }): Promise<User> {
    const user = await writeTransaction(this.database, async (trx) => {
      const row = await repo.findUserById(trx, id);
      if (!row) throw new DocketError("not_found", "user not found");
      await refuseRemovingLastAdmin(this.database, trx, row, patch);
      const set: Partial<UserRow> = { updated_at: Date.now() };
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.role !== undefined) set.role = patch.role;
      await repo.updateUser(trx, id, set);
      // A disabled user's sessions end now (tokens stay, but authentication refuses them).
      if (patch.disabled) await repo.deleteUserSessions(trx, id);
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
    const row = await repo.findUserByEmail(this.db, normaliseEmail(email));
    const ok = await this.hasher.verify(row?.password_hash ?? null, password);
    if (!row || !ok || row.disabled === 1) throw new DocketError("invalid_credentials", "wrong email or password");
    const token = newSecret("dks_");
    const csrfToken = newSecret("");
    const now = Date.now();
    const expiresAt = now + SESSION_TTL_MS;
    await writeTransaction(this.database, (trx) =>
      repo.insertSession(trx, {
        id: newId(),
        user_id: row.id,
        token_hash: hashToken(token),
        csrf_token: csrfToken,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      }),
    );
    return { token, csrfToken, user: userRowToUser(row), expiresAt };
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    const id = principal.sessionId;
    await writeTransaction(this.database, (trx) => repo.deleteSession(trx, id));
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
    const row = await repo.findApiTokenByHash(this.database, hash);
    if (!row || row.disabled === 1) return null;
    if (row.token_last_used === null || now - Number(row.token_last_used) > TOUCH_INTERVAL_MS) {
      this.touchLater((trx) => repo.touchApiToken(trx, row.token_id, now));
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
    const row = await repo.findSessionByHash(this.database, hash);
    if (!row || row.disabled === 1 || Number(row.expires_at) <= now) return null;
    if (now - Number(row.last_seen_at) > TOUCH_INTERVAL_MS) {
      this.touchLater((trx) => repo.touchSession(trx, row.session_id, now));
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
    await writeTransaction(this.database, (trx) => repo.insertApiToken(trx, row));
    return { id: row.id, name, token, prefix: row.token_prefix, created_at: iso(now)!, last_used_at: null };
  }

  async listTokens(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await repo.listApiTokens(this.db, userId);
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
    const revoked = await writeTransaction(this.database, (trx) =>
      repo.revokeApiToken(trx, userId, tokenId, Date.now()),
    );
    if (!revoked) throw new DocketError("not_found", "token not found");
    this.credentialsChanged({ kind: "token", id: tokenId });
  }
}
