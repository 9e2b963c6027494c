/**
 * Builds the OCR engine the configuration asks for. Called once per process by the
 * composition root; the engine owns worker threads, so the caller must close() it.
 */
import { availableParallelism } from "node:os";
import type { Logger } from "../logger.js";
import { CliTesseractBackend, findTesseractBinary, SMALL_IMAGE_PIXELS } from "./cli/cli-backend.js";
import { NpmTessdataDir } from "./cli/npm-tessdata.js";
import { DEFAULT_SYSTEM_TESSDATA_DIRS, LanguageCatalog } from "./language-catalog.js";
import type { OcrConfig } from "./ocr-config.js";
import type { OcrEngine } from "./ocr-engine.js";
import { TesseractOcrEngine } from "./page-recognizer.js";
import { WasmTesseractBackend } from "./wasm/wasm-backend.js";

/** The borrowed tesseract.js OSD thread ends after this long unused. */
const BORROWED_OSD_IDLE_MS = 60_000;

export interface OcrEngineDeps {
  log: Logger;
  /** PATH to search for the tesseract binary (the caller passes process.env.PATH). */
  pathEnv?: string;
}

/**
 * `wasm`: tesseract.js worker threads (always available). `cli`: the native binary (throws at
 * start-up when it is missing). `auto`: the binary when it runs, else wasm. The binary's
 * processes stay loaded between pages (cli/warm-pool.ts), so small images (logos on
 * text-layer pages) cost no process start-up either: measured, warm native processes read
 * receipts and their second readings faster than tesseract.js threads (docs/OCR.md). The
 * CLI engine borrows tesseract.js's OSD when the system has no osd.traineddata.
 */
export async function createOcrEngine(config: OcrConfig, deps: OcrEngineDeps): Promise<OcrEngine> {
  const log = deps.log.child({ component: "ocr" });
  const workers = config.workers ?? availableParallelism();
  const catalog = new LanguageCatalog({ systemTessdataDirs: config.tessdataDirs ?? DEFAULT_SYSTEM_TESSDATA_DIRS });
  const wasm = (idleTimeoutMs?: number): WasmTesseractBackend =>
    new WasmTesseractBackend({
      catalog,
      poolSize: workers,
      log,
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    });

  if (config.engine !== "wasm") {
    const binary = config.tesseractPath ?? (await findTesseractBinary(deps.pathEnv));
    if (binary === undefined) {
      if (config.engine === "cli") throw new Error("DOCKET_OCR_ENGINE=cli but no tesseract binary was found on PATH");
    } else {
      try {
        // auto reads small images with the npm best_int models (npm-tessdata.ts); cli uses
        // the binary's own models for everything.
        const npmModels = config.engine === "auto" ? NpmTessdataDir.of(catalog) : undefined;
        const cli = await CliTesseractBackend.create({
          binary,
          concurrency: workers,
          log,
          ...(npmModels === undefined ? {} : { smallImages: { models: npmModels, maxPixels: SMALL_IMAGE_PIXELS } }),
        });
        // Without system OSD data the CLI borrows tesseract.js's, whose thread is needed
        // only for the rare doubtful page, so it gives its memory back when idle.
        const osd = cli.supportsOsd ? undefined : wasm(BORROWED_OSD_IDLE_MS);
        log.info({ engine: cli.name, binary, workers, languages: cli.languages() }, "OCR engine ready");
        return new TesseractOcrEngine({
          backend: cli,
          log,
          ...(osd === undefined ? {} : { orientation: osd, alsoClose: [osd] }),
        });
      } catch (error) {
        if (config.engine === "cli") throw error;
        log.warn({ binary, err: error }, "tesseract binary unusable; falling back to tesseract.js");
      }
    }
  }
  const backend = wasm();
  log.info({ engine: backend.name, workers, languages: backend.languages() }, "OCR engine ready");
  return new TesseractOcrEngine({ backend, log });
}
