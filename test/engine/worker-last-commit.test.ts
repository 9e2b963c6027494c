/**
 * The worker's cancel poll (and heartbeat) may read a job just after the commit of its last
 * step, when the job is no longer `processing`: that is the job finishing, not the lease being
 * lost. The run must end as completed, with no "lost the job" warning.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import type { JobQueue } from "../../src/engine/job-queue.js";
import { createLogger } from "../../src/logger.js";
import { DIALECTS } from "../support/databases.js";
import { queueHarness, waitFor } from "../support/queue-harness.js";

/** Warnings and errors the worker logs, one parsed line each. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: "warn", format: "json", destination: stream }), lines };
}

/**
 * The engine's queue, except that the commit that completes a job returns only after a
 * cancel poll that started after that commit has been answered and handled by the worker:
 * the race made certain instead of left to timing.
 */
function pollAfterLastCommit(queue: JobQueue): { queue: JobQueue; pollsAfterCommit: () => number } {
  let armed: (() => void) | null = null;
  let polls = 0;
  const wrapped = Object.create(queue) as JobQueue;
  Object.assign(wrapped, {
    finishStep: async (...args: Parameters<JobQueue["finishStep"]>) => {
      const completed = await queue.finishStep(...args);
      if (completed) await new Promise<void>((resolve) => (armed = resolve));
      return completed;
    },
    runningState: async (ids: readonly string[]) => {
      const release = armed;
      armed = null;
      const states = await queue.runningState(ids);
      if (release) {
        polls++;
        // The worker handles the answer in the continuation of this call: release after it.
        setImmediate(release);
      }
      return states;
    },
  });
  return { queue: wrapped, pollsAfterCommit: () => polls };
}

for (const dialect of DIALECTS) {
  describe(`worker: a poll just after the last commit on ${dialect}`, async () => {
    const h = await queueHarness(dialect);

    it("ends the job as completed without warning that the job was lost", { skip: h.skip }, async () => {
      const { log, lines } = recordingLogger();
      const { queue, pollsAfterCommit } = pollAfterLastCommit(h.engine.queue);
      const worker = h.worker({ queue, log, concurrency: 1, cancelPollMs: 10 });
      worker.start();
      try {
        const row = await h.enqueue();
        const job = await waitFor(`job ${row.id} to complete`, async () => {
          const j = await h.engine.queue.getJob(row.id);
          return j?.status === "completed" ? j : undefined;
        });
        await waitFor("the worker to let the job go", () => worker.activeJobs === 0);
        assert.equal(job.status, "completed");
        assert.equal(pollsAfterCommit(), 1, "a cancel poll read the job after its last commit");
      } finally {
        await worker.stop();
      }
      assert.deepEqual(
        lines.map((l) => l.msg),
        [],
        "nothing was logged at warn or above",
      );
    });
  });
}
