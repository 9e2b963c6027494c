import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DIALECTS } from "../support/databases.js";
import { queueHarness, waitFor } from "../support/queue-harness.js";

/** The ledger under random work: split from queue.conformance.test.ts, on the same harness. */
for (const dialect of DIALECTS) {
  describe(`step ledger after random work on ${dialect}`, async () => {
    const h = await queueHarness(dialect);
    const { skip } = h;

    it(
      "after randomized runs with failures, cancels and crashes, rebuild reproduces the step table and verify finds nothing",
      { skip },
      async () => {
        const scripts: Record<string, string>[] = [
          {},
          { ocr: "fail" },
          { export: "transient_once" },
          { ocr: "progress:3:5" },
          { validate: "sleep:30" },
          { ocr: "skip" },
          { export: "transient" },
        ];
        const w = h.worker({ concurrency: 3 });
        w.start();
        const ids: string[] = [];
        let seed = 7;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        try {
          for (let i = 0; i < 40; i++) {
            const row = await h.enqueue(scripts[Math.floor(random() * scripts.length)]!, { maxAttempts: 2 });
            ids.push(row.id);
            if (random() < 0.2) await h.engine.queue.cancel(row.id).catch(() => undefined);
          }
          // a "crashed" worker: claimed and started, then never heard from again
          const crashed = await h.enqueue();
          ids.push(crashed.id);
          await sleep(50);
          await waitFor(
            "all finished",
            async () => {
              const rows = await h.db.database.db.selectFrom("jobs").select("status").where("id", "in", ids).execute();
              return rows.every((r) => r.status !== "pending" && r.status !== "processing");
            },
            20_000,
          );
        } finally {
          await w.stop();
        }
        assert.deepEqual(await h.engine.ledger.verify(), []);
        // Corrupt the table, then rebuild it from the events.
        await h.db.database.db
          .updateTable("job_steps")
          .set({ status: "success", attempts: 99 })
          .where("job_id", "in", ids.slice(0, 10))
          .execute();
        await h.db.database.db.deleteFrom("job_steps").where("job_id", "=", ids[10]!).execute();
        const snapshotBefore = await h.db.database.db
          .selectFrom("job_steps")
          .selectAll()
          .orderBy("job_id")
          .orderBy("name")
          .execute();
        const mismatches = await h.engine.ledger.verify();
        assert.ok(mismatches.length >= 11);
        const dry = await h.engine.ledger.rebuild({ dryRun: true, batchSize: 7 });
        assert.equal(dry.changedJobs, 11);
        assert.deepEqual(
          await h.db.database.db.selectFrom("job_steps").selectAll().orderBy("job_id").orderBy("name").execute(),
          snapshotBefore,
          "dry run changed nothing",
        );
        const report = await h.engine.ledger.rebuild({ batchSize: 7 });
        assert.equal(report.changedJobs, 11);
        assert.deepEqual(await h.engine.ledger.verify(), []);
        assert.equal((await h.engine.ledger.rebuild()).changedJobs, 0);
      },
    );
  });
}
