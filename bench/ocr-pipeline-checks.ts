/**
 * The OCR issue's document-level targets, checked through the real OCR pipeline (SQLite,
 * worker with 2 job slots, blob store, the given OCR engine, all five outputs) on the shared
 * corpus, for bench/ocr.bench.ts:
 *
 *   - text-layer path: digital invoices (invoice2data/*.pdf, every page with a usable text
 *     layer), each three times, in pages/s, from first submit to last completion; once cold (the text-layer
 *     thread starts with the first job), then five times warm (BENCH_TEXT_LAYER_RUNS=n runs in all,
 *     BENCH_TEXT_LAYER_POLICIES=skip or auto for one policy alone);
 *   - per corpus PDF (pdfs/manifest.json): which pages were OCRed (text-layer pages of mixed
 *     PDFs must not be), each page's rotation (cardinal.pdf and paperless/rotated.pdf must
 *     come out upright), and the manifest's expected strings found in the result.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalBlobStore } from "../src/blob/local-blob-store.js";
import type { DocumentModel } from "../src/domain/document-model.js";
import type { JobOptions } from "../src/domain/types.js";
import { createEngine } from "../src/engine/engine.js";
import { PipelineRegistry } from "../src/engine/pipeline.js";
import { Worker } from "../src/engine/worker.js";
import { silentLogger } from "../src/logger.js";
import type { OcrEngine } from "../src/ocr/ocr-engine.js";
import { createOcrPipeline } from "../src/pipeline/ocr-pipeline.js";
import { textLayerThreadsFor } from "../src/pipeline/pipelines.js";
import { planOcrJob } from "../src/pipeline/plan.js";
import { createTestDatabase } from "../test/support/databases.js";
import { seedDocuments } from "../test/support/seed.js";

/**
 * Each invoice goes in this many times a run (BENCH_TEXT_LAYER_COPIES): with 2 job slots, a
 * batch of 11 spends a good part of its time starting up and finishing with one job left;
 * 33 documents measure the steady state a busy server runs in.
 */
const COPIES = Number(process.env.BENCH_TEXT_LAYER_COPIES ?? 3);
/** Job slots of the worker: 2, the default (one per core) on the 2-core machine the figures are from. */
const JOB_SLOTS = 2;
const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt", "md", "json", "hocr", "pdf"],
  ocr: "auto",
};

/** Degrees to upright per page, from the data README (paperless page 3 corrected: docs/OCR.md). */
const EXPECTED_ROTATION: Record<string, number[]> = {
  "ocrmypdf/cardinal.pdf": [0, 270, 180, 90],
  "paperless/rotated.pdf": [270, 180, 90, 0],
};

interface ManifestEntry {
  per_page: { page: number; text_layer_chars: number }[];
  expected_substrings_in_order?: string[];
  expected_substrings_in_order_lowercase?: string[];
}

export interface TextLayerRun {
  /**
   * `auto`: what a user gets by default (pictures on text-layer pages are OCRed as regions);
   * `skip`: the text layers alone (no OCR at all, which on these documents changes nothing else).
   */
  policy: "auto" | "skip";
  documents: number;
  /** How many times each invoice is in the run. */
  copies: number;
  pages: number;
  seconds: number;
  /** Documents that were sent to OCR although every page has a text layer. */
  ocred: string[];
  /** Images on those text-layer pages that were read as regions (logos, pasted pictures). */
  imageRegions: number;
  /** CPU time of this process, all threads, over the run. */
  cpuSeconds: number;
  /** Mean wall time of each step over the run's jobs, ms (where the time goes). */
  stepMs: Record<string, number>;
}

export interface PdfCheck {
  file: string;
  seconds: number;
  ocrPages: number[];
  /** Pages with a text layer per the manifest that were OCRed anyway. */
  layerPagesOcred: number[];
  rotations: number[];
  expectedRotations?: number[];
  found: string[];
  missing: string[];
  failed?: string;
}

export interface PipelineChecks {
  textLayer: TextLayerRun[];
  pdfs: PdfCheck[];
}

