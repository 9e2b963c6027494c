/**
 * Peak memory of one PDF through the pipeline's per-document work — inspect (validate), text
 * layer (check_text), render at 300 DPI and OCR of every page without a usable text layer —
 * in a fresh Node process, for bench/ocr.bench.ts.
 *
 * Production runs the compiled JS in dist/, so the probe compiles the server first and runs
 * that (falling back to the sources under tsx, and saying so, when the build fails). Under
 * tsx, each thread that loads pdf.js (main, text layer, render) costs some 350 MB more,
 * because tsx transforms pdf.js's large modules as it loads them: that measures the
 * benchmark's loader, not Docket. Tesseract runs in child processes, which are not included.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface MemoryProbe {
  peakMb: number;
  seconds: number;
  /** "dist" (compiled, as in production) or "tsx" (sources; inflated, see above). */
  ran: "dist" | "tsx";
  /** Rendered pages: width×height@dpi. */
  pages: string[];
  ocrPages: number[];
}

/**
 * The probe itself, as an ES module file (not `node -e`: worker threads inherit
 * `--input-type=module`, which breaks their own entry scripts): argv = module root URL, PDF
 * path, engine kind.
 */
const PROBE = `
const [root, pdfPath, engineKind] = process.argv.slice(2);
const { readFileSync } = await import("node:fs");
const load = (path) => import(new URL(path, root).href);
const { inspectDocument } = await load("pdf/inspect-document.js");
const { TextLayerWorker } = await load("pdf/text-layer-worker.js");
const { assessTextLayer } = await load("pdf/assess-text-layer.js");
const { openPdfForRendering } = await load("imaging/pdf-rendering.js");
const { createOcrEngine } = await load("ocr/engine-factory.js");
const { silentLogger } = await load("logger.js");
const started = performance.now();
const bytes = new Uint8Array(readFileSync(pdfPath));
await inspectDocument(bytes, "application/pdf");
const textLayer = new TextLayerWorker();
const extracted = await textLayer.extract(bytes, { contentStats: true });
const ocrPages = extracted.filter(({ page, content }) => !assessTextLayer(page, content).usable).map(({ page }) => page.number);
await textLayer.close();
const engine = await createOcrEngine({ engine: engineKind, workers: 2 }, { log: silentLogger(), pathEnv: process.env.PATH });
const pdf = await openPdfForRendering(bytes);
const pages = [];
for (const n of ocrPages) {
  const image = await pdf.renderPage(n, { dpi: 300 });
  pages.push(image.width + "×" + image.height + "@" + Math.round(image.dpi));
  await engine.recognize(image, { languages: ["eng"], mode: "document", pageNumber: n });
}
await pdf.close();
await engine.close();
// VmHWM, not resourceUsage().maxRSS: Linux carries maxRSS over fork and exec, so a child of
// the (large) benchmark process would report the parent's peak. Both cover every thread.
let status = "";
try { status = readFileSync("/proc/self/status", "utf8"); } catch { /* not Linux: maxRSS it is */ }
const hwm = /^VmHWM:\\s*(\\d+) kB/m.exec(status);
const peakKb = hwm === null ? process.resourceUsage().maxRSS : Number(hwm[1]);
console.log(JSON.stringify({ peakMb: Math.round(peakKb / 1024), seconds: (performance.now() - started) / 1000, pages, ocrPages }));
`;

/** Compile the server into dist/ (incremental, as `npm run build:server`); false when it fails. */
async function buildServer(root: string): Promise<boolean> {
  try {
    await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
      cwd: root,
      maxBuffer: 16 << 20,
    });
    return true;
  } catch {
    return false;
  }
}

export async function probeMemory(root: string, pdfPath: string, engine: "cli" | "wasm"): Promise<MemoryProbe> {
  const ran = (await buildServer(root)) ? "dist" : "tsx";
  const modules = pathToFileURL(join(root, ran === "dist" ? "dist/" : "src/")).href;
  const loader = ran === "dist" ? [] : ["--import", "tsx"];
  const dir = mkdtempSync(join(tmpdir(), "docket-memory-probe-"));
  try {
    const script = join(dir, "probe.mjs");
    writeFileSync(script, PROBE);
    const { stdout } = await run(process.execPath, [...loader, script, modules, pdfPath, engine], {
      cwd: root,
      maxBuffer: 1 << 20,
    });
    const last = stdout.trim().split("\n").pop()!;
    return { ...(JSON.parse(last) as Omit<MemoryProbe, "ran">), ran };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
