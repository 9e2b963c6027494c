import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { newId } from "../../src/engine/ids.js";
import { PipelineRegistry, type StepContext } from "../../src/engine/pipeline.js";
import { Worker } from "../../src/engine/worker.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const log = silentLogger();
const OPTIONS = { ocr_mode: "document", resolution_mode: "base", languages: ["eng"], outputs: ["pdf"], ocr: "auto" };

for (const dialect of DIALECTS) {
  describe(`a collection job (no document) on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let engine: Engine;
    let ownerId: string;
    let collectionId: string;
    const seen: { documentId: string | null; collectionId: string | null; step: string }[] = [];
    const registry = new PipelineRegistry();
    registry.register({
      name: "compile-test",
      plan: () => ["gather", "merge"],
      handler: () => async (ctx: StepContext) => {
        seen.push({ documentId: ctx.documentId, collectionId: ctx.collectionId, step: ctx.step });
        return { detail: { merged: ctx.step } };
      },
    });

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      engine = await createEngine({ database: db.database, log, feed: false });
      ({ ownerId } = await seedDocuments(db.database, 0));
      collectionId = newId();
      const now = Date.now();
      await db.database.db
        .insertInto("collections")
        .values({
          id: collectionId,
          owner_id: ownerId,
          name: "c",
          created_at: now,
          updated_at: now,
          deleted_at: null,
          version: 1,
        })
        .execute();
    });
    after(async () => {
      if (skip) return;
      await engine.close();
      await db.drop();
    });

    it("is enqueued, run and completed with collectionId set and documentId null", { skip }, async () => {
      const row = await engine.queue.enqueue({
        collectionId,
        ownerId,
        pipeline: "compile-test",
        options: OPTIONS as never,
        plan: ["gather", "merge"],
      });
      assert.equal(row.document_id, null);
      assert.equal(row.collection_id, collectionId);
      const worker = new Worker({
        queue: engine.queue,
        registry,
        notifier: engine.notifier,
        log,
        concurrency: 1,
        pollMs: 50,
      });
      worker.start();
      try {
        for (let i = 0; i < 200 && (await engine.queue.getJob(row.id))?.status !== "completed"; i++) await sleep(25);
      } finally {
        await worker.stop();
      }
      const job = (await engine.queue.getJob(row.id))!;
      assert.equal(job.status, "completed");
      assert.equal(job.documentId, null);
      assert.equal(job.collectionId, collectionId);
      assert.deepEqual(seen, [
        { documentId: null, collectionId, step: "gather" },
        { documentId: null, collectionId, step: "merge" },
      ]);
      const events = await db.database.db
        .selectFrom("job_events")
        .select(["document_id", "collection_id"])
        .where("job_id", "=", row.id)
        .execute();
      assert.ok(events.length >= 8);
      assert.ok(events.every((e) => e.document_id === null && e.collection_id === collectionId));
      assert.deepEqual(await engine.ledger.verify({ jobIds: [row.id] }), []);
    });

    it("refuses a job for both or neither a document and a collection", { skip }, async () => {
      const input = { ownerId, pipeline: "compile-test", options: OPTIONS as never, plan: ["gather"] };
      await assert.rejects(
        engine.queue.enqueue(input),
        (e: Error & { code?: string }) => e.code === "validation_error",
      );
      const [documentId] = (await seedDocuments(db.database, 1, ownerId)).documentIds;
      await assert.rejects(
        engine.queue.enqueue({ ...input, documentId: documentId!, collectionId }),
        (e: Error & { code?: string }) => e.code === "validation_error",
      );
    });
  });
}
