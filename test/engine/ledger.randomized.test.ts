import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { PipelineRegistry } from "../../src/engine/pipeline.js";
import { Worker } from "../../src/engine/worker.js";
import type { JobOptions } from "../../src/domain/types.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";
import { createTestPipeline, type StepRun } from "../support/test-pipeline.js";

const log = silentLogger();
/** The ledger under random work: split from queue.conformance.test.ts, with the same setup. */
const STEPS = ["validate", "ocr", "export"];

function options(script: Record<string, string> = {}, extra: Partial<JobOptions> = {}): JobOptions {
  return {
    ocr_mode: "document",
    resolution_mode: "base",
    languages: ["eng"],
    outputs: ["txt"],
    ocr: "auto",
    script,
    ...extra,
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const dialect of DIALECTS) {
  describe(`step ledger after random work on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let engine: Engine;
    let ownerId: string;
    const runs: StepRun[] = [];
    const registry = new PipelineRegistry();
    registry.register(createTestPipeline({ steps: STEPS, runs }));

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      engine = await createEngine({ database: db.database, log, backoff: { baseMs: 20, maxMs: 100 } });
      ({ ownerId } = await seedDocuments(db.database, 0));
    });
    after(async () => {
      if (skip) return;
      await engine.close();
      await db.drop();
    });

    const newDocument = async () => (await seedDocuments(db.database, 1, ownerId)).documentIds[0]!;
    const enqueue = async (
      script: Record<string, string> = {},
      extra: { priority?: number; maxAttempts?: number } = {},
    ) =>
      engine.queue.enqueue({
        documentId: await newDocument(),
        ownerId,
        pipeline: "test",
        options: options(script),
        plan: STEPS,
        ...extra,
      });
    const worker = (extra: Partial<ConstructorParameters<typeof Worker>[0]> = {}) =>
      new Worker({
        queue: engine.queue,
        registry,
        notifier: engine.notifier,
        log,
        concurrency: 2,
        leaseMs: 2_000,
        pollMs: 200,
        cancelPollMs: 100,
        ...extra,
      });

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
        const w = worker({ concurrency: 3 });
        w.start();
        const ids: string[] = [];
        let seed = 7;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        try {
          for (let i = 0; i < 40; i++) {
            const row = await enqueue(scripts[Math.floor(random() * scripts.length)]!, { maxAttempts: 2 });
            ids.push(row.id);
            if (random() < 0.2) await engine.queue.cancel(row.id).catch(() => undefined);
          }
          // a "crashed" worker: claimed and started, then never heard from again
          const crashed = await enqueue();
          ids.push(crashed.id);
          await sleep(50);
          await waitFor(
            "all finished",
            async () => {
              const rows = await db.database.db.selectFrom("jobs").select("status").where("id", "in", ids).execute();
              return rows.every((r) => r.status !== "pending" && r.status !== "processing");
            },
            20_000,
          );
        } finally {
          await w.stop();
        }
        assert.deepEqual(await engine.ledger.verify(), []);
        // Corrupt the table, then rebuild it from the events.
        await db.database.db
          .updateTable("job_steps")
          .set({ status: "success", attempts: 99 })
          .where("job_id", "in", ids.slice(0, 10))
          .execute();
        await db.database.db.deleteFrom("job_steps").where("job_id", "=", ids[10]!).execute();
        const snapshotBefore = await db.database.db
          .selectFrom("job_steps")
          .selectAll()
          .orderBy("job_id")
          .orderBy("name")
          .execute();
        const mismatches = await engine.ledger.verify();
        assert.ok(mismatches.length >= 11);
        const dry = await engine.ledger.rebuild({ dryRun: true, batchSize: 7 });
        assert.equal(dry.changedJobs, 11);
        assert.deepEqual(
          await db.database.db.selectFrom("job_steps").selectAll().orderBy("job_id").orderBy("name").execute(),
          snapshotBefore,
          "dry run changed nothing",
        );
        const report = await engine.ledger.rebuild({ batchSize: 7 });
        assert.equal(report.changedJobs, 11);
        assert.deepEqual(await engine.ledger.verify(), []);
        assert.equal((await engine.ledger.rebuild()).changedJobs, 0);
      },
    );
  });
}
