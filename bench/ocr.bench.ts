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
 * [--accuracy-only] (datasets and end to end only, docs untouched) [--no-e2e]
 * [--datasets sroie,photos,polish,uw3] (only these; with --accuracy-only, to save CPU while iterating)
 * [--contenders default,bare,...] (only contenders whose name contains one of these, case-insensitive)
 * [--split even|odd] (SROIE: only the receipts at even or odd positions, for a held-out check).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openImageForOcr } from "../src/imaging/image-normalize.js";
import { silentLogger } from "../src/logger.js";
import { findTesseractBinary } from "../src/ocr/cli/cli-backend.js";
import { createOcrEngine } from "../src/ocr/engine-factory.js";
import { simulatePhoto } from "../test/imaging/simulated-photo.js";
import {
  bareContender,
  DATA,
  docketContender,
  evaluateAll,
  PARALLEL,
  sroieSamples,
  uw3Samples,
  type Contender,
  type DatasetResult,
  type Sample,
} from "./ocr/accuracy.js";
import { orientation } from "./ocr/orientation.js";
import { describeTextLayerRun, pct, writeSection } from "./ocr/report.js";
import { runEndToEnd, type EndToEndResult } from "./ocr-e2e.js";
import { probeMemory } from "./ocr-memory-probe.js";
import { polishScans } from "./ocr-polish.js";
import { runPipelineChecks, type TextLayerRun } from "./ocr-pipeline-checks.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`skipped: shared data folder not found at ${DATA}`);
    return;
  }
  const limitArg = process.argv.indexOf("--limit");
  const limit = limitArg >= 0 ? Number(process.argv[limitArg + 1]) : Infinity;
  const listArg = (flag: string): string[] | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? (process.argv[i + 1] ?? "").toLowerCase().split(",") : undefined;
  };
  const onlyDatasets = listArg("--datasets");
  const onlyContenders = listArg("--contenders");
  const split = listArg("--split")?.[0];
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
  // "default" means the default engine as a job gets it; other words match inside names.
  const wanted = (c: Contender): boolean =>
    onlyContenders === undefined ||
    onlyContenders.some((w) => (w === "default" ? c.name === defaultName : c.name.toLowerCase().includes(w)));
  contenders.splice(0, contenders.length, ...contenders.filter(wanted));
  const pair = contenders.filter((c) => c.name === defaultName || c.name === "bare tesseract CLI");
  const dataset = (name: string): boolean => onlyDatasets === undefined || onlyDatasets.includes(name);

  const uw3 = dataset("uw3") ? uw3Samples(limit) : [];
  const sroie = dataset("sroie")
    ? sroieSamples(Infinity)
        .filter((_, i) => split === undefined || i % 2 === (split === "odd" ? 1 : 0))
        .slice(0, limit)
    : [];
  // Phone photos simulated from every fifth receipt (perspective, dark background, shading,
  // blur), and Polish scans generated from known text: written to a temporary folder so every
  // contender reads a file.
  const scratch = mkdtempSync(join(tmpdir(), "docket-bench-ocr-"));
  const photos: Sample[] = [];
  for (const [i, s] of sroieSamples(Infinity)
    .filter((_, i) => i % 5 === 0)
    .slice(0, dataset("photos") ? Math.min(10, limit) : 0)
    .entries()) {
    const page = await (await openImageForOcr(readFileSync(s.file))).page(0);
    const photo = await simulatePhoto(page, { seed: i + 1 });
    const file = join(scratch, `photo-${s.id}.png`);
    writeFileSync(file, photo.image.png);
    photos.push({ id: s.id, file, truth: s.truth });
  }
  const polish: Array<Sample & { dpi: number }> = [];
  for (const [i, scan] of (dataset("polish") ? await polishScans() : []).entries()) {
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
        `${r.contender.padEnd(38)} ${r.dataset.padEnd(10)} CER ${pct(r.cer)} F1 ${pct(r.f1)}${r.bag === undefined ? "" : ` bag ${pct(r.bag)}`} ${r.seconds.toFixed(1)} s${r.cpuPerImage === undefined ? "" : ` CPU ${r.cpuPerImage.toFixed(2)} s/image`}`,
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

| round | Docket | bare CLI | ratio | server CPU per page | bare CLI CPU per page | CPU ratio |
|---|---|---|---|---|---|---|
${e2e.rounds.map((r, i) => `| ${i + 1} | ${r.docketSeconds.toFixed(1)} s | ${r.bareSeconds.toFixed(1)} s | ${(r.docketSeconds / r.bareSeconds).toFixed(2)}× | ${r.cpuPerPage === undefined ? "" : `${r.cpuPerPage.toFixed(2)} s`} | ${r.bareCpuPerPage === undefined ? "" : `${r.bareCpuPerPage.toFixed(2)} s`} | ${r.cpuPerPage === undefined || r.bareCpuPerPage === undefined ? "" : `${(r.cpuPerPage / r.bareCpuPerPage).toFixed(2)}×`} |`).join("\n")}

Mean per job (ms; steps run 2 at a time, so queue wait is most of a batch job's life): ${Object.entries(e2e.stepMs)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(", ")}.`;
  const date = new Date().toISOString().slice(0, 10);
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  // The first auto run starts the OCR processes or threads the later runs find warm.
  /** Which run this is: the process's first (threads start), the first to read pictures on warm threads, or a warm one. */
  const runLabel = (t: TextLayerRun, indexInPolicy: number): string => {
    if (t === checks.textLayer[0]) return "cold";
    if (indexInPolicy === 0 && t.policy === "auto") return "first (OCR processes loading their models)";
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

Through the real pipeline (SQLite, a worker with 2 job slots, the default engine, ${auto.name}, all five outputs, blobs written durably with fsync as the server writes them): the text-layer path (${checks.textLayer[0]?.documents ?? 0} documents a run: the ${(checks.textLayer[0]?.documents ?? 0) / (checks.textLayer[0]?.copies ?? 1)} digital invoices of invoice2data/, every page with a usable text layer, ${checks.textLayer[0]?.copies ?? 1} times each, submitted together, first submit to last completion; \`npm run bench:ocr -- --pipeline-only --text-layer-only\` runs just this, and BENCH_TEXT_LAYER_RUNS, BENCH_TEXT_LAYER_COPIES, BENCH_TEXT_LAYER_POLICIES=skip|auto and BENCH_FSYNC=0 vary it) runs, on the text layers alone (\`ocr: skip\`), ${textLayerLine("skip")}; by default (\`ocr: auto\`), which also OCRs the ${regions} pictures on a run's pages (logos mostly) as image regions (read by ${auto.name === "tesseract-cli" ? "warm tesseract processes" : "tesseract.js threads"}), ${textLayerLine("auto")}. Per corpus PDF (pdfs/manifest.json):

| file | pages OCRed | text-layer pages OCRed | rotation per page | expected strings | s |
|---|---|---|---|---|---|
${pdfRows.join("\n")}

Memory: ocrmypdf/multipage.pdf (6 pages, page 2 a 9000×9000 RGB scan) through the pipeline's per-document work — inspect, text layer, render at 300 DPI and OCR of its ${memory.ocrPages.length} pages without a usable text layer — in a fresh process running ${memory.ran === "dist" ? "the compiled server (dist/), as production does" : "the sources under tsx (the build failed; tsx adds some 350 MB per pdf.js thread)"}: peak RSS **${memory.peakMb} MB**, ${memory.seconds.toFixed(1)} s (pages ${memory.pages.join(", ")}; page 2 is clamped to 50 MP and drawn by the large-image path). Tesseract's own processes are not included.
`;
  writeSection(md);
  console.log("\n" + md);
}

await main();
