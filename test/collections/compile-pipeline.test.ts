/**
 * The compile pipeline's steps on a real database and blob store (SQLite and PostgreSQL),
 * called as the engine calls them: each builds its output from the members' latest completed
 * jobs into its workspace and returns it as an artifact; progress counts documents; an abort
 * leaves no output behind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { PDFDocument } from "pdf-lib";
import { CollectionService } from "../../src/collections/collection-service.js";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import {
  COMPILE_PIPELINE,
  createCompilePipeline,
  planCompile,
} from "../../src/collections/compile/compile-pipeline.js";
import type { JobOptions } from "../../src/domain/types.js";
import type { StepContext, StepResult } from "../../src/engine/pipeline.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { scanLikeJpeg, seedCompiledCollection, type CompileFixture } from "./compile-fixture.js";
import { join } from "node:path";

const thresholds = { ocrConfidence: 60, fieldConfidence: 0.5 };

for (const dialect of DIALECTS) {
  describe(`compile pipeline on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let t: TestDatabase;
    let blobStore: LocalBlobStore;
    let fixture: CompileFixture;

    before(async () => {
      if (skip) return;
      t = await createTestDatabase(dialect);
      blobStore = new LocalBlobStore(join(t.dataDir, "blobs"), { fsync: false });
      const images = [await scanLikeJpeg(1, 310, 438)];
      fixture = await seedCompiledCollection(t.database, blobStore, {
        documents: 5,
        pagesOf: (i) => i + 1,
        images,
        name: "March 2024",
      });
    });
    after(async () => {
      if (!skip) await t.drop();
    });

    function context(
      step: string,
      progress: [number, number][] = [],
      signal = new AbortController().signal,
      jobId = "job-compile",
    ) {
      const options = {
        collection_id: fixture.collectionId,
        collection_name: "March 2024",
        member_ids: fixture.memberIds,
        compile_outputs: ["pdf", "csv", "xlsx", "zip", "json"],
      } as unknown as JobOptions;
      return {
        jobId,
        documentId: null,
        collectionId: null,
        ownerId: fixture.ownerId,
        attempt: 1,
        options,
        step,
        signal,
        log: silentLogger(),
        progress: (done: number, total: number) => progress.push([done, total]),
        addSteps: async () => undefined,
        workspace: `jobs/${jobId}/${step}/`,
        workspaceOf: (s: string) => `jobs/${jobId}/${s}/`,
      } satisfies StepContext;
    }

    const pipeline = () => createCompilePipeline({ database: t.database, blobStore, thresholds });

    it("plans one step per output, in build order", { skip }, () => {
      const p = pipeline();
      assert.equal(p.name, COMPILE_PIPELINE);
      assert.deepEqual(planCompile(["json", "pdf"]), ["compile_pdf", "compile_summary"]);
      assert.deepEqual(p.plan({} as JobOptions), [
        "compile_pdf",
        "compile_csv",
        "compile_xlsx",
        "compile_zip",
        "compile_summary",
      ]);
      assert.equal(p.handler("compile_nothing"), undefined);
    });

    it("builds every output from the members' latest completed jobs", { skip, timeout: 60_000 }, async () => {
      const p = pipeline();
      const results = new Map<string, StepResult>();
      for (const step of p.plan({} as JobOptions)) {
        const progress: [number, number][] = [];
        const result = (await p.handler(step)!(context(step, progress))) as StepResult;
        results.set(step, result);
        assert.deepEqual(progress.at(-1), [5, 5], step);
      }
      const pdf = results.get("compile_pdf")!.artifacts![0]!;
      assert.equal(pdf.kind, "pdf");
      assert.equal(pdf.blobKey, "jobs/job-compile/compile_pdf/March 2024.pdf");
      const merged = await PDFDocument.load(await blobStore.getBuffer(pdf.blobKey));
      assert.equal(merged.getPageCount(), 1 + 2 + 3 + 4 + 5);
      assert.equal(results.get("compile_pdf")!.detail!.documents, 5);

      const csv = (await blobStore.getBuffer(results.get("compile_csv")!.artifacts![0]!.blobKey)).toString("utf8");
      assert.equal(csv.trim().split("\r\n").length, 6);
      assert.ok(csv.includes("FV/3"));

      const zip = await JSZip.loadAsync(await blobStore.getBuffer(results.get("compile_zip")!.artifacts![0]!.blobKey));
      assert.equal(Object.values(zip.files).filter((f) => !f.dir).length, 5 * 3);

      const summary = JSON.parse(
        (await blobStore.getBuffer(results.get("compile_summary")!.artifacts![0]!.blobKey)).toString("utf8"),
      );
      assert.equal(summary.counts.documents, 5);
      assert.equal(summary.counts.pages, 15);
      assert.deepEqual(
        summary.totals_by_currency.map((r: { currency: string; gross: string }) => [r.currency, r.gross]),
        [
          ["EUR", "246.00"],
          ["PLN", "369.00"],
        ],
      );
      const xlsx = results.get("compile_xlsx")!.artifacts![0]!;
      assert.equal(xlsx.mimeType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      assert.ok(xlsx.sizeBytes > 1000);
    });

    it("serves the collection's fields table (fields.csv?collection_id=) in collection order", { skip }, async () => {
      const service = new CollectionService(
        t.database,
        { submitCollectionBatch: async () => ({ batch_id: "", jobs: [], skipped: [] }) },
        blobStore,
        thresholds,
      );
      const scope = { userId: fixture.ownerId, admin: false };
      let text = "";
      for await (const chunk of await service.fieldsCsv(scope, fixture.collectionId, undefined)) text += String(chunk);
      const lines = text.trim().split("\r\n");
      assert.equal(lines.length, 6);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(",")[0]),
        fixture.memberIds,
      );
      let none = "";
      for await (const chunk of await service.fieldsCsv(scope, fixture.collectionId, "failed")) none += String(chunk);
      assert.equal(none.trim().split("\r\n").length, 1);
      await assert.rejects(
        service.fieldsCsv({ userId: "someone-else", admin: false }, fixture.collectionId, undefined),
        {
          code: "not_found",
        },
      );
    });

    it("stops on abort and stores nothing under the output's key", { skip }, async () => {
      const controller = new AbortController();
      const progress: [number, number][] = [];
      const ctx = context("compile_zip", progress, controller.signal, "job-cancelled");
      const run = pipeline().handler("compile_zip")!({
        ...ctx,
        progress: (done, total) => {
          progress.push([done, total]);
          if (done === 2) controller.abort(new Error("cancel requested"));
        },
      });
      await assert.rejects(run, /cancel requested/);
      assert.deepEqual(progress.at(-1), [2, 5]);
      assert.deepEqual(await blobStore.list("jobs/job-cancelled/"), []);
    });
  });
}
