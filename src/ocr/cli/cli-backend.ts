/**
 * The native `tesseract` binary as an OCR backend: pages read by warm processes (at most
 * `concurrency`, kept loaded between pages: warm-pool.ts), SIGKILL on cancel; orientation
 * detection, which is rare, one process per call. Faster than wasm
 * (native SIMD, no thread start-up), but only where the binary is installed, and only with the
 * languages of its own tessdata folder (it cannot read the gzip'd npm language packages).
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { DocketError, isAbortError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { LanguageCatalog } from "../language-catalog.js";
import type { EngineHealth, OrientationResult } from "../ocr-engine.js";
import { Semaphore } from "../semaphore.js";
import type { TesseractBackend, TsvRequest } from "../tesseract-backend.js";
import type { NpmTessdataDir } from "./npm-tessdata.js";
import { runTesseract } from "./run-tesseract.js";
import { WarmTesseractPool } from "./warm-pool.js";

/**
 * A backstop for a stuck binary; the OCR step's own per-page limit (DOCKET_OCR_PAGE_TIMEOUT)
 * normally ends a page first, through the abort signal.
 */
const PAGE_TIMEOUT_MS = 300_000;

export interface CliBackendOptions {
  binary: string;
  /** `--tessdata-dir`; default: the binary's own. */
  tessdataDir?: string;
  concurrency: number;
  log: Logger;
  /**
   * Images of at most `maxPixels` in the languages of `models` (the npm best_int models,
   * unpacked on first use: npm-tessdata.ts) are read with them instead of the binary's own.
   * The backend removes the unpacked folder on close().
   */
  smallImages?: { models: NpmTessdataDir; maxPixels: number };
}

/** Images up to a megapixel (lines, logos, a receipt's smaller second copy) count as small. */
export const SMALL_IMAGE_PIXELS = 1_000_000;

