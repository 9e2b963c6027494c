/**
 * Collections through the real HTTP server on SQLite and PostgreSQL: CRUD and membership
 * scoped to the owner, the process stage (a job per document, the others skipped with why),
 * the status with its stages, gate and long-poll, and compile's 409 stage_locked naming the
 * documents that block it (manual_review among them).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  apiTestPipeline,
  createUsers,
  pngBytes,
  startServer,
  waitFor,
  type Client,
  type TestServer,
  type Users,
} from "../api/support.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import type { PipelineDefinition } from "../../src/engine/pipeline.js";

const FINISHED = ["completed", "manual_review", "failed", "cancelled"];

/** The API tests' pipeline, plus `review` in a document's script: its export asks for a person's review. */
function reviewingPipeline(
  inner: PipelineDefinition,
  scripts: Map<string, Record<string, string>>,
): PipelineDefinition {
  return {
    ...inner,
    handler: (step) => {
      const handler = inner.handler(step);
      if (!handler) return undefined;
      return async (ctx) => {
        const result = await handler(ctx);
        if (step === "export" && scripts.get(ctx.documentId ?? "")?.review)
          return { ...result, reviewReason: "check it" };
        return result;
      };
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`collections on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    const scripts = new Map<string, Record<string, string>>();

    before(async () => {
      if (skip) return;
      server = await startServer(
        dialect,
        {},
        { pipelines: ({ blobStore }) => [reviewingPipeline(apiTestPipeline(blobStore, scripts), scripts)] },
      );
      u = await createUsers(server.base);
    });
    after(async () => {
      if (!skip) await server.close();
    });

    async function upload(c: Client): Promise<string> {
      const res = await c.upload(pngBytes());
      assert.equal(res.status, 201, res.text);
      return res.json.document.id as string;
    }

    async function finished(c: Client, id: string) {
      return waitFor(`document ${id} to finish`, async () => {
        const s = (await c.req("GET", `/api/v1/documents/${id}/status`)).json;
        return FINISHED.includes(s?.status) ? s : undefined;
      });
    }

    it("creates, lists, orders and removes members, all scoped to the owner", { skip }, async () => {
      const created = await u.alice.req("POST", "/api/v1/collections", { json: { name: "March invoices" } });
      assert.equal(created.status, 201, created.text);
      const col = created.json;
      assert.equal(col.name, "March invoices");
      assert.deepEqual(col.document_ids, []);
      const [a, b, c] = [await upload(u.alice), await upload(u.alice), await upload(u.alice)];

      const added = await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, {
        json: { document_ids: [c, a] },
      });
      assert.equal(added.status, 200, added.text);
      assert.deepEqual(added.json.document_ids, [c, a]);
      assert.ok(added.json.version > col.version);
      // Appends in the order given; a member already in keeps its place.
      const again = await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, {
        json: { document_ids: [a, b] },
      });
      assert.deepEqual(again.json.document_ids, [c, a, b]);

      // Another user's document: 404 and nothing added.
      const bobs = await upload(u.bob);
      const foreign = await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, {
        json: { document_ids: [bobs] },
      });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.json.code, "not_found");
      assert.deepEqual((await u.alice.req("GET", `/api/v1/collections/${col.id}`)).json.document_ids, [c, a, b]);

      // Another user's collection is 404 on every route.
      for (const [method, path] of [
        ["GET", `/api/v1/collections/${col.id}`],
        ["GET", `/api/v1/collections/${col.id}/status`],
        ["POST", `/api/v1/collections/${col.id}/process`],
        ["POST", `/api/v1/collections/${col.id}/compile`],
        ["DELETE", `/api/v1/collections/${col.id}/documents/${a}`],
        ["GET", `/api/v1/collections/${col.id}/result/pdf`],
        ["DELETE", `/api/v1/collections/${col.id}`],
      ] as const) {
        const res = await u.bob.req(method, path, method === "POST" ? { json: {} } : {});
        assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      }
      const bobList = await u.bob.req("GET", "/api/v1/collections");
      assert.equal(
        bobList.json.items.some((x: { id: string }) => x.id === col.id),
        false,
      );
      const list = await u.alice.req("GET", "/api/v1/collections?page_size=5");
      assert.equal(list.json.items[0].id, col.id);

      const removed = await u.alice.req("DELETE", `/api/v1/collections/${col.id}/documents/${a}`);
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(removed.json.document_ids, [c, b]);
      assert.equal((await u.alice.req("DELETE", `/api/v1/collections/${col.id}/documents/${a}`)).status, 404);

      // The fields table of just this collection (these test documents have no fields: the header only).
      const csv = await u.alice.req("GET", `/api/v1/fields.csv?collection_id=${col.id}`);
      assert.equal(csv.status, 200, csv.text);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      assert.equal(csv.text.split("\r\n")[0]!.split(",")[0], "document_id");
      assert.equal(csv.text.trim().split("\r\n").length, 1);
      assert.equal((await u.bob.req("GET", `/api/v1/fields.csv?collection_id=${col.id}`)).status, 404);

      // Deleting the collection leaves its documents.
      assert.equal((await u.alice.req("DELETE", `/api/v1/collections/${col.id}`)).status, 204);
      assert.equal((await u.alice.req("GET", `/api/v1/collections/${col.id}`)).status, 404);
      assert.equal((await u.alice.req("GET", `/api/v1/documents/${c}`)).status, 200);
    });

    it("validates bodies with stable codes", { skip }, async () => {
      const empty = await u.alice.req("POST", "/api/v1/collections", { json: { name: "  " } });
      assert.equal(empty.status, 400);
      assert.equal(empty.json.code, "validation_error");
      const col = (await u.alice.req("POST", "/api/v1/collections", { json: { name: "x" } })).json;
      const none = await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, { json: { document_ids: [] } });
      assert.equal(none.status, 400);
      const badOutput = await u.alice.req("POST", `/api/v1/collections/${col.id}/compile`, {
        json: { outputs: ["docx"] },
      });
      assert.equal(badOutput.status, 400);
      const badFormat = await u.alice.req("GET", `/api/v1/collections/${col.id}/result/docx`);
      assert.equal(badFormat.status, 400);
      const notReady = await u.alice.req("GET", `/api/v1/collections/${col.id}/result/pdf`);
      assert.equal(notReady.status, 409);
      assert.equal(notReady.json.code, "not_ready");
      const lockedEmpty = await u.alice.req("POST", `/api/v1/collections/${col.id}/compile`, { json: {} });
      assert.equal(lockedEmpty.status, 409);
      assert.equal(lockedEmpty.json.code, "stage_locked");
    });

    it(
      "processes what needs it, skips the rest with why, and keeps compile locked naming the blockers",
      { skip, timeout: 60_000 },
      async () => {
        const done = await upload(u.alice);
        const busy = await upload(u.alice);
        const fresh = await upload(u.alice);
        const review = await upload(u.alice);
        scripts.set(busy, { ocr: "sleep:60000" });
        scripts.set(review, { review: "yes" });
        assert.equal((await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: done } })).status, 202);
        await finished(u.alice, done);
        const busyJob = (await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: busy } })).json;

        const col = (await u.alice.req("POST", "/api/v1/collections", { json: { name: "Stages" } })).json;
        await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, {
          json: { document_ids: [done, busy, fresh, review] },
        });
        const processed = await u.alice.req("POST", `/api/v1/collections/${col.id}/process`, {
          json: { outputs: ["txt", "pdf"] },
        });
        assert.equal(processed.status, 202, processed.text);
        assert.ok(processed.json.batch_id);
        assert.deepEqual(
          processed.json.jobs.map((j: { document_id: string }) => j.document_id).sort(),
          [fresh, review].sort(),
        );
        assert.deepEqual(processed.json.jobs[0].outputs, ["txt", "pdf"]);
        const skipped = Object.fromEntries(
          processed.json.skipped.map((s: { document_id: string; reason: string }) => [s.document_id, s]),
        );
        assert.equal(skipped[done].reason, "completed");
        assert.equal(skipped[busy].reason, "job_active");
        assert.equal(skipped[busy].job_id, busyJob.id);

        await finished(u.alice, fresh);
        await finished(u.alice, review);
        const status = await u.alice.req("GET", `/api/v1/collections/${col.id}/status`);
        assert.equal(status.status, 200, status.text);
        assert.equal(status.headers.get("etag"), `"${status.json.version}"`);
        const [proc, compile] = status.json.stages;
        assert.equal(proc.name, "process");
        assert.equal(proc.total, 4);
        assert.equal(proc.counts.completed, 2);
        assert.equal(proc.counts.manual_review, 1);
        assert.equal(proc.counts.queued + proc.counts.processing, 1);
        assert.equal(proc.status, "processing");
        assert.equal(compile.name, "compile");
        assert.equal(compile.locked, true);
        assert.equal(compile.status, "locked");
        assert.deepEqual(
          compile.blocking.map((b: { document_id: string }) => b.document_id).sort(),
          [busy, review].sort(),
        );
        assert.equal(status.json.progress.phase_index, 1);
        assert.equal(status.json.progress.phase_total, 2);

        const locked = await u.alice.req("POST", `/api/v1/collections/${col.id}/compile`, { json: {} });
        assert.equal(locked.status, 409, locked.text);
        assert.equal(locked.json.code, "stage_locked");
        assert.match(locked.json.detail, /manual_review/);
        assert.match(locked.json.detail, /processing|queued/);

        // A second process run skips everything: nothing is submitted twice.
        const second = await u.alice.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} });
        assert.equal(second.status, 202);
        assert.equal(second.json.batch_id, null);
        assert.equal(second.json.skipped.length, 4);
        assert.equal(
          second.json.skipped.find((s: { document_id: string }) => s.document_id === review).reason,
          "manual_review",
        );

        // Cancel the busy one: the gate still names it (cancelled is not completed); process picks it up again.
        assert.equal((await u.alice.req("PUT", `/api/v1/ocr/jobs/${busyJob.id}/cancel`)).status, 202);
        await finished(u.alice, busy);
        scripts.delete(busy);
        const third = await u.alice.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} });
        assert.deepEqual(
          third.json.jobs.map((j: { document_id: string }) => j.document_id),
          [busy],
        );
        await finished(u.alice, busy);
        // Only the document in manual_review blocks now; removing it unlocks compile.
        const before = (await u.alice.req("GET", `/api/v1/collections/${col.id}/status`)).json;
        assert.deepEqual(
          before.stages[1].blocking.map((b: { document_id: string }) => b.document_id),
          [review],
        );
        await u.alice.req("DELETE", `/api/v1/collections/${col.id}/documents/${review}`);
        const unlocked = (await u.alice.req("GET", `/api/v1/collections/${col.id}/status`)).json;
        assert.ok(unlocked.version > before.version, `${unlocked.version} > ${before.version}`);
        assert.equal(unlocked.stages[0].status, "completed");
        assert.equal(unlocked.stages[0].percentage, 100);
        assert.equal(unlocked.stages[1].locked, false);
        assert.equal(unlocked.stages[1].status, "ready");
      },
    );

    it(
      "long-polls the status: 304 when nothing changes, the new status as soon as a member moves",
      { skip, timeout: 30_000 },
      async () => {
        const doc = await upload(u.alice);
        scripts.set(doc, { ocr: "sleep:300" });
        const col = (await u.alice.req("POST", "/api/v1/collections", { json: { name: "Poll" } })).json;
        await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, { json: { document_ids: [doc] } });
        const first = await u.alice.req("GET", `/api/v1/collections/${col.id}/status`);
        const etag = first.headers.get("etag")!;
        const unchanged = await u.alice.req("GET", `/api/v1/collections/${col.id}/status?wait=1`, {
          headers: { "if-none-match": etag },
        });
        assert.equal(unchanged.status, 304);

        const waiting = u.alice.req("GET", `/api/v1/collections/${col.id}/status?wait=20`, {
          headers: { "if-none-match": etag },
        });
        await u.alice.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} });
        const changed = await waiting;
        assert.equal(changed.status, 200, changed.text);
        assert.ok(changed.json.version > first.json.version);
        assert.notEqual(changed.headers.get("etag"), etag);
        await finished(u.alice, doc);
      },
    );
  });
}
