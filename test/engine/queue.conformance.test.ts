import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LeaseLostError } from "../../src/engine/transition.js";
import { jobRowToJob } from "../../src/engine/rows.js";
import type { Engine } from "../../src/engine/engine.js";
import { deriveStatus } from "../../src/domain/status.js";
import { DIALECTS, type TestDatabase } from "../support/databases.js";
import { options, queueHarness, waitFor } from "../support/queue-harness.js";

for (const dialect of DIALECTS) {
  describe(`job queue on ${dialect}`, async () => {
    // The shared engine harness (test/support/queue-harness.ts); its hooks run before this file's.
    const h = await queueHarness(dialect);
    const { skip, runs, enqueue, worker } = h;
    let db: TestDatabase;
    let engine: Engine;
    before(() => {
      if (skip) return;
      ({ db, engine } = h);
    });

    const jobStatus = async (id: string) => (await engine.queue.getJob(id))!.status;

    it("enqueues the job, its planned steps and its first events together", { skip }, async () => {
      const row = await enqueue();
      const steps = await engine.queue.getSteps(row.id);
      assert.deepEqual(
        steps.map((s) => [s.name, s.status, s.position]),
        [
          ["validate", "pending", 0],
          ["ocr", "pending", 1],
          ["export", "pending", 2],
        ],
      );
      const job = (await engine.queue.getJob(row.id))!;
      assert.equal(job.status, "pending");
      assert.ok(job.version > 0);
      const status = deriveStatus(job, steps, Date.now());
      assert.equal(status.status, "queued");
      assert.equal(status.total_steps, 3);
      const doc = await db.database.db
        .selectFrom("documents")
        .select("latest_job_id")
        .where("id", "=", row.document_id)
        .executeTakeFirstOrThrow();
      assert.equal(doc.latest_job_id, row.id);
      // drain it so later tests start from an empty queue
      await engine.queue.cancel(row.id);
    });

    it("claims by priority, then age, and never the same job twice", { skip }, async () => {
      const low = await enqueue({}, { priority: 1 });
      const high = await enqueue({}, { priority: 9 });
      const mid1 = await enqueue({}, { priority: 5 });
      const mid2 = await enqueue({}, { priority: 5 });
      const first = await engine.queue.claim("w1", 2, 5_000);
      const second = await engine.queue.claim("w2", 10, 5_000);
      assert.deepEqual(
        first.map((j) => j.row.id),
        [high.id, mid1.id],
      );
      assert.deepEqual(
        second.map((j) => j.row.id),
        [mid2.id, low.id],
      );
      assert.deepEqual(await engine.queue.claim("w3", 10, 5_000), []);
      for (const j of [...first, ...second]) {
        assert.equal(j.row.attempt, 1);
        await engine.queue.completeJob(j);
      }
    });

    it("fences every write on the attempt: a worker that lost its job cannot write", { skip }, async () => {
      const row = await enqueue();
      const [stale] = await engine.queue.claim("old", 1, 1);
      assert.ok(stale);
      assert.equal(stale.steps[0]!.status, "in_progress", "the claim starts the first step");
      await sleep(5);
      assert.equal(await engine.queue.rescueExpired(), 1);
      assert.equal(await jobStatus(row.id), "pending");
      // Give the new attempt a chance to run: back-off is at most 100 ms here.
      const fresh = await waitFor("reclaim", async () => (await engine.queue.claim("new", 1, 5_000))[0]);
      assert.equal(fresh.row.attempt, 2);
      await assert.rejects(engine.queue.finishStep(stale, "validate", { status: "success" }), LeaseLostError);
      await assert.rejects(engine.queue.reportProgress(stale, "validate", 1, 2, null), LeaseLostError);
      await assert.rejects(engine.queue.completeJob(stale), LeaseLostError);
      await assert.rejects(engine.queue.heartbeat(stale, "old", 1_000), LeaseLostError);
      const steps = await engine.queue.getSteps(row.id);
      assert.equal(steps[0]!.status, "in_progress");
      assert.equal(steps[0]!.jobAttempt, 2);
      assert.equal(steps[0]!.attempts, 2);
      await engine.queue.finishCancel(fresh);
    });

    it("runs a job to completion with exact step k of n and progress events", { skip }, async () => {
      const w = worker();
      w.start();
      try {
        const row = await enqueue({ ocr: "progress:4:20" });
        await waitFor("completion", async () => (await jobStatus(row.id)) === "completed");
        const steps = await engine.queue.getSteps(row.id);
        assert.deepEqual(
          steps.map((s) => s.status),
          ["success", "success", "success"],
        );
        assert.equal(steps[1]!.progressTotal, 4);
        assert.equal(steps[1]!.progressDone, 4);
        const events = await db.database.db
          .selectFrom("job_events")
          .selectAll()
          .where("job_id", "=", row.id)
          .orderBy("id")
          .execute();
        const sequence = events.map((e) => `${e.step ?? "job"}:${e.status}`);
        assert.deepEqual(
          sequence.filter((s) => !s.endsWith(":progress")),
          [
            "job:pending",
            "validate:pending",
            "ocr:pending",
            "export:pending",
            "job:processing",
            "validate:in_progress",
            "validate:success",
            "ocr:in_progress",
            "ocr:success",
            "export:in_progress",
            "export:success",
            "job:completed",
          ],
        );
        assert.ok(sequence.filter((s) => s === "ocr:progress").length >= 1, "progress events were written");
        const job = (await engine.queue.getJob(row.id))!;
        assert.ok(job.version > row.version, "every transition moves the version forward");
        assert.equal(deriveStatus(job, steps, Date.now()).percentage, 100);
      } finally {
        await w.stop();
      }
    });

    it("a permanent error fails the job at once; a transient one retries with back-off", { skip }, async () => {
      const w = worker();
      w.start();
      try {
        const permanent = await enqueue({ ocr: "fail" });
        const transient = await enqueue({ ocr: "transient_once" });
        const exhausted = await enqueue({ ocr: "transient" }, { maxAttempts: 2 });
        await waitFor("all finished", async () => {
          const s = await Promise.all([permanent, transient, exhausted].map((j) => jobStatus(j.id)));
          return s.every((x) => x === "completed" || x === "failed");
        });
        const p = (await engine.queue.getJob(permanent.id))!;
        assert.equal(p.status, "failed");
        assert.equal(p.attempt, 1);
        assert.deepEqual(p.error, { code: "corrupt_file", message: "step ocr found the input corrupt" });
        assert.deepEqual(
          (await engine.queue.getSteps(permanent.id)).map((s) => s.status),
          ["success", "failure", "pending"],
        );
        const t = (await engine.queue.getJob(transient.id))!;
        assert.equal(t.status, "completed");
        assert.equal(t.attempt, 2);
        assert.equal(
          runs.filter((r) => r.jobId === transient.id && r.step === "validate").length,
          1,
          "validate did not rerun",
        );
        const e = (await engine.queue.getJob(exhausted.id))!;
        assert.equal(e.status, "failed");
        assert.equal(e.attempt, 2);
        assert.equal(e.error?.code, "transient_error");
      } finally {
        await w.stop();
      }
    });

    it("cancels a pending job at once and a processing job within 1 s", { skip }, async () => {
      const pending = await enqueue();
      const cancelled = await engine.queue.cancel(pending.id);
      assert.equal(cancelled.status, "cancelled");
      assert.deepEqual(
        (await engine.queue.getSteps(pending.id)).map((s) => s.status),
        ["cancelled", "cancelled", "cancelled"],
      );
      await assert.rejects(
        engine.queue.cancel(pending.id),
        (e: Error & { code?: string }) => e.code === "not_cancellable",
      );

      const w = worker();
      w.start();
      try {
        // "hang" ignores its AbortSignal: the engine must still stop the job in time.
        for (const script of [{ ocr: "sleep:60000" }, { ocr: "hang" }]) {
          const row = await enqueue(script);
          const running = await waitFor("ocr running", async () => {
            const steps = await engine.queue.getSteps(row.id);
            return steps[1]!.status === "in_progress" && steps;
          });
          const requested = Date.now();
          const during = await engine.queue.cancel(row.id);
          assert.equal(during.status, "processing");
          // The state the cancel left (the worker may stop the job before a re-read could see it).
          const status = deriveStatus(jobRowToJob(during), running, Date.now());
          assert.equal(status.status, "processing");
          assert.equal(status.can_cancel, false);
          await waitFor("cancelled", async () => (await jobStatus(row.id)) === "cancelled", 2_000);
          assert.ok(Date.now() - requested < 1_000, `cancel took ${Date.now() - requested} ms`);
          assert.deepEqual(
            (await engine.queue.getSteps(row.id)).map((s) => s.status),
            ["success", "cancelled", "cancelled"],
          );
        }
      } finally {
        await w.stop();
      }
    });

    it("retry resumes from the first step that did not succeed", { skip }, async () => {
      const w = worker();
      w.start();
      try {
        const row = await enqueue({ export: "fail" });
        await waitFor("failed", async () => (await jobStatus(row.id)) === "failed");
        const active = await enqueue({ validate: "sleep:5000" });
        await assert.rejects(
          engine.queue.retry(active.id),
          (e: Error & { code?: string }) => e.code === "not_retryable",
        );
        await engine.queue.cancel(active.id);
        // make the retry succeed by changing the script of the failed step
        await db.database.db
          .updateTable("jobs")
          .set({ options: JSON.stringify(options({})) })
          .where("id", "=", row.id)
          .execute();
        const before = runs.filter((r) => r.jobId === row.id).map((r) => r.step);
        assert.deepEqual(before, ["validate", "ocr", "export"]);
        const firstRun = (await engine.queue.getJob(row.id))!;
        assert.notEqual(firstRun.startedAt, null);
        await sleep(50);
        const retried = await engine.queue.retry(row.id);
        assert.equal(retried.status, "pending");
        // A manual retry is a new run: its elapsed time does not include the first run and
        // the time the job sat failed.
        assert.equal(retried.started_at, null);
        await waitFor("completed", async () => (await jobStatus(row.id)) === "completed");
        const secondRun = (await engine.queue.getJob(row.id))!;
        assert.ok(secondRun.startedAt!.getTime() >= Number(retried.run_at), "started again at the retry's claim");
        assert.ok(secondRun.startedAt!.getTime() > firstRun.completedAt!.getTime(), "not at the first run's start");
        const afterRuns = runs.filter((r) => r.jobId === row.id).map((r) => r.step);
        assert.deepEqual(afterRuns, ["validate", "ocr", "export", "export"]);
      } finally {
        await w.stop();
      }
    });

    it("deletes only finished jobs", { skip }, async () => {
      const active = await enqueue();
      await assert.rejects(engine.queue.delete(active.id), (e: Error & { code?: string }) => e.code === "job_active");
      await engine.queue.cancel(active.id);
      await engine.queue.delete(active.id);
      assert.equal(await engine.queue.getJob(active.id), undefined);
      assert.equal((await engine.queue.getSteps(active.id)).length, 0);
      const doc = await db.database.db
        .selectFrom("documents")
        .select("latest_job_id")
        .where("id", "=", active.document_id)
        .executeTakeFirstOrThrow();
      assert.equal(doc.latest_job_id, null);
      const events = await db.database.db
        .selectFrom("job_events")
        .select("status")
        .where("job_id", "=", active.id)
        .execute();
      assert.ok(
        events.some((e) => e.status === "deleted"),
        "the audit trail keeps the job's history",
      );
    });

    it("adds steps while the job runs, and step k of n follows", { skip }, async () => {
      const w = worker();
      w.start();
      try {
        const row = await enqueue({ export: "add:deliver:webhook" });
        await waitFor("completed", async () => (await jobStatus(row.id)) === "completed");
        const steps = await engine.queue.getSteps(row.id);
        assert.deepEqual(
          steps.map((s) => [s.name, s.status]),
          [
            ["validate", "success"],
            ["ocr", "success"],
            ["export", "success"],
            ["deliver:webhook", "success"],
          ],
        );
        const status = deriveStatus((await engine.queue.getJob(row.id))!, steps, Date.now());
        assert.equal(status.total_steps, 4);
      } finally {
        await w.stop();
      }
    });

    it("the rescuer fails a job whose last attempt's lease expired, with a reason", { skip }, async () => {
      const row = await enqueue({}, { maxAttempts: 1 });
      const [claimed] = await engine.queue.claim("doomed", 1, 1);
      assert.ok(claimed);
      await sleep(5);
      assert.equal(await engine.queue.rescueExpired(), 1);
      const job = (await engine.queue.getJob(row.id))!;
      assert.equal(job.status, "failed");
      assert.equal(job.error?.code, "lease_expired");
      assert.match(job.error?.message ?? "", /doomed stopped responding/);
      assert.equal((await engine.queue.getSteps(row.id))[0]!.status, "failure");
    });

    it("graceful shutdown releases running jobs without spending an attempt", { skip }, async () => {
      const w = worker();
      w.start();
      const row = await enqueue({ ocr: "sleep:60000" });
      await waitFor("running", async () => (await engine.queue.getSteps(row.id))[1]!.status === "in_progress");
      await w.stop(100);
      const job = (await engine.queue.getJob(row.id))!;
      assert.equal(job.status, "pending");
      assert.equal(job.maxAttempts, 4);
      assert.deepEqual(
        (await engine.queue.getSteps(row.id)).map((s) => s.status),
        ["success", "pending", "pending"],
      );
      await engine.queue.cancel(row.id);
    });
  });
}
