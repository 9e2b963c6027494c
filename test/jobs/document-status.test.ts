import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JobOptions } from "../../src/domain/types.js";
import { JobQueue } from "../../src/engine/job-queue.js";
import { InProcessNotifier } from "../../src/engine/notifier.js";
import { loadDocumentStatus, loadJobs, statusOf } from "../../src/jobs/job-view.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
};
const PLAN = ["validate", "check_text", "render_pages", "ocr", "assemble", "export"];

for (const dialect of DIALECTS) {
  describe(`loadDocumentStatus on ${dialect} (the one-statement status read)`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let queue: JobQueue;
    let owner: string;
    let documents: string[];

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
      ({ ownerId: owner, documentIds: documents } = await seedDocuments(db.database, 3));
    });
    after(async () => {
      if (!skip) await db.drop();
    });

    it("tells an invisible document from one never submitted", { skip }, async () => {
      assert.equal(
        await loadDocumentStatus(db.database, { userId: owner, admin: false }, "no-such-document"),
        undefined,
      );
      assert.equal(await loadDocumentStatus(db.database, { userId: owner, admin: false }, documents[0]!), null);
      assert.equal(statusOf(undefined).status, "uploaded");
    });

    it("returns the latest job with its steps in plan order, the same as the multi-query read", { skip }, async () => {
      await queue.enqueue({ documentId: documents[1]!, ownerId: owner, pipeline: "ocr", options: OPTIONS, plan: PLAN });
      const [claimed] = await queue.claim("worker-1", 1, 30_000);
      assert.ok(claimed);
      await queue.startStep(claimed, "validate");
      await queue.finishStep(claimed, "validate", { status: "success" });
      await queue.startStep(claimed, "check_text");

      const loaded = await loadDocumentStatus(db.database, { userId: owner, admin: false }, documents[1]!);
      assert.ok(loaded);
      assert.deepEqual(
        loaded.steps.map((s) => [s.name, s.status]),
        [
          ["validate", "success"],
          ["check_text", "in_progress"],
          ["render_pages", "pending"],
          ["ocr", "pending"],
          ["assemble", "pending"],
          ["export", "pending"],
        ],
      );
      const reference = (await loadJobs(db.database, [claimed.row.id])).get(claimed.row.id);
      assert.ok(reference);
      assert.deepEqual(loaded, reference);
      const now = Date.now();
      assert.deepEqual(statusOf(loaded, now), statusOf(reference, now));
      assert.equal(statusOf(loaded, now).step, 2);
    });

    it("is scoped: another user sees nothing, an admin sees it", { skip }, async () => {
      assert.equal(
        await loadDocumentStatus(db.database, { userId: "someone-else", admin: false }, documents[1]!),
        undefined,
      );
      assert.ok(await loadDocumentStatus(db.database, { userId: "someone-else", admin: true }, documents[1]!));
    });
  });
}
