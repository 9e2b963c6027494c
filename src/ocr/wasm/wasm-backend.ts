/**
 * Tesseract compiled to wasm (tesseract.js), run in a pool of worker threads: works on any
 * machine with Node, no system packages. Everything is loaded from local disk:
 *
 * - the worker script and wasm core from node_modules (tesseract.js's defaults in Node; set
 *   explicitly here so a changed default can never turn into a CDN fetch; the worker script
 *   is wrapped to keep Tesseract's console chatter out of the server's output);
 * - language data from an assembled folder of links (language-catalog.ts) with caching off,
 *   so nothing is written next to the process and nothing is fetched (tesseract.js fetches
 *   from a CDN only when `langPath` is unset).
 *
 * Recognition workers run the LSTM-only core; orientation detection (OSD) needs the legacy
 * engine, so it has its own small pool with the legacy core and `osd` data.
 */
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Tesseract from "tesseract.js";
import { DocketError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { AssembledLangDir, LanguageCatalog } from "../language-catalog.js";
import type { EngineHealth, OrientationResult } from "../ocr-engine.js";
import type { TesseractBackend, TsvRequest } from "../tesseract-backend.js";
import { TesseractWorkerPool } from "./worker-pool.js";

export interface WasmBackendOptions {
  catalog: LanguageCatalog;
  /** Recognition workers (threads); default os.availableParallelism() via the factory. */
  poolSize: number;
  log: Logger;
  /** End worker threads idle this long (default: keep them for the life of the engine). */
  idleTimeoutMs?: number;
}

const OSD_KEY = "osd";

/** Local paths of tesseract.js's worker script and core package (never URLs). */
function localTesseractPaths(): { workerPath: string; corePath: string } {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("tesseract.js/package.json"));
  const core = dirname(require.resolve("tesseract.js-core/package.json"));
  return { workerPath: join(root, "src", "worker-script", "node", "index.js"), corePath: core };
}

