/**
 * OCR benchmark on the shared real-document corpus (../shared/data, see its README):
 *
 *   - CER on uw3_lines (30 printed lines, ordered CER) and SROIE receipts (50 scans, against
 *     box/*.csv; order-insensitive: sorted-words CER, plus bag-of-characters error) for each
 *     Docket engine and for the bare `tesseract` CLI on the same images, in the same run;
 *   - orientation on cardinal.pdf and paperless/rotated.pdf: Docket's OSD vs bare `--psm 0`,
 *     and the rotation recognize() reports (what a job gets);
 *   - throughput on SROIE with the same parallelism for every contender, as wall-clock
 *     images/s and as CPU time per image (process + reaped children): on a shared machine the
 *     wall clock swings with other load, the CPU time much less;
 *   - the document-level targets through the real pipeline (ocr-pipeline-checks.ts);
 *   - peak RSS of multipage.pdf (incl. a 9000×9000 scan) through the pipeline's per-document
 *     work, in a fresh process running the compiled server (ocr-memory-probe.ts).
 *
 * Prints a table and rewrites the "## OCR (npm run bench:ocr)" section of docs/BENCHMARKS.md.
 *   - phone photos simulated from every fifth receipt, and Polish scans generated from known
 *     text (ocr-polish.ts): the default engine against the bare CLI;
 *   - end to end through the HTTP API (ocr-e2e.ts): 20 receipts, warm server, 2 job slots.
 *
 * Usage: npm run bench:ocr [-- --limit N] (N receipts/lines per dataset, default all)
 * [--accuracy-only] (datasets and end to end only, docs untouched) [--no-e2e].
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openImageForOcr } from "../src/imaging/image-normalize.js";
import { openPdfForRendering } from "../src/imaging/pdf-rendering.js";
import type { RasterImage } from "../src/imaging/raster.js";
import { silentLogger } from "../src/logger.js";
import { bagOfCharactersError, characterErrorRate, sortedWordsCer, wordF1 } from "../src/ocr/cer.js";
import { findTesseractBinary, parseOsdOutput } from "../src/ocr/cli/cli-backend.js";
import { createOcrEngine } from "../src/ocr/engine-factory.js";
import type { OcrEngine } from "../src/ocr/ocr-engine.js";
import { pageText } from "../src/ocr/page-text.js";
import { simulatePhoto } from "../test/imaging/simulated-photo.js";
import { runEndToEnd, type EndToEndResult } from "./ocr-e2e.js";
import { probeMemory } from "./ocr-memory-probe.js";
import { polishScans } from "./ocr-polish.js";
import { runPipelineChecks, type TextLayerRun } from "./ocr-pipeline-checks.js";

const run = promisify(execFile);
const DATA = fileURLToPath(new URL("../../shared/data/", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PARALLEL = 2;

/** Run `fn` over items with at most `limit` at once, keeping order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * CPU seconds used so far by this process (all threads) and its reaped children (the
 * tesseract processes), or undefined where /proc is missing (children are not counted then).
 */
