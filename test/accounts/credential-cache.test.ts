import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { AccountService, type Principal } from "../../src/accounts/account-service.js";
import { CredentialCache, credentialHint, parseCredentialHint } from "../../src/accounts/credential-cache.js";
import { hashToken } from "../../src/accounts/secrets.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createNotifier } from "../../src/engine/engine.js";
import type { Notifier } from "../../src/engine/notifier.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "../support/databases.js";

const FAST_HASHING = { memoryCost: 1024, timeCost: 1 };

function principal(userId: string, ids: { sessionId?: string; tokenId?: string } = {}): Principal {
  return {
    user: {
      id: userId,
      email: `${userId}@example.test`,
      role: "user",
      disabled: false,
      created_at: new Date(0).toISOString(),
    },
    via: ids.tokenId ? "api_token" : "session_bearer",
    csrfToken: null,
    sessionId: ids.sessionId ?? null,
    tokenId: ids.tokenId ?? null,
    rateKey: `k:${userId}`,
  };
}

describe("credential cache", () => {
  let now = 1_000_000;
  let live = true;
  const cache = () => new CredentialCache({ ttlMs: 10_000, capacity: 3, hintsLive: () => live, now: () => now });

  it("keeps a verified credential for its time to live, and a session no longer than its expiry", () => {
    live = true;
    const c = cache();
    c.store(c.begin(), "token", principal("u1", { tokenId: "t1" }), null);
    c.store(c.begin(), "session", principal("u1", { sessionId: "s1" }), now + 5_000);
    assert.equal(c.get("token")?.tokenId, "t1");
    now += 6_000;
    assert.equal(c.get("session"), undefined, "the session expired after 5 s");
    assert.equal(c.get("token")?.tokenId, "t1");
    now += 4_000;
    assert.equal(c.get("token"), undefined, "10 s after caching it is read again");
  });

  it("forgets by user, session or token, and everything on *", () => {
    live = true;
    const c = new CredentialCache({ hintsLive: () => true, now: () => now });
    c.store(c.begin(), "a", principal("u1", { tokenId: "t1" }), null);
    c.store(c.begin(), "b", principal("u1", { sessionId: "s1" }), null);
    c.store(c.begin(), "c", principal("u2", { sessionId: "s2" }), null);
    c.store(c.begin(), "d", principal("u3", { tokenId: "t3" }), null);
    c.forget(parseCredentialHint(credentialHint({ kind: "token", id: "t3" })));
    assert.deepEqual(
      [c.get("a"), c.get("b"), c.get("c"), c.get("d")].map((p) => p?.user.id),
      ["u1", "u1", "u2", undefined],
    );
    c.forget(parseCredentialHint("user:u1"));
    assert.deepEqual(
      [c.get("a"), c.get("b"), c.get("c")].map((p) => p?.user.id),
      [undefined, undefined, "u2"],
    );
    c.forget(parseCredentialHint("session:s2"));
    assert.equal(c.get("c"), undefined);
    c.store(c.begin(), "e", principal("u4", { tokenId: "t4" }), null);
    c.forget(parseCredentialHint("something-new:x"));
    assert.equal(c.get("e"), undefined, "an unknown hint forgets everything");
    assert.equal(c.size, 0);
  });

  it("does not keep what a lookup read if something was forgotten while it ran", () => {
    live = true;
    const c = cache();
    const lookup = c.begin();
    c.forget({ kind: "token", id: "unrelated" });
    c.store(lookup, "token", principal("u1", { tokenId: "t1" }), null);
    assert.equal(c.get("token"), undefined);
  });

  it("caches nothing, and serves nothing, while hints may be missed", () => {
    const c = cache();
    live = true;
    c.store(c.begin(), "kept", principal("u1"), null);
    live = false;
    c.store(c.begin(), "new", principal("u2"), null);
    assert.equal(c.get("kept"), undefined);
    live = true;
    assert.equal(c.get("new"), undefined);
    assert.equal(c.get("kept"), undefined, "dropped when it was asked for while hints were down");
  });

  it("holds at most its capacity, least recently used out first", () => {
    live = true;
    const c = cache();
    for (const key of ["a", "b", "c"]) c.store(c.begin(), key, principal(key), null);
    c.get("a");
    c.store(c.begin(), "d", principal("d"), null);
    assert.equal(c.size, 3);
    assert.equal(c.get("b"), undefined);
    assert.equal(c.get("a")?.user.id, "a");
  });
});

/**
 * Two AccountServices on one PostgreSQL database, each with its own notifier connection:
 * the way two API processes see each other. Revoking, logging out and disabling in one must
 * take effect in the other although the other cached the credential.
 */
