import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { client, createUsers, startServer, type TestServer, type Users } from "../api/support.js";

for (const dialect of DIALECTS) {
  describe(`the last enabled admin stays (${dialect})`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    let adminId: string;
    before(async () => {
      if (skip) return;
      server = await startServer(dialect);
      u = await createUsers(server.base);
      adminId = (await u.admin.req("GET", "/api/v1/me")).json.id;
    });
    after(async () => {
      if (!skip) await server.close();
    });

    it("the only admin cannot disable or demote itself: 409 last_admin", { skip }, async () => {
      for (const body of [{ disabled: true }, { role: "user" }, { disabled: true, role: "user" }]) {
        const res = await u.admin.req("PATCH", `/api/v1/users/${adminId}`, { json: body });
        assert.equal(res.status, 409, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.json.code, "last_admin");
      }
      const me = (await u.admin.req("GET", "/api/v1/me")).json;
      assert.equal(me.role, "admin");
      assert.equal(me.disabled, false);
      // Harmless patches of the last admin still work.
      assert.equal((await u.admin.req("PATCH", `/api/v1/users/${adminId}`, { json: { role: "admin" } })).status, 200);
    });

    it("with a second enabled admin, either may step down, and then the other is the last", { skip }, async () => {
      const users = (await u.admin.req("GET", "/api/v1/users")).json.items as { id: string; email: string }[];
      const alice = users.find((x) => x.email === "alice@example.test")!;
      assert.equal((await u.admin.req("PATCH", `/api/v1/users/${alice.id}`, { json: { role: "admin" } })).status, 200);
      const demoted = await u.admin.req("PATCH", `/api/v1/users/${adminId}`, { json: { role: "user" } });
      assert.equal(demoted.status, 200, demoted.text);
      const alone = await u.alice.req("PATCH", `/api/v1/users/${alice.id}`, { json: { disabled: true } });
      assert.equal(alone.status, 409);
      assert.equal(alone.json.code, "last_admin");
      // The refusal changed nothing: alice is still an enabled admin.
      const login = await u.anon.req("POST", "/api/v1/auth/login", {
        json: { email: "alice@example.test", password: "alice-password" },
      });
      assert.equal((await client(server.base, login.json.token).req("GET", "/api/v1/me")).json.role, "admin");
    });
  });
}
