/**
 * The compile stage end to end through the real server on SQLite and PostgreSQL: the
 * collection job (no document, the collection named) runs the compile pipeline on the real
 * engine; its outputs download; two compile requests at once start one job; a cancel removes
 * the running step's partial output and a retry resumes at the step that did not finish; a
 * failed step is retried from that step without building the others again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { PDFDocument } from "pdf-lib";
import { createCompilePipeline } from "../../src/collections/compile/compile-pipeline.js";
import { controlledCompile, realPdfPipeline, type Control } from "./compile-test-pipelines.js";
import { reviewThresholds } from "../../src/fields/thresholds.js";
import {
  apiTestPipeline,
  createUsers,
  pngBytes,
  SseClient,
  startServer,
  waitFor,
  type Client,
  type TestServer,
  type Users,
} from "../api/support.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";

for (const dialect of DIALECTS) {
  describe(`compile stage on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    const control: Control = { hold: null, failOnce: null, runs: new Map() };

    before(async () => {
      if (skip) return;
      const scripts = new Map<string, Record<string, string>>();
      server = await startServer(
        dialect,
        {},
        {
          pipelines: ({ blobStore, database, config }) => {
            const put = async (key: string, bytes: Buffer) => (await blobStore.put(key, bytes)).size;
            return [
              realPdfPipeline(apiTestPipeline(blobStore, scripts), put),
              controlledCompile(
                createCompilePipeline({ database, blobStore, thresholds: reviewThresholds(config) }),
                control,
                put,
              ),
            ];
          },
        },
      );
      u = await createUsers(server.base);
    });
    after(async () => {
      if (!skip) await server.close();
    });

    async function processedCollection(c: Client, n: number): Promise<{ id: string; documents: string[] }> {
      const documents: string[] = [];
      for (let i = 0; i < n; i++) {
        const res = await c.upload(pngBytes(), `scan-${i + 1}.png`);
        documents.push(res.json.document.id as string);
      }
      const col = (await c.req("POST", "/api/v1/collections", { json: { name: `Compile ${dialect}` } })).json;
      await c.req("POST", `/api/v1/collections/${col.id}/documents`, { json: { document_ids: documents } });
      await c.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} });
      await waitFor("the process stage", async () => {
        const s = (await c.req("GET", `/api/v1/collections/${col.id}/status`)).json;
        return s.stages[1].status === "ready" ? s : undefined;
      });
      return { id: col.id as string, documents };
    }

    async function compileStage(c: Client, id: string, statuses: string[]) {
      return waitFor(
        `the compile stage to be ${statuses.join("/")}`,
        async () => {
          const s = (await c.req("GET", `/api/v1/collections/${id}/status`)).json;
          return statuses.includes(s.stages[1].status) ? s : undefined;
        },
        30_000,
      );
    }

    it("runs the collection job and serves every output", { skip, timeout: 60_000 }, async () => {
      const { id, documents } = await processedCollection(u.alice, 3);
      const res = await u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} });
      assert.equal(res.status, 202, res.text);
      const job = res.json;
      assert.equal(job.document_id, null);
      assert.equal(job.collection_id, id);
      assert.equal(job.progress.total_steps, 5);
      assert.deepEqual(job.outputs, ["pdf", "csv", "xlsx", "zip", "json"]);

      const done = await compileStage(u.alice, id, ["completed", "failed"]);
      assert.equal(done.stages[1].status, "completed", JSON.stringify(done.stages[1].job?.error));
      assert.equal(done.progress.phase_index, 2);
      assert.equal(done.stages[1].job.steps.length, 5);
      // The job is a job like any other, and another user's 404.
      assert.equal((await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).json.status, "completed");
      assert.equal((await u.bob.req("GET", `/api/v1/ocr/jobs/${job.id}`)).status, 404);

      const pdf = await fetch(`${server.base}/api/v1/collections/${id}/result/pdf`, {
        headers: { authorization: `Bearer ${u.alice.token}` },
      });
      assert.equal(pdf.status, 200);
      assert.match(pdf.headers.get("content-disposition") ?? "", /Compile.*\.pdf/);
      const merged = await PDFDocument.load(new Uint8Array(await pdf.arrayBuffer()));
      assert.equal(merged.getPageCount(), 3);

      const csv = await u.alice.req("GET", `/api/v1/collections/${id}/result/csv`);
      assert.deepEqual(
        csv.text
          .replace(/^\ufeff/, "")
          .trim()
          .split("\r\n")
          .slice(1)
          .map((l) => l.split(",")[0]),
        documents,
      );
      const zip = await fetch(`${server.base}/api/v1/collections/${id}/result/zip`, {
        headers: { authorization: `Bearer ${u.alice.token}` },
      });
      const entries = Object.keys((await JSZip.loadAsync(await zip.arrayBuffer())).files);
      assert.ok(entries.some((e) => e.startsWith("0001-")));
      const summary = (await u.alice.req("GET", `/api/v1/collections/${id}/result/json`)).json;
      assert.equal(summary.counts.documents, 3);
      const xlsx = await fetch(`${server.base}/api/v1/collections/${id}/result/xlsx`, {
        headers: { authorization: `Bearer ${u.alice.token}` },
      });
      assert.equal(
        Buffer.from(await xlsx.arrayBuffer())
          .subarray(0, 2)
          .toString(),
        "PK",
      );
      assert.equal((await u.bob.req("GET", `/api/v1/collections/${id}/result/pdf`)).status, 404);
    });

    it(
      "streams a collection's events: its documents' and its compile job's, no others",
      { skip, timeout: 60_000 },
      async () => {
        const { id, documents } = await processedCollection(u.alice, 2);
        const forbidden = new SseClient(server.base, `/api/v1/events?collection_id=${id}`, u.bob.token!);
        await forbidden.done;
        assert.equal(forbidden.status, 404);

        const sse = new SseClient(server.base, `/api/v1/events?collection_id=${id}`, u.alice.token!);
        await sse.until("the snapshot", (m) => m.some((x) => x.event === "snapshot"));
        const snapshot = sse.messages.find((m) => m.event === "snapshot")!.data;
        assert.deepEqual(
          snapshot.documents.map((d: { document: { id: string } }) => d.document.id).sort(),
          [...documents].sort(),
        );
        const job = (await u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} })).json;
        assert.ok(job.id, JSON.stringify(job));
        await sse.until(
          "the compile job's completion",
          (m) => m.some((x) => x.data?.event?.job_id === job.id && x.data.event.status === "completed"),
          30_000,
        );
        const outsider = (await u.alice.upload(pngBytes(), "outside.png")).json.document.id as string;
        await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: outsider } });
        await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: documents[0] } });
        await sse.until("the member's new job", (m) => m.some((x) => x.data?.event?.document_id === documents[0]));
        const events = sse.messages.filter((m) => m.event === "job").map((m) => m.data.event);
        assert.ok(
          events.every((e) => e.document_id !== outsider),
          "no event of a document outside the collection",
        );
        assert.ok(events.filter((e) => e.job_id === job.id).length >= 6, "the compile job's steps");
        await sse.close();
      },
    );

    it("starts one job for two compile requests at once", { skip, timeout: 60_000 }, async () => {
      const { id } = await processedCollection(u.alice, 1);
      control.hold = "compile_pdf";
      const answers = await Promise.all([
        u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} }),
        u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} }),
      ]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [202, 409]);
      assert.equal(answers.find((a) => a.status === 409)!.json.code, "job_active");
      const job = answers.find((a) => a.status === 202)!.json;
      control.hold = null;
      assert.equal((await u.alice.req("PUT", `/api/v1/ocr/jobs/${job.id}/cancel`)).status, 202);
      await compileStage(u.alice, id, ["cancelled"]);
    });

    it(
      "cancel removes the running step's partial output; retry resumes at that step",
      { skip, timeout: 60_000 },
      async () => {
        const { id } = await processedCollection(u.alice, 2);
        control.hold = "compile_zip";
        control.runs.clear();
        const job = (await u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} })).json;
        await waitFor("the held step to start", async () => (control.runs.get("compile_zip") ?? 0) > 0, 30_000);
        await waitFor(
          "its partial output",
          async () => (await server.docket.blobStore.list(`jobs/${job.id}/compile_zip/`)).length > 0,
        );
        control.hold = null;
        assert.equal((await u.alice.req("PUT", `/api/v1/ocr/jobs/${job.id}/cancel`)).status, 202);
        const cancelled = await compileStage(u.alice, id, ["cancelled"]);
        assert.equal(cancelled.stages[1].job.can_retry, true);
        await waitFor(
          "the partial output to be removed",
          async () => (await server.docket.blobStore.list(`jobs/${job.id}/compile_zip/`)).length === 0,
        );
        assert.equal((await u.alice.req("GET", `/api/v1/collections/${id}/result/pdf`)).json.code, "not_ready");

        assert.equal((await u.alice.req("POST", `/api/v1/ocr/jobs/${job.id}/retry`)).status, 202);
        const done = await compileStage(u.alice, id, ["completed"]);
        assert.equal(done.stages[1].job.id, job.id);
        assert.equal(control.runs.get("compile_pdf"), 1, "built once: the retry resumed after it");
        assert.equal(control.runs.get("compile_zip"), 2);
        assert.equal((await u.alice.req("GET", `/api/v1/collections/${id}/result/json`)).status, 200);
      },
    );

    it("a failed step fails the job; retry builds only what is missing", { skip, timeout: 60_000 }, async () => {
      const { id } = await processedCollection(u.alice, 1);
      control.failOnce = "compile_xlsx";
      control.runs.clear();
      const job = (await u.alice.req("POST", `/api/v1/collections/${id}/compile`, { json: {} })).json;
      const failed = await compileStage(u.alice, id, ["failed"]);
      assert.match(failed.stages[1].job.error.message, /compile_xlsx failed on purpose/);
      assert.equal((await u.alice.req("POST", `/api/v1/ocr/jobs/${job.id}/retry`)).status, 202);
      await compileStage(u.alice, id, ["completed"]);
      assert.equal(control.runs.get("compile_csv"), 1);
      assert.equal(control.runs.get("compile_xlsx"), 2);
    });
  });
}
