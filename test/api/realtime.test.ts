import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, SseClient, startServer, waitForJob, type TestServer, type Users } from "./support.js";

for (const dialect of DIALECTS) {
  describe(`real time on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;

    before(async () => {
      if (skip) return;
      server = await startServer(dialect, {}, { sseKeepAliveMs: 150 });
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
    });

    it("SSE: disconnect mid-job, reconnect with Last-Event-ID: no loss, no duplicates", { skip }, async () => {
      const doc = (await u.alice.upload(pngBytes(), "resume.png")).json.document.id;
      server.scripts.set(doc, { ocr: "progress:6:80" });
      const first = new SseClient(server.base, `/api/v1/events?document_id=${doc}`, u.alice.token!);
      await first.until("snapshot", (m) => m.length > 0);
      const job = (await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc } })).json;
      await first.until("a few events", (m) => m.filter((x) => x.event === "job").length >= 6);
      await first.close();
      const seen = first.messages.filter((m) => m.event === "job");
      const lastId = seen.at(-1)!.id!;
      await new Promise((r) => setTimeout(r, 250)); // events keep coming while disconnected

      const second = new SseClient(server.base, `/api/v1/events?document_id=${doc}`, u.alice.token!, lastId);
      await second.until("completion", (m) =>
        m.some((x) => x.event === "job" && x.data.event.step === null && x.data.event.status === "completed"),
      );
      assert.equal(second.messages[0]!.event, "snapshot");
      await second.close();
      await waitForJob(u.alice, job.id, ["completed"]);

      const received = [...seen, ...second.messages.filter((m) => m.event === "job")].map((m) => m.id!);
      assert.equal(new Set(received).size, received.length, "no duplicates");
      const history = (await u.alice.req("GET", `/api/v1/documents/${doc}/history`)).json.items.map(
        (e: { id: string }) => e.id,
      );
      assert.deepEqual(received, history, "every event, in order");
    });

    it("SSE: owner-scoped without filter; another user's filter → 404; keep-alive comments", { skip }, async () => {
      const alices = (await u.alice.upload(pngBytes(), "a.png")).json.document.id;
      const bobs = (await u.bob.upload(pngBytes(), "b.png")).json.document.id;
      const stream = new SseClient(server.base, "/api/v1/events", u.bob.token!);
      await stream.until("snapshot", (m) => m.length > 0);
      assert.ok(
        stream.messages[0]!.data.documents.every((d: { document: { id: string } }) => d.document.id !== alices),
      );
      await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: alices } });
      const bobJob = (await u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: bobs } })).json;
      await stream.until("bob's completion", (m) =>
        m.some((x) => x.event === "job" && x.data.event.job_id === bobJob.id && x.data.event.status === "completed"),
      );
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(
        stream.messages.filter((m) => m.event === "job").every((m) => m.data.event.document_id === bobs),
        "only bob's events",
      );
      assert.ok(stream.comments >= 1, "keep-alive comments");
      await stream.close();

      const other = new SseClient(server.base, `/api/v1/events?document_id=${alices}`, u.bob.token!);
      await other.ready;
      assert.equal(other.status, 404);
      await other.close();
      const anon = await fetch(`${server.base}/api/v1/events`);
      assert.equal(anon.status, 401);
      await anon.body?.cancel();
    });

    it("long-poll: the status answers within 100 ms of a change; 304 when nothing changed", { skip }, async () => {
      const doc = (await u.alice.upload(pngBytes(), "poll.png")).json.document.id;
      const initial = await u.alice.req("GET", `/api/v1/documents/${doc}/status`);
      const etag = initial.headers.get("etag")!;
      assert.equal(etag, '"0"');
      const unchanged = await u.alice.req("GET", `/api/v1/documents/${doc}/status`, {
        headers: { "if-none-match": etag },
      });
      assert.equal(unchanged.status, 304);

      const t0 = Date.now();
      const timedOut = await u.alice.req("GET", `/api/v1/documents/${doc}/status?wait=0.3`, {
        headers: { "if-none-match": etag },
      });
      assert.equal(timedOut.status, 304);
      assert.ok(Date.now() - t0 >= 280, "waited");

      server.scripts.set(doc, { validate: "sleep:2000" });
      const polling = (async () => {
        const res = await u.alice.req("GET", `/api/v1/documents/${doc}/status?wait=10`, {
          headers: { "if-none-match": etag },
        });
        return { res, at: Date.now() };
      })();
      await new Promise((r) => setTimeout(r, 200));
      const submit = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc } });
      const submittedAt = Date.now();
      const { res, at } = await polling;
      assert.equal(res.status, 200);
      assert.notEqual(res.headers.get("etag"), etag);
      assert.ok(["queued", "processing"].includes(res.json.status));
      assert.ok(at - submittedAt < 100, `answered ${at - submittedAt} ms after the change`);

      // Job poll: returns as soon as the version differs.
      const job = submit.json;
      const current = (await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).json;
      const p0 = Date.now();
      const polled = await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/poll?version=${current.version}&wait=10`);
      assert.equal(polled.status, 200);
      assert.notEqual(polled.json.version, current.version);
      assert.ok(Date.now() - p0 < 5_000);
      const immediate = await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/poll?version=0&wait=10`);
      assert.equal(immediate.status, 200);
      assert.equal((await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/poll?version=1&wait=61`)).status, 400);
      assert.equal((await u.alice.req("GET", `/api/v1/documents/${doc}/status?wait=61`)).json.code, "validation_error");
      await u.alice.req("PUT", `/api/v1/ocr/jobs/${job.id}/cancel`);
    });
  });
}
