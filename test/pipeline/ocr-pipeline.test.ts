/**
 * The OCR pipeline end to end through the real engine: a real worker, a real SQLite file,
 * real blob files, real OCR (tesseract.js, so no system packages are needed) on fixtures
 * generated here: a two-page PDF whose first page has a text layer and whose second page
 * is a scanned image of text.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PDFDocument, StandardFonts, degrees } from "pdf-lib";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import type { DocumentModel } from "../../src/domain/document-model.js";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { PipelineRegistry } from "../../src/engine/pipeline.js";
import { Worker } from "../../src/engine/worker.js";
import { openPdfForRendering } from "../../src/imaging/pdf-rendering.js";
import { silentLogger } from "../../src/logger.js";
import { characterErrorRate } from "../../src/ocr/cer.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { createOcrPipeline } from "../../src/pipeline/ocr-pipeline.js";
import { planOcrJob } from "../../src/pipeline/plan.js";
import type { JobOptions } from "../../src/domain/types.js";
import { textImage } from "../fixtures/generate.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const log = silentLogger();
const TEXT_LAYER_LINE = "Invoice number 4711 issued in Warsaw";
const SCANNED_LINES = ["The quick brown fox jumps", "over the lazy dog near", "the river bank today"];

async function textPdf(lines: string[], size = 28, rotate = 0): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  lines.forEach((line, i) => page.drawText(line, { x: 60, y: 700 - i * 50, size, font }));
  if (rotate) page.setRotation(degrees(rotate));
  return doc.save();
}

/** A PDF with a real text layer on page 1 and an image-only (scanned) page 2. */
async function mixedPdf(): Promise<Buffer> {
  const scan = await openPdfForRendering(await textPdf(SCANNED_LINES));
  const image = await scan.renderPage(1, { dpi: 200 });
  await scan.close();
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText(TEXT_LAYER_LINE, { x: 60, y: 700, size: 20, font });
  const png = await doc.embedPng(image.png);
  doc.addPage([612, 792]).drawImage(png, { x: 0, y: 0, width: 612, height: 792 });
  return Buffer.from(await doc.save());
}

// No word in common, so each can be counted in the searchable PDF's text.
const LINE_ABOVE = "Dear customer please read this note";
const IMAGE_LINE = "Pasted screenshot shows parcel number 4711";
const LINE_BELOW = "Kind regards from our support team";

/** One page: a digital line, a pasted picture of a line of text, another digital line. */
async function pageWithTextImage(): Promise<Buffer> {
  const { image } = await textImage(200, { lines: [IMAGE_LINE], fontSize: 16 });
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  page.drawText(LINE_ABOVE, { x: 60, y: 700, size: 14, font });
  const png = await doc.embedPng(image.png);
  const width = (image.width * 72) / image.dpi;
  const height = (image.height * 72) / image.dpi;
  page.drawImage(png, { x: 60, y: 660 - height, width, height });
  page.drawText(LINE_BELOW, { x: 60, y: 620 - height, size: 14, font });
  return Buffer.from(await doc.save());
}

const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt", "md", "json", "hocr", "pdf"],
  ocr: "auto",
};

