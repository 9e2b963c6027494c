/**
 * 0005_one_active_job on a database written before the rule, holding several active jobs
 * for one document: the migration keeps one per document (the one the document's status
 * shows, else the newest), cancels the others through events, and `steps verify` still
 * finds job_steps equal to the fold of job_events. A worker still running a cancelled job
 * loses its fence.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { migrate } from "../../src/db/migrator.js";
import type { JobOptions } from "../../src/domain/types.js";
import { JobQueue } from "../../src/engine/job-queue.js";
import { InProcessNotifier } from "../../src/engine/notifier.js";
import { StepLedger } from "../../src/engine/step-ledger.js";
import { LeaseLostError } from "../../src/engine/transition.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
};
const PLAN = ["validate", "ocr", "export"];

for (const dialect of DIALECTS) {
  describe(`0005_one_active_job on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let queue: JobQueue;

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
    });
    after(async () => {
      if (!skip) await db.drop();
    });

    it("cancels all but one active job per document, and the ledger still verifies", { skip }, async () => {
      const { db: kdb } = db.database;
      const { ownerId, documentIds } = await seedDocuments(db.database, 7);
      const [shown, plain, ...others] = documentIds as [string, string, ...string[]];
      const enqueue = (documentId: string) =>
        queue.enqueue({ documentId, ownerId, pipeline: "test", options: OPTIONS, plan: PLAN });

      // Jobs written before the rule, made with today's engine on separate documents and then
      // moved onto two documents with the index out of the way.
      const kept = await enqueue(shown); // the job `shown`'s status shows (its latest_job_id)
      const running = await enqueue(others[0]!);
      const [claimed] = await queue.claim("worker-old", 1, 60_000); // the oldest pending: `kept`
      assert.equal(claimed?.row.id, kept.id);
      const [claimedOther] = await queue.claim("worker-old", 1, 60_000);
      assert.equal(claimedOther?.row.id, running.id);
      await queue.startStep(claimedOther!, "validate");
      const pendingDup = await enqueue(others[1]!);
      const finished = await enqueue(others[2]!);
      await queue.cancel(finished.id);
      const plainOld = await enqueue(plain);
      const plainNew = await enqueue(others[3]!);

      await sql`drop index jobs_one_active_per_document_idx`.execute(kdb);
      const move = async (jobIds: string[], documentId: string) => {
        await kdb.updateTable("jobs").set({ document_id: documentId }).where("id", "in", jobIds).execute();
        await kdb.updateTable("job_events").set({ document_id: documentId }).where("job_id", "in", jobIds).execute();
      };
      await move([running.id, pendingDup.id, finished.id], shown);
      await move([plainNew.id], plain);
      // `plain` shows a finished job: the newest active one is kept.
      await kdb
        .updateTable("jobs")
        .set({ created_at: plainOld.created_at + 1 })
        .where("id", "=", plainNew.id)
        .execute();
      await kdb.updateTable("documents").set({ latest_job_id: finished.id }).where("id", "=", plain).execute();
      await kdb.updateTable("documents").set({ latest_job_id: kept.id }).where("id", "=", shown).execute();
      await sql`delete from docket_migrations where id = '0005_one_active_job'`.execute(kdb);
      const versionsBefore = new Map(
        (await kdb.selectFrom("jobs").select(["id", "version"]).execute()).map((r) => [r.id, Number(r.version)]),
      );

      const report = await migrate(db.database);
      assert.deepEqual(report.applied, ["0005_one_active_job"]);

      const status = async (id: string) =>
        (await kdb.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow()).status;
      assert.equal(await status(kept.id), "processing");
      assert.equal(await status(running.id), "cancelled");
      assert.equal(await status(pendingDup.id), "cancelled");
      assert.equal(await status(finished.id), "cancelled");
      assert.equal(await status(plainNew.id), "pending");
      assert.equal(await status(plainOld.id), "cancelled");

      const superseded = await kdb
        .selectFrom("jobs")
        .selectAll()
        .where("id", "=", running.id)
        .executeTakeFirstOrThrow();
      assert.equal(superseded.lease_owner, null);
      assert.ok(Number(superseded.version) > versionsBefore.get(running.id)!, "the version moved");
      const steps = await queue.getSteps(running.id);
      assert.deepEqual(
        steps.map((s) => s.status),
        ["cancelled", "cancelled", "cancelled"],
      );
      const last = await kdb
        .selectFrom("job_events")
        .selectAll()
        .where("job_id", "=", running.id)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      assert.equal(last.status, "cancelled");
      assert.equal(last.step, null);
      assert.equal(JSON.parse(last.detail!).superseded_by, kept.id);
      assert.equal(Number(superseded.version), Number(last.id));

      assert.deepEqual(await new StepLedger(db.database).verify(), []);

      // The worker that ran the superseded job is fenced off; the kept one goes on.
      await assert.rejects(queue.finishStep(claimedOther!, "validate", { status: "success" }), LeaseLostError);
      await queue.startStep(claimed!, "validate");

      // The rule holds from now on.
      await assert.rejects(enqueue(plain), (e: Error & { code?: string }) => e.code === "job_active");
    });
  });
}
