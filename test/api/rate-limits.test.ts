/** The per-address and per-credential rate limits: each test starts its own server with small limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { client, startServer } from "./support.js";

describe("rate limits", async () => {
  const skip = await skipReasonFor("sqlite");
  it(
    "made-up tokens are refused per address before any lookup once the failures pass the limit",
    { skip },
    async () => {
      const server = await startServer("sqlite", { DOCKET_RATE_LIMIT_PER_MIN: "5" });
      try {
        const guesser = client(server.base, "not-a-real-token");
        const statuses = [];
        for (let i = 0; i < 7; i++) statuses.push((await guesser.req("GET", "/api/v1/documents")).status);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
        const limited = await guesser.req("GET", "/api/v1/me");
        assert.equal(limited.json.code, "rate_limited");
        assert.ok(Number(limited.headers.get("retry-after")) > 0);
        // Public routes without a bearer token stay reachable (health checks, the sign-in page).
        assert.equal((await client(server.base).req("GET", "/healthz")).status, 200);
      } finally {
        await server.close();
      }
    },
  );

  it("login is limited per IP with 429 rate_limited", { skip }, async () => {
    const server = await startServer("sqlite", {
      DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "3",
      DOCKET_RATE_LIMIT_PER_MIN: "5",
    });
    try {
      const anon = client(server.base);
      await anon.req("POST", "/api/v1/setup", { json: { email: "a@example.test", password: "a-password" } });
      const token = (
        await anon.req("POST", "/api/v1/auth/login", { json: { email: "a@example.test", password: "a-password" } })
      ).json.token;
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await anon.req("POST", "/api/v1/auth/login", { json: { email: "a@example.test", password: "x" } })).status,
        );
      assert.deepEqual(statuses, [401, 401, 429, 429, 429]);
      const limited = await anon.req("POST", "/api/v1/auth/login", {
        json: { email: "a@example.test", password: "x" },
      });
      assert.equal(limited.json.code, "rate_limited");
      assert.ok(limited.headers.get("retry-after"));
      // The general limit applies per credential (anonymous requests are refused with 401 before it, at no cost).
      const general = [];
      for (let i = 0; i < 7; i++)
        general.push((await client(server.base, token).req("GET", "/api/v1/documents")).status);
      assert.ok(general.includes(429), general.join(","));
    } finally {
      await server.close();
    }
  });
});