describe("credentials across processes on postgres", async () => {
  const skip = await skipReasonFor("postgres");
  let db: TestDatabase;
  let second: Database;
  const closers: Array<() => Promise<void>> = [];
  let a: AccountService;
  let b: AccountService;
  let notifierB: Notifier;

  before(async () => {
    if (skip) return;
    db = await createTestDatabase("postgres");
    second = await openDatabase({ url: db.url, dataDir: db.dataDir, poolSize: 2 });
    const na = await createNotifier(db.database, silentLogger());
    const nb = await createNotifier(second, silentLogger());
    closers.push(na.close, nb.close, () => second.close());
    notifierB = nb.notifier;
    a = new AccountService(db.database, silentLogger(), { hashing: FAST_HASHING, notifier: na.notifier });
    b = new AccountService(second, silentLogger(), { hashing: FAST_HASHING, notifier: nb.notifier });
    // Both LISTEN on auth before the tests begin.
    for (let i = 0; i < 100 && !(na.notifier.hintsLive("auth") && nb.notifier.hintsLive("auth")); i++) await sleep(20);
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await db?.drop();
  });

  async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 3_000;
    while (!(await probe())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await sleep(10);
    }
  }

  it(
    "serves a verified credential from the cache (a change no process announced goes unseen until the time to live)",
    { skip },
    async () => {
      const user = await a.createUser("cached@example.test", "a-long-password", "user");
      const { token } = await a.createToken(user.id, "cached");
      assert.equal((await b.authenticate(token, "bearer"))?.user.id, user.id);
      // Behind the service's back (no hint): the cached answer stands, which shows b did not read again.
      await second.db.deleteFrom("api_tokens").where("token_hash", "=", hashToken(token)).execute();
      assert.equal((await b.authenticate(token, "bearer"))?.user.id, user.id);
      assert.equal(await a.authenticate(token, "bearer"), null, "a never cached it");
    },
  );

  it("a token revoked in one process stops working in the other", { skip }, async () => {
    const user = await a.createUser("revoke@example.test", "a-long-password", "user");
    const { token, id } = await a.createToken(user.id, "to revoke");
    assert.equal((await b.authenticate(token, "bearer"))?.tokenId, id);
    await a.revokeToken(user.id, id);
    assert.equal(await a.authenticate(token, "bearer"), null, "at once in the revoking process");
    await until("the other process refuses the token", async () => (await b.authenticate(token, "bearer")) === null);
  });

  it("logging out and disabling a user end cached sessions and tokens elsewhere", { skip }, async () => {
    const user = await a.createUser("session@example.test", "a-long-password", "user");
    const first = await a.login("session@example.test", "a-long-password");
    const other = await a.login("session@example.test", "a-long-password");
    const { token } = await a.createToken(user.id, "kept");
    const p = await b.authenticate(first.token, "cookie");
    assert.equal(p?.via, "session_cookie");
    assert.equal(
      (await b.authenticate(first.token, "bearer"))?.via,
      "session_bearer",
      "cookie and bearer are cached apart",
    );
    await a.logout(p!);
    await until(
      "the logged-out session is refused",
      async () => (await b.authenticate(first.token, "cookie")) === null,
    );
    assert.ok(await b.authenticate(other.token, "bearer"));
    assert.ok(await b.authenticate(token, "bearer"));
    await a.updateUser(user.id, { disabled: true });
    await until(
      "the disabled user's session and token are refused",
      async () =>
        (await b.authenticate(other.token, "bearer")) === null && (await b.authenticate(token, "bearer")) === null,
    );
  });

  it("a role change reaches the other process's cached principal", { skip }, async () => {
    const user = await a.createUser("role@example.test", "a-long-password", "user");
    const { token } = await a.createToken(user.id, "role");
    assert.equal((await b.authenticate(token, "bearer"))?.user.role, "user");
    await a.updateUser(user.id, { role: "admin" });
    await until(
      "the other process sees the admin role",
      async () => (await b.authenticate(token, "bearer"))?.user.role === "admin",
    );
  });

  it("stops caching when its listener connection is lost, and caches again once it is back", { skip }, async () => {
    const user = await a.createUser("listener@example.test", "a-long-password", "user");
    const { token } = await a.createToken(user.id, "listener");
    assert.ok(await b.authenticate(token, "bearer"));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      // End b's LISTEN connection from the server side, as a restart or network cut would.
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN%' and pid <> pg_backend_pid()",
      );
      await until("b knows its hints are down", async () => !notifierB.hintsLive("auth"));
      // A change no hint announces is seen at once: nothing is served from the cache now.
      await second.db.updateTable("users").set({ disabled: 1 }).where("id", "=", user.id).execute();
      assert.equal(await b.authenticate(token, "bearer"), null);
      await second.db.updateTable("users").set({ disabled: 0 }).where("id", "=", user.id).execute();
      await until("b listens again", async () => notifierB.hintsLive("auth"));
      assert.ok(await b.authenticate(token, "bearer"));
      await a.revokeToken(user.id, (await a.listTokens(user.id))[0]!.id);
      await until(
        "the revocation reaches b over the new connection",
        async () => (await b.authenticate(token, "bearer")) === null,
      );
    } finally {
      await admin.end();
    }
  });
});

describe("credentials on sqlite", () => {
  it("are read from the database every time: another process may change the same file", async () => {
    const db = await createTestDatabase("sqlite");
    const { notifier, close } = await createNotifier(db.database, silentLogger());
    try {
      const accounts = new AccountService(db.database, silentLogger(), { hashing: FAST_HASHING, notifier });
      const user = await accounts.createUser("sqlite@example.test", "a-long-password", "user");
      const { token } = await accounts.createToken(user.id, "sqlite");
      assert.ok(await accounts.authenticate(token, "bearer"));
      await db.database.db.updateTable("api_tokens").set({ revoked_at: Date.now() }).execute();
      assert.equal(await accounts.authenticate(token, "bearer"), null);
    } finally {
      await close();
      await db.drop();
    }
  });
});
