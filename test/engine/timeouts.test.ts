/**
 * Time limits (#15 item 4): a step past its limit fails with `timeout` and follows the retry
 * rules, whether it honours its abort signal or ignores it (then the worker moves on after
 * the grace, its slot free); a job past its own limit fails with `timeout` at once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TimeLimits } from "../../src/engine/time-limits.js";
import { DIALECTS } from "../support/databases.js";
import { queueHarness, waitFor } from "../support/queue-harness.js";

/** Small limits: 300 ms per step, 150 ms per OCR "page", a 3 s job, a 200 ms grace. */
const LIMITS: TimeLimits = { stepMs: 300, kinds: { ocr: { perUnitMs: 150 } }, jobMs: 3_000, graceMs: 200 };

for (const dialect of DIALECTS) {
  describe(`time limits on ${dialect}`, async () => {
    const h = await queueHarness(dialect);
    const { skip, runs } = h;

    const enqueue = (script: Record<string, string>, maxAttempts = 3) => h.enqueue(script, { maxAttempts });
    const worker = (timeLimits: TimeLimits = LIMITS, concurrency = 1) =>
      h.worker({ concurrency, leaseMs: 5_000, pollMs: 100, timeLimits });
    const finished = (id: string) =>
      waitFor(
        `job ${id} to finish`,
        async () => {
          const job = await h.engine.queue.getJob(id);
          return job && (job.status === "completed" || job.status === "failed") ? job : undefined;
        },
        15_000,
      );

    it(
      "a step that ignores its signal fails with `timeout` on every attempt; the slot runs the next job",
      { skip },
      async () => {
        const w = worker();
        w.start();
        try {
          const hung = await enqueue({ ocr: "hang" }, 2);
          const job = await finished(hung.id);
          assert.equal(job.status, "failed");
          assert.equal(job.error?.code, "timeout");
          assert.equal(job.attempt, 2, "the timeout was retried, and each attempt counted");
          assert.match(job.error?.message ?? "", /step ocr took longer than its time limit of 0\.2 s/);
          const ocr = (await h.engine.queue.getSteps(hung.id)).find((s) => s.name === "ocr")!;
          assert.equal(ocr.status, "failure");
          assert.equal(ocr.error?.code, "timeout");
          assert.equal(ocr.attempts, 2);
          // Both hung handlers still hang (they ignore their signal), yet the one slot is free.
          assert.equal(w.activeJobs, 0);
          const next = await enqueue({});
          assert.equal((await finished(next.id)).status, "completed");
        } finally {
          await w.stop();
        }
      },
    );

    it("a step timed out once is retried and the retry completes the job", { skip }, async () => {
      const w = worker();
      w.start();
      try {
        const row = await enqueue({ export: "hang_once" });
        const job = await finished(row.id);
        assert.equal(job.status, "completed");
        assert.equal(job.attempt, 2);
        const events = await h.db.database.db
          .selectFrom("job_events")
          .select(["step", "status", "detail"])
          .where("job_id", "=", row.id)
          .where("status", "=", "failure")
          .execute();
        assert.equal(events.length, 1);
        assert.equal(events[0]!.step, "export");
        assert.match(events[0]!.detail ?? "", /"code":"timeout"/);
      } finally {
        await w.stop();
      }
    });

    it(
      "a step that honours its signal stops at its limit; a per-page limit grows with the pages",
      { skip },
      async () => {
        const w = worker();
        w.start();
        try {
          // 4 pages of 100 ms each: 400 ms, within 4 × 150 ms although past the fixed step limit.
          const paged = await enqueue({ ocr: "progress:4:100" });
          assert.equal((await finished(paged.id)).status, "completed");
          // A sleeping step past 300 ms is aborted at its limit.
          const slow = await enqueue({ validate: "sleep:60000" }, 1);
          const job = await finished(slow.id);
          assert.equal(job.status, "failed");
          assert.equal(job.error?.code, "timeout");
          assert.match(job.error?.message ?? "", /step validate took longer than its time limit of 0\.3 s/);
          const run = runs.filter((r) => r.jobId === slow.id);
          assert.equal(run.length, 1);
        } finally {
          await w.stop();
        }
      },
    );

    it("a job past its own limit fails with `timeout` at once, without retry", { skip }, async () => {
      const w = worker({ ...LIMITS, stepMs: 10_000, jobMs: 400 });
      w.start();
      try {
        const row = await enqueue({ validate: "sleep:250", ocr: "sleep:250", export: "sleep:250" });
        const job = await finished(row.id);
        assert.equal(job.status, "failed");
        assert.equal(job.error?.code, "timeout");
        assert.equal(job.attempt, 1);
        assert.match(job.error?.message ?? "", /the job took longer than its time limit of 0\.4 s/);
        const steps = await h.engine.queue.getSteps(row.id);
        assert.deepEqual(
          steps.map((s) => s.status),
          ["success", "failure", "pending"],
        );
      } finally {
        await w.stop();
      }
    });
  });
}