/** tesseract.js rejects with bare strings; make them errors with Docket codes. */
function tesseractError(error: unknown, what: string): DocketError {
  if (error instanceof DocketError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DocketError("ocr_failed", `${what}: ${message}`, { permanent: false, cause: error });
}

/**
 * Tesseract's C++ code prints diagnostics ("Detected 70 diacritics", "Line cannot be
 * recognized!!") through Emscripten to console.*, which in a worker thread lands on the
 * server's stdout between the JSON log lines. tesseract.js creates its worker threads itself
 * (no stdout option), so Docket gives it a worker script that silences console output in the
 * thread and then runs tesseract.js's own script. Results and errors travel as messages, not
 * console output, so nothing of use is lost. Written at run time beside the language links
 * because it must be plain CommonJS that a worker can start without a TypeScript loader.
 */
async function writeQuietWorker(dir: string, realWorkerPath: string): Promise<string> {
  const path = join(dir, "tesseract-worker.cjs");
  const source = [
    "'use strict';",
    "for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};",
    `require(${JSON.stringify(realWorkerPath)});`,
    "",
  ].join("\n");
  await writeFile(path, source);
  return path;
}

export class WasmTesseractBackend implements TesseractBackend {
  readonly name = "tesseract-wasm";
  /** Private temporary folder: language links and the quiet worker script. */
  private langDir: Promise<{ dir: AssembledLangDir; workerPath: string }> | undefined;
  private readonly recognizers: TesseractWorkerPool;
  private readonly osd: TesseractWorkerPool;
  private readonly paths = localTesseractPaths();

  constructor(private readonly options: WasmBackendOptions) {
    const log = options.log.child({ engine: this.name });
    this.recognizers = new TesseractWorkerPool({
      size: options.poolSize,
      name: "recognize",
      log,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      create: (key) => this.createWorker(key.split("+"), Tesseract.OEM.LSTM_ONLY, false),
    });
    // OSD takes ~0.5 s a page against seconds for recognition: half the threads suffice.
    this.osd = new TesseractWorkerPool({
      size: Math.max(1, Math.ceil(options.poolSize / 2)),
      name: "osd",
      log,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      create: () => this.createWorker([OSD_KEY], Tesseract.OEM.TESSERACT_ONLY, true),
    });
  }

  get concurrency(): number {
    return this.recognizers.size;
  }

  /** Worker threads alive now, recognition and OSD (they end when idle, see idleTimeoutMs). */
  get liveWorkers(): number {
    return this.recognizers.liveWorkers + this.osd.liveWorkers;
  }

  private async createWorker(languages: string[], oem: Tesseract.OEM, legacy: boolean): Promise<Tesseract.Worker> {
    this.langDir ??= AssembledLangDir.create(this.options.catalog).then(async (dir) => ({
      dir,
      workerPath: await writeQuietWorker(dir.path, this.paths.workerPath),
    }));
    const { dir, workerPath } = await this.langDir;
    const log = this.options.log;
    return Tesseract.createWorker(languages, oem, {
      langPath: dir.path,
      cacheMethod: "none",
      gzip: false,
      workerPath,
      corePath: this.paths.corePath,
      legacyCore: legacy,
      legacyLang: legacy,
      logger: () => undefined,
      // Without a handler tesseract.js throws inside its message listener (an uncaught
      // exception); the failing call is rejected either way.
      errorHandler: (error: unknown) => log.debug({ engine: this.name, err: String(error) }, "tesseract.js error"),
    });
  }

  languages(): string[] {
    return this.options.catalog.recognitionLanguages();
  }

  requireLanguages(languages: readonly string[]): void {
    LanguageCatalog.require(languages, this.languages(), this.name);
  }

  async recognizeTsv(request: TsvRequest): Promise<string> {
    this.requireLanguages(request.languages);
    // A stable key per language set ("eng+pol" and "pol+eng" differ: order sets priority).
    const key = request.languages.join("+");
    return this.recognizers.run(key, request.signal, async (worker) => {
      const params = {
        tessedit_pageseg_mode: String(request.psm),
        user_defined_dpi: String(Math.round(request.dpi)),
        ...request.variables,
      };
      try {
        const result = await worker.recognize(request.png, params as Partial<Tesseract.RecognizeOptions>, {
          text: false,
          tsv: true,
        });
        return result.data.tsv ?? "";
      } catch (error) {
        throw tesseractError(error, "recognition failed");
      }
    });
  }

  async detectOrientation(png: Buffer, dpi: number, signal?: AbortSignal): Promise<OrientationResult | undefined> {
    if (this.options.catalog.osdFile() === undefined) return undefined;
    return this.osd.run(OSD_KEY, signal, async (worker) => {
      let data: Tesseract.DetectData;
      try {
        // detect() takes no options; the resolution must be set on the worker (Docket's PNGs
        // carry no density, and Tesseract warns and guesses without one).
        await worker.setParameters({ user_defined_dpi: String(Math.round(dpi)) });
        data = (await worker.detect(png)).data;
      } catch (error) {
        // OSD fails on pages with too little text; that is "unknown", not an error.
        this.options.log.debug({ engine: this.name, err: String(error) }, "OSD failed");
        return undefined;
      }
      if (data.orientation_degrees === null || data.orientation_confidence === null) return undefined;
      return {
        rotation: data.orientation_degrees,
        confidence: data.orientation_confidence,
        ...(data.script === null ? {} : { script: data.script }),
      };
    });
  }

  async check(): Promise<EngineHealth> {
    const languages = this.languages();
    if (languages.length === 0) return { ok: false, detail: "no OCR language data found" };
    try {
      // Starting a worker proves the wasm core and a language model load.
      const first = languages.includes("eng") ? "eng" : languages[0]!;
      await this.recognizers.run(first, AbortSignal.timeout(60_000), async () => undefined);
      return { ok: true, detail: `${this.name}: ${languages.join(", ")}` };
    } catch (error) {
      return { ok: false, detail: `${this.name} failed to start: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.recognizers.close(), this.osd.close()]);
    const runtime = await this.langDir?.catch(() => undefined);
    await runtime?.dir.remove();
    this.langDir = undefined;
  }
}
