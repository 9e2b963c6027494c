/**
 * Builds the OCR engine the configuration asks for. Called once per process by the
 * composition root; the engine owns worker threads, so the caller must close() it.
 */
import { availableParallelism } from "node:os";
import type { Logger } from "../logger.js";
import { CliTesseractBackend, findTesseractBinary } from "./cli/cli-backend.js";
import { DEFAULT_SYSTEM_TESSDATA_DIRS, LanguageCatalog } from "./language-catalog.js";
import type { OcrConfig } from "./ocr-config.js";
import type { OcrEngine } from "./ocr-engine.js";
import { TesseractOcrEngine } from "./page-recognizer.js";
import { DEFAULT_MAX_WARM_PIXELS, SmallImageRouter } from "./small-image-router.js";
import { WasmTesseractBackend } from "./wasm/wasm-backend.js";

export interface OcrEngineDeps {
  log: Logger;
  /** PATH to search for the tesseract binary (the caller passes process.env.PATH). */
  pathEnv?: string;
}

/** Warm tesseract.js threads beside the CLI give their memory back after this long unused. */
const WARM_IDLE_MS = 60_000;

/**
 * `wasm`: tesseract.js worker threads (always available). `cli`: the native binary (throws at
 * start-up when it is missing). `auto`: the binary when it runs, with small images (up to a
 * megapixel: logos and pictures on text-layer pages) on warm tesseract.js threads, where a
 * process start would cost more than the recognition (small-image-router.ts); else wasm. The
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
        const cli = await CliTesseractBackend.create({ binary, concurrency: workers, log });
        const warm = config.engine === "auto" ? wasm(WARM_IDLE_MS) : undefined;
        const backend =
          warm === undefined
            ? cli
            : new SmallImageRouter({ primary: cli, warm, maxWarmPixels: DEFAULT_MAX_WARM_PIXELS });
        // Without system OSD data the CLI borrows tesseract.js's: the warm threads' backend
        // when there is one (the router closes it), else one of its own.
        const ownOsd = cli.supportsOsd || warm !== undefined ? undefined : wasm();
        const orientation = cli.supportsOsd ? undefined : (warm ?? ownOsd);
        log.info({ engine: backend.name, binary, workers, languages: cli.languages() }, "OCR engine ready");
        return new TesseractOcrEngine({
          backend,
          log,
          ...(orientation === undefined ? {} : { orientation }),
          ...(ownOsd === undefined ? {} : { alsoClose: [ownOsd] }),
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
