import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { client, createUsers, pngBytes, SseClient, startServer, type TestServer, type Users } from "../api/support.js";

/** Resolves when the stream ends; rejects after `ms` (the server must end it, not the client). */
async function ended(sse: SseClient, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the stream is still open")), ms);
  });
  try {
    await Promise.race([sse.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("event streams and long-polls end with their credential", async () => {
  const skip = await skipReasonFor("sqlite");
  let server: TestServer;
  let u: Users;
  before(async () => {
    if (skip) return;
    server = await startServer("sqlite");
    u = await createUsers(server.base);
  });
  after(async () => {
    if (!skip) await server.close();
  });

  it("revoking the API token closes its stream with an unauthorized error", { skip }, async () => {
    const created = await u.alice.req("POST", "/api/v1/tokens", { json: { name: "stream" } });
    const sse = new SseClient(server.base, "/api/v1/events", created.json.token);
    await sse.until("the snapshot", (m) => m.some((x) => x.event === "snapshot"));
    assert.equal((await u.alice.req("DELETE", `/api/v1/tokens/${created.json.id}`)).status, 204);
    await ended(sse);
    assert.equal(sse.messages.at(-1)?.event, "error");
    assert.equal(sse.messages.at(-1)?.data.code, "unauthorized");
  });

  it("logging out closes the session's stream", { skip }, async () => {
    const login = await u.anon.req("POST", "/api/v1/auth/login", {
      json: { email: "bob@example.test", password: "bob-password" },
    });
    const sse = new SseClient(server.base, "/api/v1/events", login.json.token);
    await sse.until("the snapshot", (m) => m.some((x) => x.event === "snapshot"));
    assert.equal((await client(server.base, login.json.token).req("POST", "/api/v1/auth/logout")).status, 204);
    await ended(sse);
    assert.equal(sse.messages.at(-1)?.data.code, "unauthorized");
  });

  it("disabling the user closes its streams and answers its long-poll with 401", { skip }, async () => {
    const user = await u.admin.req("POST", "/api/v1/users", {
      json: { email: "carol@example.test", password: "carol-password", role: "user" },
    });
    const login = await u.anon.req("POST", "/api/v1/auth/login", {
      json: { email: "carol@example.test", password: "carol-password" },
    });
    const carol = client(server.base, login.json.token);
    const token = (await carol.req("POST", "/api/v1/tokens", { json: { name: "t" } })).json.token;
    const up = await carol.upload(pngBytes(), "c.png");
    const id = up.json.document.id;
    const status = await carol.req("GET", `/api/v1/documents/${id}/status`);
    const etag = status.headers.get("etag")!;
    const poll = client(server.base, token).req("GET", `/api/v1/documents/${id}/status?wait=30`, {
      headers: { "if-none-match": etag },
    });
    const sse = new SseClient(server.base, "/api/v1/events", login.json.token);
    await sse.until("the snapshot", (m) => m.some((x) => x.event === "snapshot"));
    await new Promise((r) => setTimeout(r, 300)); // let the long-poll start waiting
    const disabled = await u.admin.req("PATCH", `/api/v1/users/${user.json.id}`, { json: { disabled: true } });
    assert.equal(disabled.status, 200);
    await ended(sse);
    const answered = await Promise.race([poll, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    assert.ok(answered, "the long-poll is still waiting");
    assert.equal(answered.status, 401);
    assert.equal(answered.json.code, "unauthorized");
  });
});
