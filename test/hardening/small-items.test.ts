import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer } from "../api/support.js";

describe("small hardening items", async () => {
  const skip = await skipReasonFor("sqlite");

  it("/api/docs is served with a CSP, X-Frame-Options and nosniff", { skip }, async () => {
    const server = await startServer("sqlite");
    try {
      for (const path of ["/api/docs", "/api/docs/static/index.html", "/api/docs/static/swagger-initializer.js"]) {
        const res = await fetch(`${server.base}${path}`);
        assert.equal(res.status, 200, path);
        const csp = res.headers.get("content-security-policy") ?? "";
        assert.match(csp, /default-src 'self'/, `${path}: ${csp}`);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.match(csp, /object-src 'none'/, path);
        assert.doesNotMatch(csp, /upgrade-insecure-requests/, path);
        assert.equal(res.headers.get("x-frame-options"), "DENY", path);
        assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
        await res.arrayBuffer();
      }
    } finally {
      await server.close();
    }
  });

  it("a 429 states the limit's real window and when to retry", { skip }, async () => {
    const server = await startServer("sqlite", { DOCKET_RATE_LIMIT_PER_MIN: "3" });
    try {
      const u = await createUsers(server.base);
      let limited;
      for (let i = 0; i < 5 && !limited; i++) {
        const res = await u.bob.req("GET", "/api/v1/documents");
        if (res.status === 429) limited = res;
      }
      assert.ok(limited, "the fourth request is limited");
      assert.equal(limited.json.code, "rate_limited");
      assert.match(limited.json.detail, /at most 3 per 60 s; retry in \d+ s/);
      const retryIn = Number(/retry in (\d+) s/.exec(limited.json.detail)![1]);
      assert.equal(String(retryIn), limited.headers.get("retry-after"));
    } finally {
      await server.close();
    }
  });

  it("a replayed submit (and batch) carries Idempotent-Replayed, as a replayed upload does", { skip }, async () => {
    const server = await startServer("sqlite");
    try {
      const u = await createUsers(server.base);
      const id = (await u.alice.upload(pngBytes(), "r.png")).json.document.id;
      const headers = { "idempotency-key": "submit-once" };
      const first = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: id }, headers });
      assert.equal(first.status, 202);
      assert.equal(first.headers.get("idempotent-replayed"), null);
      const replay = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: id }, headers });
      assert.equal(replay.status, 202);
      assert.equal(replay.json.id, first.json.id);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");

      const batchHeaders = { "idempotency-key": "batch-once" };
      // Another document: the first may still have its job active (one active job per document).
      const other = (await u.alice.upload(pngBytes(), "r2.png")).json.document.id;
      const body = { json: { document_ids: [other] }, headers: batchHeaders };
      const b1 = await u.alice.req("POST", "/api/v1/ocr/batch", body);
      const b2 = await u.alice.req("POST", "/api/v1/ocr/batch", body);
      assert.equal(b1.headers.get("idempotent-replayed"), null);
      assert.equal(b2.headers.get("idempotent-replayed"), "true");
      assert.equal(b2.json.batch_id, b1.json.batch_id);
    } finally {
      await server.close();
    }
  });
});