describe("OCR pipeline through the engine", () => {
  let db: TestDatabase;
  let engine: Engine;
  let worker: Worker;
  let blobStore: LocalBlobStore;
  let ocr: Awaited<ReturnType<typeof createOcrEngine>>;
  let pipeline: ReturnType<typeof createOcrPipeline>;
  let ownerId: string;

  before(async () => {
    db = await createTestDatabase("sqlite");
    engine = await createEngine({ database: db.database, log });
    blobStore = new LocalBlobStore(`${db.dataDir}/blobs`, { fsync: false });
    ocr = await createOcrEngine({ engine: "wasm", workers: 2 }, { log });
    const registry = new PipelineRegistry();
    pipeline = createOcrPipeline({
      database: db.database,
      blobStore,
      engine: ocr,
      limits: { maxPages: 500, maxImagePixels: 100_000_000 },
    });
    registry.register(pipeline);
    worker = new Worker({
      queue: engine.queue,
      registry,
      notifier: engine.notifier,
      log,
      concurrency: 2,
      onStepAbandoned: (jobId, step) => blobStore.deletePrefix(`jobs/${jobId}/${step}/`),
    });
    worker.start();
    ({ ownerId } = await seedDocuments(db.database, 0));
  });
  after(async () => {
    await worker.stop(2_000);
    await pipeline.close();
    await engine.close();
    await db.drop();
  });

  async function submit(bytes: Uint8Array, mime: string, options: Partial<JobOptions> = {}) {
    const { documentIds } = await seedDocuments(db.database, 1, ownerId);
    const documentId = documentIds[0]!;
    const blobKey = `uploads/${documentId}`;
    await blobStore.put(blobKey, Buffer.from(bytes));
    await db.database.db
      .updateTable("documents")
      .set({ blob_key: blobKey, mime_type: mime })
      .where("id", "=", documentId)
      .execute();
    const opts = { ...OPTIONS, ...options };
    return engine.queue.enqueue({ documentId, ownerId, pipeline: "ocr", options: opts, plan: planOcrJob(opts) });
  }

  async function finished(jobId: string, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await engine.queue.getJob(jobId))!;
      if (job.status === "completed" || job.status === "failed" || job.status === "cancelled") return job;
      if (Date.now() > deadline) throw new Error(`job still ${job.status}`);
      await sleep(50);
    }
  }

  it("OCRs only the scanned page of a mixed PDF and exports every format", { timeout: 180_000 }, async () => {
    const row = await submit(await mixedPdf(), "application/pdf");
    const job = await finished(row.id);
    assert.equal(job.status, "completed", JSON.stringify(job.error));
    const steps = await engine.queue.getSteps(row.id);
    assert.deepEqual(
      steps.map((s) => s.name),
      ["validate", "check_text", "render_pages", "ocr", "assemble", "export"],
    );
    assert.ok(
      steps.every((s) => s.status === "success"),
      JSON.stringify(steps.map((s) => [s.name, s.status])),
    );
    assert.deepEqual(steps[1]!.detail?.text_pages, [1]);
    assert.deepEqual(steps[1]!.detail?.ocr_pages, [2]);

    const artifacts = await db.database.db.selectFrom("artifacts").selectAll().where("job_id", "=", row.id).execute();
    assert.deepEqual(artifacts.map((a) => a.kind).sort(), ["hocr", "json", "md", "pdf", "txt"]);
    const read = async (kind: string) => blobStore.getBuffer(artifacts.find((a) => a.kind === kind)!.blob_key);

    const model = JSON.parse((await read("json")).toString("utf8")) as DocumentModel;
    assert.deepEqual(
      model.pages.map((p) => p.source),
      ["text-layer", "ocr"],
    );
    const ocrPage = model.pages[1]!;
    const ocrText = ocrPage.blocks.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" "))).join("\n");
    const cer = characterErrorRate(ocrText, SCANNED_LINES.join("\n"));
    assert.ok(cer < 0.05, `CER ${cer} on "${ocrText}"`);
    for (const word of ocrPage.blocks.flatMap((b) => b.lines.flatMap((l) => l.words))) {
      assert.ok(
        word.bbox.x0 >= 0 && word.bbox.y0 >= 0 && word.bbox.x1 <= ocrPage.width && word.bbox.y1 <= ocrPage.height,
        `box of ${word.text} inside the page`,
      );
    }
    const fox = ocrPage.blocks.flatMap((b) => b.lines.flatMap((l) => l.words)).find((w) => w.text === "fox")!;
    assert.ok(fox, "the word fox was found");
    // "fox" is on the first scanned line (y ≈ 92 pt from the top), in its right half.
    assert.ok(
      (fox.bbox.y0 / ocrPage.dpi) * 72 > 60 && (fox.bbox.y1 / ocrPage.dpi) * 72 < 130,
      `fox at ${JSON.stringify(fox.bbox)}`,
    );

    const txt = (await read("txt")).toString("utf8");
    assert.match(txt, /Invoice number 4711/);
    assert.match(txt, /quick brown fox/);
    assert.match((await read("hocr")).toString("utf8"), /class=['"]ocrx_word['"]/);

    // The searchable PDF keeps the original pages and gains an invisible layer on page 2.
    const pdfText = await extractTextLayer(await read("pdf"));
    assert.equal(pdfText.length, 2);
    const page2Words = pdfText[1]!.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));
    assert.ok(page2Words.includes("fox") && page2Words.includes("lazy"), `page 2 searchable: ${page2Words.join(" ")}`);
    const doc = await db.database.db
      .selectFrom("documents")
      .select("num_pages")
      .where("id", "=", row.document_id)
      .executeTakeFirstOrThrow();
    assert.equal(doc.num_pages, 2);
  });

  it(
    "reads an image on a text-layer page without OCRing the page, in reading order",
    { timeout: 180_000 },
    async () => {
      const row = await submit(await pageWithTextImage(), "application/pdf");
      const job = await finished(row.id);
      assert.equal(job.status, "completed", JSON.stringify(job.error));
      const steps = await engine.queue.getSteps(row.id);
      assert.ok(
        steps.every((s) => s.status === "success"),
        JSON.stringify(steps.map((s) => [s.name, s.status])),
      );
      const check = steps.find((s) => s.name === "check_text")!;
      assert.deepEqual(check.detail?.text_pages, [1]);
      assert.deepEqual(check.detail?.ocr_pages, [], "the page itself is not OCRed");
      assert.equal((check.detail?.image_regions as unknown[] | undefined)?.length, 1);

      const artifacts = await db.database.db.selectFrom("artifacts").selectAll().where("job_id", "=", row.id).execute();
      const read = async (kind: string) => blobStore.getBuffer(artifacts.find((a) => a.kind === kind)!.blob_key);
      const model = JSON.parse((await read("json")).toString("utf8")) as DocumentModel;
      const page = model.pages[0]!;
      assert.equal(page.source, "text-layer");
      const regionBlocks = page.blocks.filter((b) => b.source === "ocr");
      assert.ok(regionBlocks.length > 0, "the image's words are in the model");
      assert.ok(
        page.blocks.some((b) => b.source === undefined),
        "the layer's own blocks carry no source",
      );
      const imageText = regionBlocks
        .flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" ")))
        .join("\n");
      const cer = characterErrorRate(imageText, IMAGE_LINE);
      assert.ok(cer < 0.05, `CER ${cer} on "${imageText}"`);

      // Reading order: the picture's line between the two digital lines, each once.
      const txt = (await read("txt")).toString("utf8");
      const above = txt.indexOf(LINE_ABOVE);
      const image = txt.indexOf(imageText);
      const below = txt.indexOf(LINE_BELOW);
      assert.ok(above >= 0 && image > above && below > image, `order in:\n${txt}`);
      assert.equal(txt.split(LINE_ABOVE).length, 2, "the digital text is not duplicated");

      // The searchable PDF gains the picture's words as invisible text, and only those.
      const pdfPages = await extractTextLayer(await read("pdf"));
      assert.ok((pdfPages[0]?.content?.invisibleTextBytes ?? 0) > 0, "an invisible layer was added");
      const pdfWords = pdfPages[0]!.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));
      const found = IMAGE_LINE.split(" ").filter((w) => pdfWords.includes(w));
      assert.ok(found.length >= IMAGE_LINE.split(" ").length - 1, `image words in the PDF: ${pdfWords.join(" ")}`);
      for (const word of [...LINE_ABOVE.split(" "), ...LINE_BELOW.split(" ")]) {
        assert.equal(pdfWords.filter((w) => w === word).length, 1, `"${word}" appears once in the PDF's text`);
      }
    },
  );

  it("a truncated PDF fails at once with corrupt_file and leaves no artifacts", { timeout: 60_000 }, async () => {
    const whole = await textPdf(["hello"]);
    const row = await submit(whole.slice(0, Math.floor(whole.length / 3)), "application/pdf");
    const job = await finished(row.id);
    assert.equal(job.status, "failed");
    assert.equal(job.error?.code, "corrupt_file");
    assert.equal(job.attempt, 1, "a permanent error is not retried");
    const artifacts = await db.database.db.selectFrom("artifacts").select("id").where("job_id", "=", row.id).execute();
    assert.equal(artifacts.length, 0);
    assert.deepEqual(await blobStore.list(`jobs/${row.id}/validate/`), []);
  });

  it(
    "cancelling during OCR stops within a second and removes the step's partial output",
    { timeout: 120_000 },
    async () => {
      const pages = await Promise.all([1, 2, 3, 4].map(() => textPdf(SCANNED_LINES, 18)));
      const merged = await PDFDocument.create();
      for (const bytes of pages) {
        const scan = await openPdfForRendering(bytes);
        const image = await scan.renderPage(1, { dpi: 200 });
        await scan.close();
        const png = await merged.embedPng(image.png);
        merged.addPage([612, 792]).drawImage(png, { x: 0, y: 0, width: 612, height: 792 });
      }
      const row = await submit(await merged.save(), "application/pdf", { resolution_mode: "large" });
      for (;;) {
        const steps = await engine.queue.getSteps(row.id);
        if (steps[3]!.status === "in_progress") break;
        if (steps.some((s) => s.status === "failure")) throw new Error("failed before OCR");
        await sleep(20);
      }
      await sleep(300);
      const requested = Date.now();
      await engine.queue.cancel(row.id);
      const job = await finished(row.id, 5_000);
      const took = Date.now() - requested;
      assert.equal(job.status, "cancelled");
      assert.ok(took < 1_000, `cancel took ${took} ms`);
      const steps = await engine.queue.getSteps(row.id);
      assert.deepEqual(
        steps.map((s) => s.status),
        ["success", "success", "success", "cancelled", "cancelled", "cancelled"],
      );
      assert.deepEqual(await blobStore.list(`jobs/${row.id}/ocr/`), []);
      // The pool is still usable afterwards.
      const next = await submit(await textPdf(["still working"]), "application/pdf", {
        ocr: "force",
        outputs: ["txt"],
      });
      assert.equal((await finished(next.id)).status, "completed");
    },
  );
});