/** Find an executable `tesseract` on PATH (`pathEnv` is passed in, not read here). */
export async function findTesseractBinary(
  pathEnv: string | undefined,
  name = "tesseract",
): Promise<string | undefined> {
  for (const dir of (pathEnv ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Parse `tesseract --psm 0` output ("Rotate: 270", "Orientation confidence: 8.51", "Script: Latin"). */
export function parseOsdOutput(text: string): OrientationResult | undefined {
  const rotate = /^Rotate:\s*(\d+)/m.exec(text);
  const confidence = /^Orientation confidence:\s*([\d.]+)/m.exec(text);
  if (rotate === null || confidence === null) return undefined;
  const script = /^Script:\s*(\S+)/m.exec(text);
  return {
    rotation: Number(rotate[1]) % 360,
    confidence: Number(confidence[1]),
    ...(script === null ? {} : { script: script[1]! }),
  };
}

export class CliTesseractBackend implements TesseractBackend {
  readonly name = "tesseract-cli";
  private readonly permits: Semaphore;
  private readonly warm: WarmTesseractPool;

  private constructor(
    private readonly options: CliBackendOptions,
    private readonly installed: string[],
    private readonly hasOsd: boolean,
  ) {
    this.permits = new Semaphore(options.concurrency);
    // Twice the permits: a process of each model set stays loaded beside the busy ones, so
    // small images and pages taking turns do not restart processes.
    const processes = options.smallImages === undefined ? options.concurrency : options.concurrency * 2;
    this.warm = new WarmTesseractPool({ binary: options.binary, maxProcesses: processes });
  }

  /** Probe the binary and its languages; throws when it cannot run. */
  static async create(options: CliBackendOptions): Promise<CliTesseractBackend> {
    const { stdout, stderr } = await runTesseract({
      binary: options.binary,
      args: [...CliTesseractBackend.dataArgs(options), "--list-langs"],
      timeoutMs: 30_000,
    });
    // "List of available languages in "/usr/share/…/tessdata/" (4):" then one code per line.
    const codes = `${stdout}\n${stderr}`
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /^[A-Za-z0-9_]+$/.test(l));
    const backend = new CliTesseractBackend(options, codes.filter((c) => c !== "osd").sort(), codes.includes("osd"));
    options.log.debug(
      { engine: backend.name, binary: options.binary, languages: backend.installed },
      "tesseract CLI found",
    );
    return backend;
  }

  private static dataArgs(options: CliBackendOptions): string[] {
    return options.tessdataDir === undefined ? [] : ["--tessdata-dir", options.tessdataDir];
  }

  /** The small-image models when the request qualifies, else the binary's own. */
  private async dataArgsFor(request: TsvRequest): Promise<string[]> {
    const small = this.options.smallImages;
    if (
      small !== undefined &&
      request.width * request.height <= small.maxPixels &&
      request.languages.every((code) => small.models.languages.includes(code))
    ) {
      return ["--tessdata-dir", await small.models.path()];
    }
    return CliTesseractBackend.dataArgs(this.options);
  }

  get concurrency(): number {
    return this.permits.limit;
  }

  languages(): string[] {
    return [...this.installed];
  }

  requireLanguages(languages: readonly string[]): void {
    LanguageCatalog.require(languages, this.installed, this.name);
  }

  async recognizeTsv(request: TsvRequest): Promise<string> {
    this.requireLanguages(request.languages);
    const vars = Object.entries(request.variables).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
    const args = [
      ...(await this.dataArgsFor(request)),
      "-l",
      request.languages.join("+"),
      "--psm",
      String(request.psm),
      ...vars,
    ];
    return this.permits.run(request.signal, () =>
      this.warm.read(args, request.png, request.dpi, {
        timeoutMs: PAGE_TIMEOUT_MS,
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    );
  }

  async detectOrientation(png: Buffer, dpi: number, signal?: AbortSignal): Promise<OrientationResult | undefined> {
    if (!this.hasOsd) return undefined;
    const args = [
      "stdin",
      "stdout",
      ...CliTesseractBackend.dataArgs(this.options),
      "--psm",
      "0",
      "--dpi",
      String(Math.round(dpi)),
    ];
    return this.permits.run(signal, async () => {
      try {
        const { stdout, stderr } = await runTesseract({
          binary: this.options.binary,
          args,
          stdin: png,
          ...(signal ? { signal } : {}),
        });
        return parseOsdOutput(`${stdout}\n${stderr}`);
      } catch (error) {
        if (isAbortError(error)) throw error;
        // "Too few characters. Skipping this page": unknown orientation, not a failure.
        this.options.log.debug({ engine: this.name, err: (error as Error).message }, "OSD failed");
        return undefined;
      }
    });
  }

  /** Whether this backend can do OSD itself (else the factory lends it the wasm OSD). */
  get supportsOsd(): boolean {
    return this.hasOsd;
  }

  async check(): Promise<EngineHealth> {
    try {
      const { stdout, stderr } = await runTesseract({
        binary: this.options.binary,
        args: ["--version"],
        timeoutMs: 10_000,
      });
      const version = `${stdout}${stderr}`.split(/\r?\n/)[0]?.trim() ?? "tesseract";
      if (this.installed.length === 0) return { ok: false, detail: `${version}: no language data` };
      const small = this.options.smallImages;
      const smallDetail =
        small === undefined
          ? ""
          : `; images up to ${small.maxPixels.toLocaleString("en")} px in ${small.models.languages.join(", ")} with the npm best_int models`;
      return { ok: true, detail: `${this.name} (${version}): ${this.installed.join(", ")}${smallDetail}` };
    } catch (error) {
      return { ok: false, detail: `${this.name}: ${error instanceof DocketError ? error.message : String(error)}` };
    }
  }

  /** The warm processes' pids (tests check that a cancelled page's process is gone). */
  warmProcessIds(): number[] {
    return this.warm.pids();
  }

  async close(): Promise<void> {
    await this.warm.close();
    await this.options.smallImages?.models.remove();
  }
}
