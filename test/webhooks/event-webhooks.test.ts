/**
 * Event webhooks through the real server: subscriptions per owner, deliveries to a real
 * receiver that verifies every signature, in order per document, retried with back-off,
 * logged with response codes, redelivered with the same id, disabled after persistent
 * failure with the reason shown, and delivered after a restart (the rows are in the database).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDocket } from "../../src/app/docket.js";
import { silentLogger } from "../../src/logger.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import {
  createUsers,
  pngBytes,
  waitFor,
  waitForJob,
  type Client,
  type TestServer,
  type Users,
} from "../api/support.js";
import { deliveryTestPipeline, startDeliveryServer, startReceiver } from "../destinations/support.js";

const SECRET = "whsec-test-0123456789";

async function subscribe(c: Client, url: string, events: string[]) {
  const res = await c.req("POST", "/api/v1/webhooks", { json: { url, secret: SECRET, events } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.secret, undefined, "the secret is write-only");
  return res.json.id as string;
}

async function runJob(server: TestServer, c: Client, script: Record<string, string> = {}, documentId?: string) {
  let id = documentId;
  if (!id) {
    const up = await c.upload(pngBytes(), "event.png");
    id = up.json.document.id as string;
  }
  server.scripts.set(id, script);
  const submit = await c.req("POST", "/api/v1/ocr/submit", { json: { document_id: id } });
  assert.equal(submit.status, 202, submit.text);
  await waitForJob(c, submit.json.id, ["completed", "failed"]);
  return { documentId: id, jobId: submit.json.id as string };
}

for (const dialect of DIALECTS) {
  describe(`event webhooks on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    before(async () => {
      if (skip) return;
      receiver = await startReceiver(SECRET);
      server = await startDeliveryServer(
        dialect,
        {},
        { webhooks: { backoffMs: [100, 200, 300], pollMs: 100, retryWindowMs: 3_000 } },
      );
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
      await receiver.close();
    });

    it(
      "delivers job.completed, job.failed and document.manual_review, signed, only to the owner's subscriptions",
      { skip },
      async () => {
        const alice = await subscribe(u.alice, `${receiver.url}/alice`, [
          "job.completed",
          "job.failed",
          "document.manual_review",
        ]);
        await subscribe(u.bob, `${receiver.url}/bob`, ["job.completed"]);
        const ok = await runJob(server, u.alice);
        const bad = await runJob(server, u.alice, { ocr: "fail" });
        const review = await runJob(server, u.alice, { review: "low confidence" });
        const mine = () => receiver.received.filter((r) => r.path.endsWith("/alice"));
        await waitFor("four deliveries", async () => mine().length >= 4);
        assert.ok(
          receiver.received.every((r) => r.signatureValid),
          "every signature verifies",
        );
        assert.equal(
          receiver.received.filter((r) => r.path.endsWith("/bob")).length,
          0,
          "bob hears nothing of alice's jobs",
        );
        const seen = mine().map((r) => [r.json.type, r.json.data.job.id]);
        assert.deepEqual(seen, [
          ["job.completed", ok.jobId],
          ["job.failed", bad.jobId],
          ["job.completed", review.jobId],
          ["document.manual_review", review.jobId],
        ]);
        for (const r of mine()) {
          assert.equal(r.headers["docket-delivery"], r.json.id);
          assert.equal(r.headers["docket-event"], r.json.type);
          assert.match(String(r.headers["docket-signature"]), /^t=\d+,v1=[0-9a-f]{64}$/);
        }
        assert.equal(mine()[1]!.json.data.job.error.code, "corrupt_file");
        assert.equal(mine()[3]!.json.data.review_reason, "low confidence");

        // The receiver records a request before the dispatcher has read its answer and marked
        // the delivery: wait for the log to catch up with the fourth answer.
        const log = await waitFor("four deliveries logged as delivered", async () => {
          const answer = await u.alice.req("GET", `/api/v1/webhooks/${alice}/deliveries`);
          const items = (answer.json?.items ?? []) as { status: string }[];
          return answer.status === 200 && items.every((d) => d.status === "delivered") ? answer : undefined;
        });
        assert.equal(log.json.total, 4);
        assert.ok(
          log.json.items.every(
            (d: { status: string; response_status: number }) => d.status === "delivered" && d.response_status === 200,
          ),
        );
        assert.equal((await u.bob.req("GET", `/api/v1/webhooks/${alice}/deliveries`)).status, 404);
        assert.equal((await u.alice.req("DELETE", `/api/v1/webhooks/${alice}`)).status, 204);
      },
    );

    it(
      "retries with back-off, in order per document, logs the codes, and redelivers with the same id",
      { skip },
      async () => {
        const id = await subscribe(u.alice, `${receiver.url}/order`, ["job.completed", "job.failed"]);
        let failuresLeft = 3;
        receiver.answerWith((r) => (r.path.endsWith("/order") && failuresLeft-- > 0 ? 500 : 200));
        const first = await runJob(server, u.alice);
        await runJob(server, u.alice, { ocr: "fail" }, first.documentId);
        const order = () => receiver.received.filter((r) => r.path.endsWith("/order"));
        await waitFor("both events delivered", async () => order().length >= 5, 15_000);
        receiver.answerWith(() => 200);
        const accepted = order().slice(3);
        assert.deepEqual(
          accepted.map((r) => r.json.type),
          ["job.completed", "job.failed"],
          "the second event waited for the first",
        );
        assert.equal(
          new Set(
            order()
              .slice(0, 4)
              .map((r) => r.headers["docket-delivery"]),
          ).size,
          1,
          "retries repeat the delivery id",
        );
        const log = await u.alice.req("GET", `/api/v1/webhooks/${id}/deliveries`);
        const completed = log.json.items.find((d: { event: string }) => d.event === "job.completed");
        assert.equal(completed.status, "delivered");
        assert.equal(completed.attempts, 4);
        assert.equal(completed.response_status, 200);

        const before = order().length;
        const redeliver = await u.alice.req("POST", `/api/v1/webhooks/${id}/deliveries/${completed.id}/redeliver`);
        assert.equal(redeliver.status, 202);
        await waitFor("the redelivery", async () => order().length > before);
        assert.equal(order().at(-1)!.headers["docket-delivery"], completed.id);
        assert.ok(order().at(-1)!.signatureValid);
        assert.equal(
          (await u.bob.req("POST", `/api/v1/webhooks/${id}/deliveries/${completed.id}/redeliver`)).status,
          404,
        );
        await u.alice.req("DELETE", `/api/v1/webhooks/${id}`);
      },
    );

    it(
      "a subscription whose deliveries keep failing is disabled with the reason shown; PATCH turns it on again",
      { skip },
      async () => {
        const id = await subscribe(u.alice, `${receiver.url}/broken`, ["job.completed"]);
        receiver.answerWith((r) => (r.path.endsWith("/broken") ? 503 : 200));
        await runJob(server, u.alice);
        const disabled = await waitFor(
          "the subscription to be disabled",
          async () => {
            const res = await u.alice.req("GET", `/api/v1/webhooks/${id}`);
            return res.json.active === false ? res.json : undefined;
          },
          15_000,
        );
        receiver.answerWith(() => 200);
        assert.match(disabled.disabled_reason, /failed for 24 hours.*HTTP 503/);
        const log = await u.alice.req("GET", `/api/v1/webhooks/${id}/deliveries`);
        assert.equal(log.json.items[0].status, "failed");
        assert.equal(log.json.items[0].response_status, 503);
        const listed = (await u.alice.req("GET", "/api/v1/webhooks")).json.items.find(
          (w: { id: string }) => w.id === id,
        );
        assert.equal(listed.active, false);
        const on = await u.alice.req("PATCH", `/api/v1/webhooks/${id}`, { json: { active: true } });
        assert.equal(on.json.active, true);
        assert.equal(on.json.disabled_reason, null);
        await u.alice.req("DELETE", `/api/v1/webhooks/${id}`);
      },
    );

    it("a compiled collection is collection.completed", { skip }, async () => {
      const id = await subscribe(u.alice, `${receiver.url}/collections`, ["collection.completed"]);
      const { documentId } = await runJob(server, u.alice);
      const col = await u.alice.req("POST", "/api/v1/collections", { json: { name: "December" } });
      assert.equal(col.status, 201, col.text);
      await u.alice.req("POST", `/api/v1/collections/${col.json.id}/documents`, {
        json: { document_ids: [documentId] },
      });
      const compile = await u.alice.req("POST", `/api/v1/collections/${col.json.id}/compile`, {
        json: { outputs: ["json"] },
      });
      assert.equal(compile.status, 202, compile.text);
      const got = await waitFor(
        "collection.completed",
        async () => receiver.received.find((r) => r.path.endsWith("/collections")),
        15_000,
      );
      assert.equal(got.json.type, "collection.completed");
      assert.equal(got.json.data.collection_id, col.json.id);
      assert.equal(got.json.data.job.id, compile.json.id);
      assert.ok(got.signatureValid);
      await u.alice.req("DELETE", `/api/v1/webhooks/${id}`);
    });

    it("refuses unknown events and bad URLs", { skip }, async () => {
      const bad = await u.alice.req("POST", "/api/v1/webhooks", {
        json: { url: receiver.url, secret: SECRET, events: ["job.exploded"] },
      });
      assert.equal(bad.status, 400);
      const scheme = await u.alice.req("POST", "/api/v1/webhooks", {
        json: { url: "ftp://example.com/x", secret: SECRET, events: ["job.completed"] },
      });
      assert.equal(scheme.status, 400);
    });
  });
}

describe("event webhooks survive a restart", () => {
  it("a delivery made while the receiver was down is sent by the next process", async () => {
    const receiver = await startReceiver(SECRET);
    const server = await startDeliveryServer("sqlite", {}, { webhooks: { backoffMs: [100], pollMs: 100 } });
    let second: Awaited<ReturnType<typeof createDocket>> | undefined;
    try {
      const u = await createUsers(server.base);
      await subscribe(u.alice, receiver.url, ["job.completed"]);
      await receiver.down();
      const { jobId } = await runJob(server, u.alice);
      // The delivery row exists (and failed to send) before the process stops.
      await waitFor("a failed attempt", async () => {
        const rows = await server.docket.database.db
          .selectFrom("webhook_deliveries" as never)
          .select(["attempts" as never])
          .execute();
        return rows.length === 1 && Number((rows[0] as { attempts: number }).attempts) >= 1;
      });
      await server.docket.close();
      await receiver.up();
      second = await createDocket(server.docket.config, {
        log: silentLogger(),
        pipelines: (deps) => [deliveryTestPipeline(deps, new Map())],
        webhooks: { backoffMs: [100], pollMs: 100 },
        passwordHashing: { memoryCost: 1024, timeCost: 1 },
        fsync: false,
        webRoot: null,
      });
      await waitFor("the delivery after the restart", async () => receiver.received.length >= 1, 15_000);
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.json.data.job.id, jobId);
      assert.ok(receiver.received[0]!.signatureValid);
    } finally {
      await second?.close();
      await server.db.drop();
      await receiver.close();
    }
  });
});
