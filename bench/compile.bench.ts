/**
 * npm run bench:compile [-- --documents 300 --pages 1000] — the compile stage's memory and time.
 *
 * Seeds a processed collection (SQLite, local blobs): N documents with P pages in all, each
 * with a completed job whose outputs are a PDF of scan-like JPEG pages and a text file, and
 * extracted fields. Then a fresh child process runs the compile pipeline's five steps as the
 * engine would (merged PDF, CSV, XLSX, ZIP, summary) and reports each step's time and the
 * process's peak resident set (VmHWM from /proc/self/status: the kernel's own high-water
 * mark, not a sample). The same child first runs a baseline: reading every member's PDF from
 * the blob store and writing them one after another into one file (the IO any merge must do),
 * so the merge's time is given as a ratio to it. Target: peak RSS < 512 MB.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { LocalBlobStore } from "../src/blob/local-blob-store.js";
import { createCompilePipeline } from "../src/collections/compile/compile-pipeline.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrator.js";
import type { JobOptions } from "../src/domain/types.js";
import type { StepContext, StepResult } from "../src/engine/pipeline.js";
import { silentLogger } from "../src/logger.js";
import { scanLikeJpeg, seedCompiledCollection } from "../test/collections/compile-fixture.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);

function peakRssMb(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function child(dataDir: string, fixturePath: string): Promise<void> {
  const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as { collectionId: string; memberIds: string[] };
  const database = await openDatabase({ url: `sqlite:${join(dataDir, "docket.db")}`, dataDir });
  const blobStore = new LocalBlobStore(join(dataDir, "blobs"), { fsync: false });
  const startRss = peakRssMb();

  // Baseline: every member's PDF read from the store and written into one file.
  const t0 = performance.now();
  const rows = await database.db
    .selectFrom("artifacts")
    .innerJoin("documents", "documents.latest_job_id", "artifacts.job_id")
    .select(["artifacts.blob_key", "documents.id"])
    .where("artifacts.kind", "=", "pdf")
    .execute();
  const order = new Map(fixture.memberIds.map((id, i) => [id, i]));
  rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const sink = createWriteStream(join(dataDir, "baseline.bin"));
  for (const r of rows) await pipeline(await blobStore.get(r.blob_key), sink, { end: false });
  sink.end();
  await new Promise<void>((resolve) => sink.on("finish", () => resolve()));
  const baselineMs = performance.now() - t0;

  const compile = createCompilePipeline({
    database,
    blobStore,
    thresholds: { ocrConfidence: 60, fieldConfidence: 0.5 },
  });
  const options = {
    collection_id: fixture.collectionId,
    collection_name: "Bench",
    member_ids: fixture.memberIds,
    compile_outputs: ["pdf", "csv", "xlsx", "zip", "json"],
  } as unknown as JobOptions;
  const steps: { step: string; ms: number; bytes: number; peakRssMb: number }[] = [];
  for (const step of compile.plan(options)) {
    const ctx: StepContext = {
      jobId: "bench-compile",
      documentId: null,
      collectionId: null,
      ownerId: "bench",
      attempt: 1,
      options,
      step,
      signal: new AbortController().signal,
      log: silentLogger(),
      progress: () => undefined,
      addSteps: async () => undefined,
      workspace: `jobs/bench-compile/${step}/`,
      workspaceOf: (s) => `jobs/bench-compile/${s}/`,
    };
    const started = performance.now();
    const result = (await compile.handler(step)!(ctx)) as StepResult;
    steps.push({
      step,
      ms: Math.round(performance.now() - started),
      bytes: result.artifacts?.[0]?.sizeBytes ?? 0,
      peakRssMb: peakRssMb(),
    });
  }
  await database.close();
  process.stdout.write(
    JSON.stringify({
      startRssMb: startRss,
      baselineMs: Math.round(baselineMs),
      steps,
      peakRssMb: Math.max(peakRssMb(), ...steps.map((s) => s.peakRssMb)),
    }),
  );
}

async function main(): Promise<void> {
  if (args[0] === "--child") return child(args[1]!, args[2]!);
  const documents = arg("--documents", 300);
  const pages = arg("--pages", 1000);
  const dataDir = mkdtempSync(join(tmpdir(), "docket-bench-compile-"));
  try {
    const database = await openDatabase({ url: `sqlite:${join(dataDir, "docket.db")}`, dataDir });
    await migrate(database);
    const blobStore = new LocalBlobStore(join(dataDir, "blobs"), { fsync: false });
    const images = await Promise.all([1, 2, 3, 4].map((seed) => scanLikeJpeg(seed)));
    // P pages over N documents: the first (P mod N) documents get one page more.
    const per = Math.floor(pages / documents);
    const extra = pages % documents;
    process.stderr.write(`seeding ${documents} documents, ${pages} pages…\n`);
    const seeded = performance.now();
    const fixture = await seedCompiledCollection(database, blobStore, {
      documents,
      pagesOf: (i) => per + (i < extra ? 1 : 0),
      images,
    });
    await database.close();
    process.stderr.write(`seeded in ${Math.round((performance.now() - seeded) / 1000)} s; compiling in a child…\n`);
    const fixturePath = join(dataDir, "fixture.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(fixturePath, JSON.stringify(fixture)));
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "bench/compile.bench.ts"), "--child", dataDir, fixturePath],
      { cwd: root, encoding: "utf8", maxBuffer: 1 << 20 },
    );
    if (run.status !== 0) throw new Error(`compile child failed: ${run.stderr}`);
    const r = JSON.parse(run.stdout) as {
      startRssMb: number;
      baselineMs: number;
      steps: { step: string; ms: number; bytes: number; peakRssMb: number }[];
      peakRssMb: number;
    };
    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    const pdfMs = r.steps.find((s) => s.step === "compile_pdf")?.ms ?? 0;
    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
      `Collection: ${documents} documents, ${fixture.pages} pages, ${mb(fixture.pdfBytes)} MB of member PDFs`,
      "",
      "| step | time | output | peak RSS after the step |",
      "|---|---:|---:|---:|",
      `| baseline: read every member PDF, write them into one file | ${(r.baselineMs / 1000).toFixed(1)} s | ${mb(fixture.pdfBytes)} MB | ${r.startRssMb} MB before |`,
      ...r.steps.map((s) => `| ${s.step} | ${(s.ms / 1000).toFixed(1)} s | ${mb(s.bytes)} MB | ${s.peakRssMb} MB |`),
      "",
      `Peak RSS of the compiling process: ${r.peakRssMb} MB (target < 512 MB: ${r.peakRssMb < 512 ? "met" : "MISSED"}).`,
      `Merged PDF time / baseline: ${(pdfMs / Math.max(1, r.baselineMs)).toFixed(1)}×; all five outputs: ${(
        r.steps.reduce((sum, s) => sum + s.ms, 0) / 1000
      ).toFixed(1)} s.`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