function cpuSeconds(): number | undefined {
  const own = process.resourceUsage();
  let stat: string;
  try {
    stat = readFileSync("/proc/self/stat", "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command's closing parenthesis start at field 3; cutime and cstime are
  // fields 16 and 17, in clock ticks (USER_HZ, 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const children = (Number(fields[13]) + Number(fields[14])) / 100;
  return (own.userCPUTime + own.systemCPUTime) / 1e6 + children;
}

async function bareTesseract(binary: string, args: string[]): Promise<string> {
  const { stdout } = await run(binary, args, { env: { ...process.env, OMP_THREAD_LIMIT: "1" }, maxBuffer: 64 << 20 });
  return stdout;
}

// ---------------------------------------------------------------- datasets

interface Sample {
  id: string;
  file: string;
  truth: string;
}

function uw3Samples(limit: number): Sample[] {
  const dir = join(DATA, "uw3_lines", "book");
  const samples: Sample[] = [];
  for (const page of readdirSync(dir).sort()) {
    for (const name of readdirSync(join(dir, page))
      .filter((n) => n.endsWith(".bin.png"))
      .sort()) {
      const base = name.replace(/\.bin\.png$/, "");
      samples.push({
        id: `${page}/${base}`,
        file: join(dir, page, name),
        truth: readFileSync(join(dir, page, `${base}.gt.txt`), "utf8").trim(),
      });
    }
  }
  return samples.slice(0, limit);
}

function sroieSamples(limit: number): Sample[] {
  const dir = join(DATA, "sroie");
  return readdirSync(join(dir, "img"))
    .filter((n) => n.endsWith(".jpg"))
    .sort()
    .slice(0, limit)
    .map((name) => {
      const id = name.replace(/\.jpg$/, "");
      // x1,y1,…,x4,y4,transcript — the transcript may itself contain commas.
      const truth = readFileSync(join(dir, "box", `${id}.csv`), "utf8")
        .split(/\r?\n/)
        .filter((l) => l.trim() !== "")
        .map((l) => l.split(",").slice(8).join(","))
        .join("\n");
      return { id, file: join(dir, "img", name), truth };
    });
}

// ---------------------------------------------------------------- contenders

interface Contender {
  name: string;
  /** Text of one image file, read with these languages. */
  read(file: string, languages: readonly string[]): Promise<string>;
}

function docketContender(
  engine: OcrEngine,
  label: string,
  options: { autoRotate?: boolean; preprocess?: boolean } = {},
): Contender {
  return {
    name: label,
    async read(file, languages) {
      const image = await openImageForOcr(readFileSync(file));
      const page = await engine.recognize(await image.page(0), {
        languages: [...languages],
        mode: "document",
        pageNumber: 1,
        ...options,
      });
      return pageText(page);
    },
  };
}

function bareContender(binary: string): Contender {
  return {
    name: "bare tesseract CLI",
    read: (file, languages) => bareTesseract(binary, [file, "stdout", "-l", languages.join("+")]),
  };
}

interface DatasetResult {
  contender: string;
  dataset: string;
  cer: number;
  /** Mean word F1 (cer.ts wordF1), case-insensitive where CER is. */
  f1: number;
  bag?: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds per image (process + tesseract children); undefined without /proc. */
  cpuPerImage?: number;
}

/**
 * Run every contender over the samples in interleaved chunks (chunk 1 for A, B, C, then
 * chunk 2 …), so that load from other processes on a shared machine falls on all contenders
 * alike instead of on whichever ran during the busy minute.
 */
async function evaluateAll(
  contenders: Contender[],
  dataset: string,
  samples: Sample[],
  ordered: boolean,
  chunk = 10,
  languages: readonly string[] = ["eng"],
): Promise<DatasetResult[]> {
  const texts = contenders.map(() => new Array<string>(samples.length));
  const seconds = contenders.map(() => 0);
  const cpu = contenders.map(() => 0);
  for (let start = 0; start < samples.length; start += chunk) {
    const slice = samples.slice(start, start + chunk);
    for (const [c, contender] of contenders.entries()) {
      const started = performance.now();
      const cpuBefore = cpuSeconds();
      const out = await mapLimit(slice, PARALLEL, (s) => contender.read(s.file, languages));
      seconds[c]! += (performance.now() - started) / 1000;
      const cpuAfter = cpuSeconds();
      cpu[c]! += cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
      out.forEach((t, i) => (texts[c]![start + i] = t));
    }
  }
  // SROIE's transcripts are mostly upper-cased by the annotators ("DOCUMENT NO" for a printed
  // "Document No"), so receipts are compared case-insensitively.
  const up = (t: string): string => (ordered ? t : t.toUpperCase());
  return contenders.map((contender, c) => {
    const cers = samples.map((s, i) =>
      ordered ? characterErrorRate(texts[c]![i]!, s.truth) : sortedWordsCer(up(texts[c]![i]!), up(s.truth)),
    );
    const bags = samples.map((s, i) => bagOfCharactersError(up(texts[c]![i]!), up(s.truth)));
    const f1s = samples.map((s, i) => wordF1(up(texts[c]![i]!), up(s.truth)));
    return {
      contender: contender.name,
      dataset,
      cer: mean(cers),
      f1: mean(f1s),
      ...(ordered ? {} : { bag: mean(bags) }),
      seconds: seconds[c]!,
      perSecond: samples.length / seconds[c]!,
      ...(Number.isNaN(cpu[c]) ? {} : { cpuPerImage: cpu[c]! / samples.length }),
    };
  });
}

// ---------------------------------------------------------------- orientation

const ORIENTATION_CASES = [
  { file: "pdfs/ocrmypdf/cardinal.pdf", expected: [0, 270, 180, 90] },
  // The data README lists 270/180/270/0 (tesseract OSD at low resolution); page 3's text
  // visibly reads bottom-to-top, so upright needs 90° clockwise: see docs/OCR.md.
  { file: "pdfs/paperless/rotated.pdf", expected: [270, 180, 90, 0] },
];

interface OrientationRow {
  who: string;
  file: string;
  detected: number[];
  expected: number[];
  correct: number;
}

async function orientation(engine: OcrEngine, bare: string | undefined): Promise<OrientationRow[]> {
  const rows: OrientationRow[] = [];
  for (const c of ORIENTATION_CASES) {
    const pdf = await openPdfForRendering(readFileSync(join(DATA, c.file)));
    const pages: RasterImage[] = [];
    for (let n = 1; n <= pdf.numPages; n++) pages.push(await pdf.renderPage(n, { dpi: 300 }));
    await pdf.close();
    const mine = await Promise.all(pages.map((p) => engine.detectOrientation(p).then((o) => o.rotation)));
    rows.push({
      who: `${engine.name} OSD`,
      file: c.file,
      detected: mine,
      expected: c.expected,
      correct: mine.filter((r, i) => r === c.expected[i]).length,
    });
    // What a job gets: recognize() reads each page as it is first and asks OSD only when the
    // reading looks sideways or poor (page-recognizer.ts).
    const recognized = await Promise.all(
      pages.map((p, i) =>
        engine.recognize(p, { languages: ["eng"], mode: "document", pageNumber: i + 1 }).then((page) => page.rotation),
      ),
    );
    rows.push({
      who: `${engine.name} recognize()`,
      file: c.file,
      detected: recognized,
      expected: c.expected,
      correct: recognized.filter((r, i) => r === c.expected[i]).length,
    });
    if (bare !== undefined) {
      const theirs = await Promise.all(
        pages.map(async (p) => {
          const { execFile: ef } = await import("node:child_process");
          return new Promise<number>((resolve) => {
            const child = ef(
              bare,
              ["stdin", "stdout", "--psm", "0", "--dpi", "300"],
              { env: { ...process.env, OMP_THREAD_LIMIT: "1" } },
              (_e, out, err) => resolve(parseOsdOutput(`${out}\n${err}`)?.rotation ?? -1),
            );
            child.stdin?.end(p.png);
          });
        }),
      );
      rows.push({
        who: "bare tesseract --psm 0",
        file: c.file,
        detected: theirs,
        expected: c.expected,
        correct: theirs.filter((r, i) => r === c.expected[i]).length,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- report

function writeSection(markdown: string): void {
  const file = join(ROOT, "docs", "BENCHMARKS.md");
  const heading = "## OCR (npm run bench:ocr)";
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${markdown.trimEnd()}\n`;
  } else {
    const after = current.indexOf("\n## ", start + heading.length);
    next = `${current.slice(0, start)}${markdown.trimEnd()}\n${after < 0 ? "" : current.slice(after)}`;
  }
  writeFileSync(file, next);
}

/** One text-layer run as a console line; `detailed` adds CPU, regions and where the time went. */
function describeTextLayerRun(t: TextLayerRun, detailed: boolean): string {
  const line = `text-layer path (ocr: ${t.policy}): ${t.pages} pages in ${t.seconds.toFixed(2)} s = ${(t.pages / t.seconds).toFixed(1)} pages/s`;
  if (!detailed) return line;
  const steps = Object.entries(t.stepMs)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(", ");
  return `${line}, CPU ${t.cpuSeconds.toFixed(2)} s, ${t.imageRegions} image regions read (mean ms per job: ${steps})`;
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`skipped: shared data folder not found at ${DATA}`);
    return;
  }
  const limitArg = process.argv.indexOf("--limit");
  const limit = limitArg >= 0 ? Number(process.argv[limitArg + 1]) : Infinity;
  const log = silentLogger();
  const bare = await findTesseractBinary(process.env.PATH);
  const wasm = await createOcrEngine({ engine: "wasm", workers: PARALLEL }, { log });
  const cli =
    bare === undefined
      ? undefined
      : await createOcrEngine({ engine: "cli", workers: PARALLEL }, { log, pathEnv: process.env.PATH });
  if (bare === undefined) console.log("tesseract CLI not installed: only the wasm engine is measured");
  // What a server gets by default (DOCKET_OCR_ENGINE=auto): the pipeline checks run on it.
  const auto =
    bare === undefined
      ? wasm
      : await createOcrEngine({ engine: "auto", workers: PARALLEL }, { log, pathEnv: process.env.PATH });
  if (process.argv.includes("--pipeline-only")) {
    // Just the pipeline-level checks (text-layer pages/s, manifest PDFs); docs untouched.
    const checks = await runPipelineChecks(DATA, auto, { textLayerOnly: process.argv.includes("--text-layer-only") });
    for (const t of checks.textLayer) console.log(describeTextLayerRun(t, true));
    for (const c of checks.pdfs)
      console.log(
        `${c.file.padEnd(34)} ocr ${JSON.stringify(c.ocrPages)} rotation ${c.rotations.join("/")} expected ${c.found.length}/${c.found.length + c.missing.length} ${c.seconds.toFixed(1)} s${c.missing.length ? ` missing ${JSON.stringify(c.missing)}` : ""}${c.failed ?? ""}`,
      );
    await Promise.all([wasm.close(), cli?.close(), auto.close()]);
    return;
  }

  const defaultName = `Docket default (${auto.name})`;
  const contenders: Contender[] = [docketContender(wasm, "Docket tesseract-wasm")];
  if (cli !== undefined) contenders.push(docketContender(cli, "Docket tesseract-cli"));
  // The default engine (auto): the CLI, with images up to a megapixel (uw3's lines, some
  // receipts) on warm tesseract.js threads; once as a job gets it, once without the per-page
  // preprocessing (imaging/preprocess.ts, page-outline.ts), which separates what it buys.
  if (auto !== wasm) {
    contenders.push(docketContender(auto, `${defaultName}, no preprocessing`, { preprocess: false }));
    contenders.push(docketContender(auto, defaultName));
  }
  if (bare !== undefined) contenders.push(bareContender(bare));
  const pair = contenders.filter((c) => c.name === defaultName || c.name === "bare tesseract CLI");

  const uw3 = uw3Samples(limit);
  const sroie = sroieSamples(limit);
  // Phone photos simulated from every fifth receipt (perspective, dark background, shading,
  // blur), and Polish scans generated from known text: written to a temporary folder so every
  // contender reads a file.
  const scratch = mkdtempSync(join(tmpdir(), "docket-bench-ocr-"));
  const photos: Sample[] = [];
  for (const [i, s] of sroieSamples(Infinity)
    .filter((_, i) => i % 5 === 0)
    .slice(0, Math.min(10, limit))
    .entries()) {
    const page = await (await openImageForOcr(readFileSync(s.file))).page(0);
    const photo = await simulatePhoto(page, { seed: i + 1 });
    const file = join(scratch, `photo-${s.id}.png`);
    writeFileSync(file, photo.image.png);
    photos.push({ id: s.id, file, truth: s.truth });
  }
  const polish: Array<Sample & { dpi: number }> = [];
  for (const [i, scan] of (await polishScans()).entries()) {
    if (i >= limit * 2) break;
    const file = join(scratch, `polish-${i}.png`);
    writeFileSync(file, scan.image.png);
    polish.push({ id: scan.id, file, truth: scan.truth, dpi: scan.dpi });
  }
  const loadBefore = loadavg()[0]!;
  const results: DatasetResult[] = [];
  const datasets: Array<[string, Sample[], boolean, Contender[], string[]]> = [
    ["uw3_lines", uw3, true, contenders, ["eng"]],
    ["SROIE", sroie, false, contenders, ["eng"]],
    ["SROIE photos (simulated)", photos, false, pair, ["eng"]],
    ["Polish scans 300 dpi", polish.filter((p) => p.dpi === 300), true, pair, ["pol", "eng"]],
    ["Polish scans 150 dpi", polish.filter((p) => p.dpi === 150), true, pair, ["pol", "eng"]],
  ];
  for (const [name, samples, ordered, who, languages] of datasets) {
    if (samples.length === 0) continue;
    for (const r of await evaluateAll(who, name, samples, ordered, 10, languages)) {
      results.push(r);
      console.log(
        `${r.contender.padEnd(38)} ${r.dataset.padEnd(10)} CER ${pct(r.cer)} F1 ${pct(r.f1)}${r.bag === undefined ? "" : ` bag ${pct(r.bag)}`} ${r.seconds.toFixed(1)} s`,
      );
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  const loadAfter = loadavg()[0]!;
  // End to end through the API (ocr-e2e.ts): 20 receipts, warm server, txt+json, 2 job slots.
  let e2e: EndToEndResult | undefined;
  if (bare !== undefined && !process.argv.includes("--no-e2e")) {
    const files = sroieSamples(Infinity)
      .filter((_, i) => i % 2 === 0)
      .slice(0, Math.min(20, limit))
      .map((s) => s.file);
    e2e = await runEndToEnd(files, bare, Number(process.env.BENCH_E2E_ROUNDS ?? 3));
    console.log(`end to end: ratios ${e2e.ratios.map((r) => r.toFixed(2)).join(", ")}`, e2e);
  }
  if (process.argv.includes("--accuracy-only")) {
    // The datasets and the end-to-end run alone; docs untouched.
    await Promise.all([wasm.close(), cli?.close(), auto.close()]);
    return;
  }
  const orient = await orientation(cli ?? wasm, bare);
  if (cli !== undefined) orient.push(...(await orientation(wasm, undefined)));
  for (const o of orient)
    console.log(
      `${o.who.padEnd(24)} ${o.file.padEnd(28)} ${o.detected.join("/")} (expected ${o.expected.join("/")}) ${o.correct}/${o.expected.length}`,
    );
  const checks = await runPipelineChecks(DATA, auto);
  for (const t of checks.textLayer) console.log(describeTextLayerRun(t, true));
  for (const c of checks.pdfs)
    console.log(
      `${c.file.padEnd(34)} ocr ${JSON.stringify(c.ocrPages)} rotation ${c.rotations.join("/")} expected ${c.found.length}/${c.found.length + c.missing.length}${c.failed ?? ""}`,
    );
  await Promise.all([wasm.close(), cli?.close(), auto.close()]);
  const memory = await probeMemory(ROOT, join(DATA, "pdfs/ocrmypdf/multipage.pdf"), cli === undefined ? "wasm" : "cli");
  console.log(
    `multipage.pdf: peak RSS ${memory.peakMb} MB (${memory.ran}) in ${memory.seconds.toFixed(1)} s (${memory.pages.join(", ")})`,
  );

  // ----- markdown
  const bareSroie = results.find((r) => r.contender === "bare tesseract CLI" && r.dataset === "SROIE");
  const bareOf = (dataset: string): DatasetResult | undefined =>
    results.find((r) => r.contender === "bare tesseract CLI" && r.dataset === dataset);
  const rows = results.map((r) => {
    const sroie = r.dataset === "SROIE" && bareSroie !== undefined;
    const ratio = sroie ? `${(r.perSecond / bareSroie.perSecond).toFixed(2)}×` : "";
    const cpuRatio =
      sroie && r.cpuPerImage !== undefined && bareSroie.cpuPerImage !== undefined
        ? `${(bareSroie.cpuPerImage / r.cpuPerImage).toFixed(2)}×`
        : "";
    const cpuCell = r.cpuPerImage === undefined ? "" : `${r.cpuPerImage.toFixed(2)} s`;
    const base = bareOf(r.dataset);
    const cerRatio = base === undefined || base.cer === 0 ? "" : `${(r.cer / base.cer).toFixed(2)}×`;
    const f1Ratio = base === undefined || base.f1 === 0 ? "" : `${(r.f1 / base.f1).toFixed(2)}×`;
    return `| ${r.contender} | ${r.dataset} | ${pct(r.cer)} | ${cerRatio} | ${pct(r.f1)} | ${f1Ratio} | ${r.bag === undefined ? "" : pct(r.bag)} | ${r.perSecond.toFixed(2)} img/s | ${ratio} | ${cpuCell} | ${cpuRatio} |`;
  });
  const e2eMd =
    e2e === undefined
      ? "End to end through the API: not measured (no tesseract binary, or --no-e2e)."
      : `End to end through the API (bench/ocr-e2e.ts): ${e2e.receipts} receipts (every second SROIE scan) uploaded to a warm server in its own process (SQLite, fsync, default engine, 2 job slots, \`outputs: ["txt","json"]\`, \`extract: "off"\`), submitted as one batch, from the submit to the last job's completion, against the bare CLI on the same files 2 at a time, rounds alternating which goes first (${e2e.failed} jobs failed):

| round | Docket | bare CLI | ratio | server CPU per page |
|---|---|---|---|---|
${e2e.rounds.map((r, i) => `| ${i + 1} | ${r.docketSeconds.toFixed(1)} s | ${r.bareSeconds.toFixed(1)} s | ${(r.docketSeconds / r.bareSeconds).toFixed(2)}× | ${r.cpuPerPage === undefined ? "" : `${r.cpuPerPage.toFixed(2)} s`} |`).join("\n")}

Mean per job (ms; steps run 2 at a time, so queue wait is most of a batch job's life): ${Object.entries(e2e.stepMs)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(", ")}.`;
  const date = new Date().toISOString().slice(0, 10);
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const warmThreads = auto.name.endsWith("+wasm");
  /** Which run this is: the process's first (threads start), the first to read pictures on warm threads, or a warm one. */
  const runLabel = (t: TextLayerRun, indexInPolicy: number): string => {
    if (t === checks.textLayer[0]) return "cold";
    if (indexInPolicy === 0 && t.policy === "auto" && warmThreads)
      return "first (tesseract.js threads loading their models)";
    return "warm";
  };
  /** The cold or first run on its own, then the warm ones as their median and range (steady state is what a busy server sees). */
  const textLayerLine = (policy: TextLayerRun["policy"]) => {
    const runs = checks.textLayer.filter((t) => t.policy === policy);
    const failed = runs.flatMap((t) => t.ocred);
    const rate = (t: TextLayerRun) => t.pages / t.seconds;
    const single = runs
      .filter((t, i) => runLabel(t, i) !== "warm")
      .map(
        (t) =>
          `${runLabel(t, runs.indexOf(t))} ${rate(t).toFixed(1)} pages/s (${t.pages} pages in ${t.seconds.toFixed(2)} s)`,
      );
    const warm = runs
      .filter((t, i) => runLabel(t, i) === "warm")
      .map(rate)
      .sort((a, b) => a - b);
    const median =
      warm.length === 0
        ? 0
        : warm.length % 2 === 1
          ? warm[(warm.length - 1) / 2]!
          : (warm[warm.length / 2 - 1]! + warm[warm.length / 2]!) / 2;
    const warmPart =
      warm.length === 0
        ? []
        : [
            `warm **${median.toFixed(1)} pages/s** (median of ${warm.length} runs of ${runs[0]!.pages} pages, ${warm[0]!.toFixed(1)}–${warm.at(-1)!.toFixed(1)})`,
          ];
    return (
      [...single, ...warmPart].join(", ") +
      (failed.length > 0 ? `; OCRed or failed: ${[...new Set(failed)].join(", ")}` : "")
    );
  };
  const regions = checks.textLayer.find((t) => t.policy === "auto")?.imageRegions ?? 0;
  const pdfRows = checks.pdfs.map((c) => {
    const rotation =
      c.expectedRotations === undefined
        ? c.rotations.join("/")
        : `${c.rotations.join("/")} (expected ${c.expectedRotations.join("/")})`;
    const strings =
      c.found.length + c.missing.length === 0
        ? ""
        : `${c.found.length}/${c.found.length + c.missing.length}${c.missing.length > 0 ? `, missing ${c.missing.map((m) => `"${m}"`).join(", ")}` : ""}`;
    return `| ${c.file} | ${c.failed === undefined ? c.ocrPages.join(", ") || "none" : `failed: ${c.failed}`} | ${c.layerPagesOcred.join(", ") || "none"} | ${rotation} | ${strings} | ${c.seconds.toFixed(1)} |`;
  });
  const md = `## OCR (npm run bench:ocr)

Measured ${date} on ${availableParallelism()} cores (${cpu}), Node ${process.version}, ${uw3.length} uw3 lines and ${sroie.length} SROIE receipts; every contender runs ${PARALLEL} pages at a time (the bare CLI as ${PARALLEL} processes with OMP_THREAD_LIMIT=1). Docket's engines include what the bare CLI does not: image normalisation, orientation handling and deskew on every page. Contenders run interleaved in chunks of 10 images so that load from other processes falls on all alike (1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the accuracy/throughput runs).

CER is edit distance / reference length after whitespace and quote normalisation. uw3_lines: ordered CER per line. SROIE: the reference is the box/*.csv transcripts, whose order is not reading order and whose boxes split lines differently from Tesseract (one box per field), so both sides are split into words, sorted and re-joined before comparing ("sorted-words CER": a misread, missing or invented word costs its characters, order and line breaks cost nothing), case-insensitively because the annotators upper-cased most transcripts; "bag" is the order-free bag-of-characters error (a lower bound of any edit distance). Throughput ratio is images/s relative to the bare CLI on SROIE (wall clock); CPU is CPU time per image of the benchmark process and its tesseract children, and its ratio is the bare CLI's CPU per image over the contender's: with every core busy it is the throughput ratio, and other load on the machine moves it much less than the wall clock.

| engine | dataset | CER | CER vs bare | word F1 | F1 vs bare | bag | throughput | vs bare CLI | CPU/image | vs bare CLI (CPU) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Photos: simulated from every fifth SROIE receipt (test/imaging/simulated-photo.ts: the page in perspective on a dark textured background, lit unevenly, blurred), compared with the receipt's transcripts like SROIE. Polish scans: bench/ocr-polish.ts, eight lines with every Polish diacritic in five system faces (DejaVu Sans/Serif, Liberation Sans/Serif/Mono) at 10 and 12 pt, clean and degraded (blur, noise, JPEG q40), read with \`pol+eng\`, ordered CER.

${e2eMd}

Orientation (degrees clockwise to upright, per page; pages rendered at 300 DPI; OSD runs on a 150-DPI copy; recognize() is what a job gets: it reads the page as it is and asks OSD only when the reading looks sideways or poor):

| detector | file | detected | expected | correct |
|---|---|---|---|---|
${orient.map((o) => `| ${o.who} | ${o.file} | ${o.detected.join("/")} | ${o.expected.join("/")} | ${o.correct}/${o.expected.length} |`).join("\n")}

Through the real pipeline (SQLite, a worker with 2 job slots, the default engine, ${auto.name}, all five outputs, blobs written durably with fsync as the server writes them): the text-layer path (${checks.textLayer[0]?.documents ?? 0} documents a run: the ${(checks.textLayer[0]?.documents ?? 0) / (checks.textLayer[0]?.copies ?? 1)} digital invoices of invoice2data/, every page with a usable text layer, ${checks.textLayer[0]?.copies ?? 1} times each, submitted together, first submit to last completion; \`npm run bench:ocr -- --pipeline-only --text-layer-only\` runs just this, and BENCH_TEXT_LAYER_RUNS, BENCH_TEXT_LAYER_COPIES, BENCH_TEXT_LAYER_POLICIES=skip|auto and BENCH_FSYNC=0 vary it) runs, on the text layers alone (\`ocr: skip\`), ${textLayerLine("skip")}; by default (\`ocr: auto\`), which also OCRs the ${regions} pictures on a run's pages (logos mostly) as image regions${warmThreads ? " (on warm tesseract.js threads: each is under a megapixel)" : ""}, ${textLayerLine("auto")}. Per corpus PDF (pdfs/manifest.json):

| file | pages OCRed | text-layer pages OCRed | rotation per page | expected strings | s |
|---|---|---|---|---|---|
${pdfRows.join("\n")}

Memory: ocrmypdf/multipage.pdf (6 pages, page 2 a 9000×9000 RGB scan) through the pipeline's per-document work — inspect, text layer, render at 300 DPI and OCR of its ${memory.ocrPages.length} pages without a usable text layer — in a fresh process running ${memory.ran === "dist" ? "the compiled server (dist/), as production does" : "the sources under tsx (the build failed; tsx adds some 350 MB per pdf.js thread)"}: peak RSS **${memory.peakMb} MB**, ${memory.seconds.toFixed(1)} s (pages ${memory.pages.join(", ")}; page 2 is clamped to 50 MP and drawn by the large-image path). Tesseract's own processes are not included.
`;
  writeSection(md);
  console.log("\n" + md);
}

await main();