/** Lower-case, quotes straightened, whitespace collapsed: how expected strings are matched. */
const normalize = (s: string): string =>
  s.toLowerCase().replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, " ").trim();

function modelText(model: DocumentModel): string {
  return model.pages
    .map((p) => p.blocks.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" "))).join(" "))
    .join(" ");
}

export async function runPipelineChecks(
  dataDir: string,
  ocr: OcrEngine,
  options: { textLayerOnly?: boolean } = {},
): Promise<PipelineChecks> {
  const log = silentLogger();
  const db = await createTestDatabase("sqlite");
  const engine = await createEngine({ database: db.database, log });
  // Durable writes, as the server makes them (BENCH_FSYNC=0 shows what the disk waits cost).
  const blobStore = new LocalBlobStore(`${db.dataDir}/blobs`, { fsync: process.env.BENCH_FSYNC !== "0" });
  const registry = new PipelineRegistry();
  // The engine is the caller's (it measures more with it): pipeline.close() must not close it.
  const borrowed: OcrEngine = {
    name: ocr.name,
    recognize: (input, options) => ocr.recognize(input, options),
    detectOrientation: (input, options) => ocr.detectOrientation(input, options),
    languages: () => ocr.languages(),
    check: () => ocr.check(),
    close: async () => undefined,
  };
  const pipeline = createOcrPipeline({
    database: db.database,
    blobStore,
    engine: borrowed,
    limits: { maxPages: 500, maxImagePixels: 100_000_000 },
    textLayerThreads: textLayerThreadsFor(JOB_SLOTS),
  });
  registry.register(pipeline);
  const worker = new Worker({ queue: engine.queue, registry, notifier: engine.notifier, log, concurrency: JOB_SLOTS });
  worker.start();
  const { ownerId } = await seedDocuments(db.database, 0);

  const submit = async (bytes: Buffer, options: JobOptions = OPTIONS): Promise<string> => {
    const { documentIds } = await seedDocuments(db.database, 1, ownerId);
    const documentId = documentIds[0]!;
    await blobStore.put(`uploads/${documentId}`, bytes);
    await db.database.db
      .updateTable("documents")
      .set({ blob_key: `uploads/${documentId}`, mime_type: "application/pdf" })
      .where("id", "=", documentId)
      .execute();
    return (await engine.queue.enqueue({ documentId, ownerId, pipeline: "ocr", options, plan: planOcrJob(options) }))
      .id;
  };
  /**
   * Waits for jobs to end: one query a tick for all of them (polling each job every 10 ms
   * on the thread the pipeline runs on would be the bench measuring itself).
   */
  const finishAll = async (
    jobIds: readonly string[],
  ): Promise<Array<{ ok: boolean; error?: string; ocrPages: number[]; textPages: number[]; imageRegions: number }>> => {
    for (;;) {
      const rows = await db.database.db
        .selectFrom("jobs")
        .select(["id", "status"])
        .where("id", "in", [...jobIds])
        .execute();
      if (
        rows.length === jobIds.length &&
        rows.every((r) => r.status === "completed" || r.status === "failed" || r.status === "cancelled")
      )
        break;
      await sleep(10);
    }
    return Promise.all(
      jobIds.map(async (jobId) => {
        const job = (await engine.queue.getJob(jobId))!;
        const check = (await engine.queue.getSteps(jobId)).find((s) => s.name === "check_text");
        const pages = (key: string): number[] => (check?.detail?.[key] as number[] | undefined) ?? [];
        return {
          ok: job.status === "completed",
          ...(job.error ? { error: JSON.stringify(job.error) } : {}),
          ocrPages: pages("ocr_pages"),
          textPages: pages("text_pages"),
          imageRegions: ((check?.detail?.image_regions as unknown[] | undefined) ?? []).length,
        };
      }),
    );
  };
  const model = async (jobId: string): Promise<DocumentModel> => {
    const artifact = await db.database.db
      .selectFrom("artifacts")
      .selectAll()
      .where("job_id", "=", jobId)
      .where("kind", "=", "json")
      .executeTakeFirstOrThrow();
    return JSON.parse((await blobStore.getBuffer(artifact.blob_key)).toString("utf8")) as DocumentModel;
  };

  try {
    const invoiceDir = join(dataDir, "invoice2data");
    const invoices = readdirSync(invoiceDir)
      .filter((f) => f.endsWith(".pdf"))
      .sort();
    const textLayer: TextLayerRun[] = [];
    // The text layers alone first (its first run is the cold one: threads start, PDFium loads),
    // then the default, which also reads the pictures on those pages.
    // BENCH_TEXT_LAYER_POLICIES=skip (or auto) runs one policy alone, e.g. under a profiler.
    const chosen = (process.env.BENCH_TEXT_LAYER_POLICIES ?? "skip,auto").split(",");
    const policies = (["skip", "auto"] as const)
      .filter((policy) => chosen.includes(policy))
      .flatMap((policy) => Array.from({ length: Number(process.env.BENCH_TEXT_LAYER_RUNS ?? 6) }, () => policy));
    for (const policy of policies) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const batch = Array.from({ length: COPIES }, () => invoices).flat();
      const jobs = await Promise.all(
        batch.map((f) => submit(readFileSync(join(invoiceDir, f)), { ...OPTIONS, ocr: policy })),
      );
      const results = await finishAll(jobs);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const pages = results.reduce((n, r) => n + r.ocrPages.length + r.textPages.length, 0);
      const steps = await db.database.db
        .selectFrom("job_steps")
        .select(["name", "started_at", "finished_at"])
        .where("job_id", "in", jobs)
        .execute();
      const stepMs: Record<string, number> = {};
      for (const step of steps)
        stepMs[step.name] =
          (stepMs[step.name] ?? 0) + (Number(step.finished_at ?? 0) - Number(step.started_at ?? 0)) / jobs.length;
      const ocred = [...new Set(batch.filter((_, i) => results[i]!.ocrPages.length > 0 || !results[i]!.ok))];
      textLayer.push({
        policy,
        documents: batch.length,
        copies: COPIES,
        pages,
        seconds,
        cpuSeconds,
        stepMs,
        imageRegions: results.reduce((n, r) => n + r.imageRegions, 0),
        ocred,
      });
    }

    if (options.textLayerOnly) return { textLayer, pdfs: [] };
    const manifest = JSON.parse(readFileSync(join(dataDir, "pdfs", "manifest.json"), "utf8")) as Record<
      string,
      ManifestEntry
    >;
    const pdfs: PdfCheck[] = [];
    for (const [file, entry] of Object.entries(manifest)) {
      const started = performance.now();
      const jobId = await submit(readFileSync(join(dataDir, "pdfs", file)));
      const result = (await finishAll([jobId]))[0]!;
      const seconds = (performance.now() - started) / 1000;
      const expected = entry.expected_substrings_in_order ?? entry.expected_substrings_in_order_lowercase ?? [];
      const base = {
        file,
        seconds,
        ocrPages: result.ocrPages,
        ...(EXPECTED_ROTATION[file] ? { expectedRotations: EXPECTED_ROTATION[file] } : {}),
      };
      if (!result.ok) {
        pdfs.push({
          ...base,
          layerPagesOcred: [],
          rotations: [],
          found: [],
          missing: expected,
          failed: result.error ?? "failed",
        });
        continue;
      }
      const doc = await model(jobId);
      const text = normalize(modelText(doc));
      const layerPages = entry.per_page.filter((p) => p.text_layer_chars > 0).map((p) => p.page);
      pdfs.push({
        ...base,
        layerPagesOcred: layerPages.filter((p) => result.ocrPages.includes(p)),
        rotations: doc.pages.map((p) => p.rotation),
        found: expected.filter((s) => text.includes(normalize(s))),
        missing: expected.filter((s) => !text.includes(normalize(s))),
      });
    }
    return { textLayer, pdfs };
  } finally {
    await worker.stop(2_000);
    await pipeline.close();
    await engine.close();
    await db.drop();
  }
}
