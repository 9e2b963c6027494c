/** Batches, job lists, cancel/delete/retry and cross-user access, against one server per database (flow.test.ts has the upload-to-result path). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../support/databases.js";
import { pngBytes, serverWithUsers, waitFor, waitForJob } from "./support.js";

for (const dialect of DIALECTS) {
  describe(`API job control on ${dialect}`, async () => {
    const api = await serverWithUsers(dialect);
    const { skip } = api;

    it("batch: 1–50 documents, all or nothing; the batch aggregate", { skip }, async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await api.u.alice.upload(pngBytes(), `b${i}.png`)).json.document.id);
      const tooMany = await api.u.alice.req("POST", "/api/v1/ocr/batch", {
        json: { document_ids: Array.from({ length: 51 }, (_, i) => `id-${i}`) },
      });
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.json.code, "validation_error");
      const before = (await api.u.alice.req("GET", "/api/v1/ocr/jobs?page_size=100")).json.total;
      const unknown = await api.u.alice.req("POST", "/api/v1/ocr/batch", {
        json: { document_ids: [...ids, "no-such-document"] },
      });
      assert.equal(unknown.status, 404);
      const bobs = (await api.u.bob.upload(pngBytes(), "bob.png")).json.document.id;
      assert.equal(
        (await api.u.alice.req("POST", "/api/v1/ocr/batch", { json: { document_ids: [ids[0], bobs] } })).status,
        404,
      );
      assert.equal(
        (await api.u.alice.req("GET", "/api/v1/ocr/jobs?page_size=100")).json.total,
        before,
        "nothing was created",
      );

      const batch = await api.u.alice.req("POST", "/api/v1/ocr/batch", {
        json: { document_ids: ids, resolution_mode: "large" },
      });
      assert.equal(batch.status, 202, batch.text);
      assert.equal(batch.json.jobs.length, 3);
      assert.ok(
        batch.json.jobs.every(
          (j: { batch_id: string; resolution_mode: string }) =>
            j.batch_id === batch.json.batch_id && j.resolution_mode === "large",
        ),
      );
      for (const j of batch.json.jobs) await waitForJob(api.u.alice, j.id, ["completed"]);
      const agg = await api.u.alice.req("GET", `/api/v1/batches/${batch.json.batch_id}`);
      assert.equal(agg.status, 200);
      assert.equal(agg.json.total, 3);
      assert.equal(agg.json.counts.completed, 3);
      assert.equal(agg.json.percentage, 100);
      const listed = await api.u.alice.req("GET", `/api/v1/ocr/jobs?batch_id=${batch.json.batch_id}`);
      assert.equal(listed.json.total, 3);
      assert.equal((await api.u.bob.req("GET", `/api/v1/batches/${batch.json.batch_id}`)).status, 404);
    });

    it("lists jobs by status and document; job status with steps and progress", { skip }, async () => {
      const up = await api.u.alice.upload(pngBytes(), "j.png", { process: "true" });
      const done = await waitForJob(api.u.alice, up.json.job.id, ["completed"]);
      const byDoc = await api.u.alice.req("GET", `/api/v1/ocr/jobs?document_id=${up.json.document.id}`);
      assert.deepEqual(
        byDoc.json.items.map((j: { id: string }) => j.id),
        [done.id],
      );
      const completed = await api.u.alice.req("GET", "/api/v1/ocr/jobs?status=completed&page_size=100");
      assert.ok(completed.json.items.every((j: { status: string }) => j.status === "completed"));
      assert.ok(completed.json.items.some((j: { id: string }) => j.id === done.id));
      assert.equal(done.steps.length, 3);
      assert.ok(
        done.steps.every(
          (s: { started_at: string; completed_at: string; attempts: number }) =>
            s.started_at && s.completed_at && s.attempts === 1,
        ),
      );
    });

    it(
      "result before completion → 409 not_ready; cancel pending, cancel processing, cancel completed → 409",
      { skip },
      async () => {
        // Hold the workers busy so a job stays pending.
        const blockers = [];
        for (let i = 0; i < 2; i++) {
          const d = (await api.u.alice.upload(pngBytes(), `blocker${i}.png`)).json.document.id;
          api.server.scripts.set(d, { validate: "sleep:1500" });
          blockers.push(
            (await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: d, priority: 10 } })).json,
          );
        }
        for (const b of blockers) await waitForJob(api.u.alice, b.id, ["processing"]);
        const pendingDoc = (await api.u.alice.upload(pngBytes(), "pending.png")).json.document.id;
        const pending = (
          await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: pendingDoc, priority: 0 } })
        ).json;
        const notReady = await api.u.alice.req("GET", `/api/v1/ocr/jobs/${pending.id}/result`);
        assert.equal(notReady.status, 409);
        assert.equal(notReady.json.code, "not_ready");
        const cancelled = await api.u.alice.req("PUT", `/api/v1/ocr/jobs/${pending.id}/cancel`);
        assert.equal(cancelled.status, 202, cancelled.text);
        assert.equal(cancelled.json.status, "cancelled");

        // Cancel a processing job: it stops within a second.
        const t0 = Date.now();
        const c = await api.u.alice.req("PUT", `/api/v1/ocr/jobs/${blockers[0].id}/cancel`);
        assert.equal(c.status, 202);
        const stopped = await waitForJob(api.u.alice, blockers[0].id, ["cancelled"], 3_000);
        assert.ok(Date.now() - t0 < 1_500, `cancelled within ${Date.now() - t0} ms`);
        assert.equal(stopped.steps[0].status, "cancelled");

        const finished = await waitForJob(api.u.alice, blockers[1].id, ["completed"]);
        const again = await api.u.alice.req("PUT", `/api/v1/ocr/jobs/${finished.id}/cancel`);
        assert.equal(again.status, 409);
        assert.equal(again.json.code, "not_cancellable");

        // Retry the cancelled one: it resumes and completes.
        const retried = await api.u.alice.req("POST", `/api/v1/ocr/jobs/${pending.id}/retry`);
        assert.equal(retried.status, 202, retried.text);
        assert.equal((await waitForJob(api.u.alice, pending.id, ["completed"])).status, "completed");
        const notRetryable = await api.u.alice.req("POST", `/api/v1/ocr/jobs/${pending.id}/retry`);
        assert.equal(notRetryable.json.code, "not_retryable");
      },
    );

    it("delete a finished job (204); an active job → 409 job_active; a failed job retries", { skip }, async () => {
      const d = (await api.u.alice.upload(pngBytes(), "del.png")).json.document.id;
      api.server.scripts.set(d, { ocr: "sleep:600" });
      const job = (await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: d } })).json;
      const active = await api.u.alice.req("DELETE", `/api/v1/ocr/jobs/${job.id}`);
      assert.equal(active.status, 409);
      assert.equal(active.json.code, "job_active");
      await waitForJob(api.u.alice, job.id, ["completed"]);
      const del = await api.u.alice.req("DELETE", `/api/v1/ocr/jobs/${job.id}`);
      assert.equal(del.status, 204);
      assert.equal((await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).status, 404);
      assert.equal((await api.u.alice.req("GET", `/api/v1/documents/${d}`)).json.status, "uploaded");

      const f = (await api.u.alice.upload(pngBytes(), "fail.png")).json.document.id;
      api.server.scripts.set(f, { ocr: "fail" });
      const failing = (await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: f } })).json;
      const failed = await waitForJob(api.u.alice, failing.id, ["failed"]);
      assert.equal(failed.error.code, "corrupt_file");
      const st = (await api.u.alice.req("GET", `/api/v1/documents/${f}/status`)).json;
      assert.equal(st.status, "failed");
      assert.equal(st.can_retry, false, "a corrupt file fails the same way on every retry");
      assert.equal(st.error.code, "corrupt_file");
      const retry = await api.u.alice.req("POST", `/api/v1/ocr/jobs/${failing.id}/retry`);
      assert.equal(retry.status, 409);
      assert.equal(retry.json.code, "not_retryable");
    });

    it("deleting a document cancels its active job and hides it", { skip }, async () => {
      const d = (await api.u.alice.upload(pngBytes(), "gone.png")).json.document.id;
      api.server.scripts.set(d, { validate: "sleep:3000" });
      const job = (await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: d } })).json;
      const del = await api.u.alice.req("DELETE", `/api/v1/documents/${d}`);
      assert.equal(del.status, 204);
      assert.equal((await api.u.alice.req("GET", `/api/v1/documents/${d}`)).status, 404);
      // Its job is cancelled, and like the document it is gone from the API (404).
      await waitFor(
        "the deleted document's job to be cancelled",
        async () =>
          (
            await api.server.docket.database.db
              .selectFrom("jobs")
              .select("status")
              .where("id", "=", job.id)
              .executeTakeFirstOrThrow()
          ).status === "cancelled",
        3_000,
      );
      assert.equal((await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).status, 404);
      assert.equal((await api.u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: d } })).status, 404);
    });

    it("another user's document and job are 404; admins see everything", { skip }, async () => {
      const up = await api.u.alice.upload(pngBytes(), "mine.png", { process: "true" });
      const doc = up.json.document.id;
      const job = up.json.job.id;
      for (const path of [
        `/api/v1/documents/${doc}`,
        `/api/v1/documents/${doc}/status`,
        `/api/v1/documents/${doc}/file`,
        `/api/v1/documents/${doc}/history`,
        `/api/v1/ocr/jobs/${job}`,
        `/api/v1/ocr/jobs/${job}/result`,
      ]) {
        const res = await api.u.bob.req("GET", path);
        assert.equal(res.status, 404, path);
        assert.equal(res.json.code, "not_found");
        assert.equal((await api.u.admin.req("GET", path)).status === 404, false, `admin ${path}`);
      }
      assert.equal((await api.u.bob.req("DELETE", `/api/v1/documents/${doc}`)).status, 404);
      assert.equal((await api.u.bob.req("PUT", `/api/v1/ocr/jobs/${job}/cancel`)).status, 404);
      assert.equal((await api.u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc } })).status, 404);
      const bobsList = await api.u.bob.req("GET", "/api/v1/documents?page_size=100");
      assert.ok(!bobsList.json.items.some((d: { id: string }) => d.id === doc));
      const adminList = await api.u.admin.req("GET", "/api/v1/ocr/jobs?page_size=100");
      assert.ok(adminList.json.items.some((j: { id: string }) => j.id === job));
    });
  });
}
