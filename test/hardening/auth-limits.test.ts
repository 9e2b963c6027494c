import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { client, createUsers, startServer } from "../api/support.js";

describe("failed-authentication limits do not lock out valid credentials", async () => {
  const skip = await skipReasonFor("sqlite");

  it(
    "a flood of anonymous and bad-token requests from one address leaves every valid credential working",
    { skip },
    async () => {
      const server = await startServer("sqlite", { DOCKET_RATE_LIMIT_PER_MIN: "10" });
      try {
        const u = await createUsers(server.base);
        // Requests that present nothing cost no lookup: they are refused, never counted.
        for (let i = 0; i < 30; i++) assert.equal((await u.anon.req("GET", "/api/v1/documents")).status, 401);
        assert.equal((await u.admin.req("GET", "/api/v1/me")).status, 200);

        const guesser = client(server.base, "dkt_made-up");
        const statuses = [];
        for (let i = 0; i < 12; i++) statuses.push((await guesser.req("GET", "/api/v1/documents")).status);
        assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
        const limited = await guesser.req("GET", "/api/v1/me");
        assert.equal(limited.json.code, "rate_limited");
        assert.match(limited.json.detail ?? limited.json.message ?? limited.text, /per 60 s/);
        // Another made-up credential is not looked up either.
        assert.equal((await client(server.base, "dkt_other-guess").req("GET", "/api/v1/me")).status, 429);

        // The address is over its limit; the credentials in use there still work…
        assert.equal((await u.admin.req("GET", "/api/v1/me")).status, 200);
        assert.equal((await u.alice.req("GET", "/api/v1/me")).status, 200);
        // …and so do the ones issued now: a new session and a new API token.
        const login = await u.anon.req("POST", "/api/v1/auth/login", {
          json: { email: "bob@example.test", password: "bob-password" },
        });
        assert.equal(login.status, 200);
        assert.equal((await client(server.base, login.json.token).req("GET", "/api/v1/me")).status, 200);
        const created = await u.alice.req("POST", "/api/v1/tokens", { json: { name: "ci" } });
        assert.equal(created.status, 201, created.text);
        assert.equal((await client(server.base, created.json.token).req("GET", "/api/v1/me")).status, 200);
      } finally {
        await server.close();
      }
    },
  );
});
