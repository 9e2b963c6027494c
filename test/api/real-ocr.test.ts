/**
 * The whole product path with nothing stood in: the real server on a loopback port, the real
 * OCR pipeline (tesseract.js, so it needs no system package), a generated scanned PDF
 * uploaded over HTTP with process=true, the live event stream, and every result format.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { openPdfForRendering } from "../../src/imaging/pdf-rendering.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { createUsers, SseClient, startServer, waitForJob, type TestServer, type Users } from "./support.js";

const LINES = ["Docket reads scanned pages", "and tells the truth about", "where every document stands"];

/** A scan of LINES; `title` makes its bytes unique, since Docket answers an upload of the same bytes as a duplicate. */
async function scannedPdf(title: string): Promise<Uint8Array> {
  const text = await PDFDocument.create();
  const font = await text.embedFont(StandardFonts.Helvetica);
  const page = text.addPage([612, 792]);
  LINES.forEach((line, i) => page.drawText(line, { x: 60, y: 700 - i * 44, size: 26, font }));
  const renderer = await openPdfForRendering(await text.save());
  const image = await renderer.renderPage(1, { dpi: 200 });
  await renderer.close();
  const scan = await PDFDocument.create();
  scan.setTitle(title);
  const png = await scan.embedPng(image.png);
  scan.addPage([612, 792]).drawImage(png, { x: 0, y: 0, width: 612, height: 792 });
  return scan.save();
}

describe("upload → OCR → results over HTTP with the real pipeline", () => {
  let server: TestServer;
  let users: Users;

  before(async () => {
    server = await startServer(
      "sqlite",
      { DOCKET_MAX_UPLOAD_MB: "10", DOCKET_OCR_ENGINE: "wasm" },
      { pipelines: createPipelines },
    );
    users = await createUsers(server.base);
  });
  after(async () => {
    await server.close();
  });

  it("/readyz checks the OCR engine", async () => {
    const ready = await fetch(`${server.base}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body.checks).sort(), ["blob_store", "data_dir", "database", "ocr_engine"]);
    assert.equal(body.checks.ocr_engine?.ok, true);
  });

  it("refuses at submit a language this server has no OCR data for, naming it", async () => {
    const upload = await users.alice.upload(await scannedPdf("languages"), "languages.pdf");
    const documentId = upload.json.document.id as string;
    const refused = await users.alice.req("POST", "/api/v1/ocr/submit", {
      json: { document_id: documentId, languages: ["eng", "yor"] },
    });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.code, "validation_error");
    assert.match(refused.json.detail, /yor/);
    const jobs = await users.alice.req("GET", `/api/v1/ocr/jobs?document_id=${documentId}`);
    assert.equal(jobs.json.items.length, 0, "no job was created");
    const before = (await users.alice.req("GET", "/api/v1/documents")).json.total;
    const withUpload = await users.alice.upload(await scannedPdf("languages refused"), "languages-2.pdf", {
      process: "true",
      languages: ["yor"],
    });
    assert.equal(withUpload.status, 400, withUpload.text);
    assert.equal(
      (await users.alice.req("GET", "/api/v1/documents")).json.total,
      before,
      "the refused upload was not recorded",
    );
    const accepted = await users.alice.req("POST", "/api/v1/ocr/submit", {
      json: { document_id: documentId, languages: ["pol"] },
    });
    assert.equal(accepted.status, 202, accepted.text);
    assert.equal((await users.alice.req("PUT", `/api/v1/ocr/jobs/${accepted.json.id}/cancel`)).status, 202);
  });

  it(
    "streams every step's progress and serves text, markdown, JSON, hOCR and a searchable PDF",
    { timeout: 180_000 },
    async () => {
      const upload = await users.alice.upload(await scannedPdf("scan"), "scan.pdf", {
        process: "true",
        languages: "eng",
      });
      assert.equal(upload.status, 201, upload.text);
      const jobId = upload.json.job.id as string;
      const documentId = upload.json.document.id as string;
      const events = new SseClient(server.base, `/api/v1/events?document_id=${documentId}`, users.alice.token!, "0");
      try {
        await events.until(
          "completion",
          (messages) =>
            messages.some(
              (m) => m.event === "job" && m.data.event.status === "completed" && m.data.event.step === null,
            ),
          150_000,
        );
        const stream = events.messages.filter((m) => m.event === "job").map((m) => m.data.event);
        const started = stream.filter((e) => e.status === "in_progress").map((e) => e.step);
        assert.deepEqual(started, [
          "validate",
          "check_text",
          "render_pages",
          "ocr",
          "assemble",
          "extract_fields",
          "export",
        ]);
        assert.ok(
          stream.some((e) => e.step === "ocr" && e.status === "progress"),
          "OCR reported page progress",
        );
        const ids = stream.map((e) => Number(e.id));
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          "events arrive in order",
        );
        const last = events.messages.filter((m) => m.event === "job").at(-1)!;
        assert.equal(last.data.document_status.status, "completed");
        assert.equal(last.data.document_status.percentage, 100);
      } finally {
        await events.close();
      }

      const job = await waitForJob(users.alice, jobId, ["completed"], 5_000);
      assert.deepEqual(
        job.steps.map((s: { status: string }) => s.status),
        ["success", "success", "success", "success", "success", "success", "success"],
      );
      const result = await users.alice.req("GET", `/api/v1/ocr/jobs/${jobId}/result`);
      assert.equal(result.status, 200);
      assert.match(result.json.text, /scanned pages/);
      assert.equal(result.json.num_pages, 1);
      assert.ok(result.json.confidence > 60, `confidence ${result.json.confidence}`);

      const pdf = await fetch(`${server.base}/api/v1/ocr/jobs/${jobId}/result/pdf`, {
        headers: { authorization: `Bearer ${users.alice.token}` },
      });
      assert.equal(pdf.headers.get("content-type"), "application/pdf");
      const layer = await extractTextLayer(new Uint8Array(await pdf.arrayBuffer()));
      const words = layer[0]!.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));
      for (const word of ["Docket", "truth", "document"])
        assert.ok(words.includes(word), `the searchable PDF contains "${word}": ${words.join(" ")}`);
      for (const format of ["txt", "md", "json", "hocr"]) {
        const res = await users.alice.req("GET", `/api/v1/ocr/jobs/${jobId}/result/${format}`);
        assert.equal(res.status, 200, format);
        assert.match(res.text, /truth/, format);
      }
      // Another user cannot see any of it.
      assert.equal((await users.bob.req("GET", `/api/v1/ocr/jobs/${jobId}/result/txt`)).status, 404);
    },
  );
});
