/**
 * The default engine where the tesseract binary is installed (DOCKET_OCR_ENGINE=auto): the
 * native CLI for pages, warm tesseract.js threads for small images.
 *
 * Why: every CLI recognition is a new process that loads its model first, about 0.2 s of CPU
 * before it reads a pixel. For a page that is a few percent of the work; for the logos,
 * stamps and pasted pictures on text-layer pages (read as image regions) it is most of it.
 * Measured on the 8 pictures of the shared invoices: 2.2 s as 8 CLI runs, 0.8 s on a warm
 * tesseract.js thread; at 0.75 megapixels the two are about even (0.39 s against 0.46 s), and
 * on full pages the native binary is the faster. So images up to `maxWarmPixels` go to the warm
 * threads, the rest to the CLI.
 *
 * Both share one permit count (the CLI's process limit), so the two never run more
 * recognitions at once than there are cores. Orientation detection stays with the CLI (its
 * own OSD data, or the borrowed wasm OSD the factory set up). The warm threads end after a
 * minute without work, so a server that sees no small image holds no extra memory.
 */
import type { EngineHealth, OrientationResult } from "./ocr-engine.js";
import { Semaphore } from "./semaphore.js";
import type { TesseractBackend, TsvRequest } from "./tesseract-backend.js";

export interface SmallImageRouterOptions {
  /** Pages and large images (the tesseract CLI). */
  primary: TesseractBackend;
  /** Small images (tesseract.js threads, kept warm while used). */
  warm: TesseractBackend;
  /** Images of at most this many pixels go to `warm`. */
  maxWarmPixels: number;
}

/** Below about a megapixel, starting a CLI process costs more than the recognition itself. */
export const DEFAULT_MAX_WARM_PIXELS = 1_000_000;

export class SmallImageRouter implements TesseractBackend {
  readonly name: string;
  private readonly permits: Semaphore;

  constructor(private readonly options: SmallImageRouterOptions) {
    this.name = `${options.primary.name}+wasm`;
    this.permits = new Semaphore(options.primary.concurrency);
  }

  get concurrency(): number {
    return this.permits.limit;
  }

  /** The CLI's languages: a job must not be accepted that only small images could serve. */
  languages(): string[] {
    return this.options.primary.languages();
  }

  requireLanguages(languages: readonly string[]): void {
    this.options.primary.requireLanguages(languages);
  }

  /** Which backend reads this image (exposed for tests and logs). */
  backendFor(request: Pick<TsvRequest, "width" | "height" | "languages">): TesseractBackend {
    const { warm, primary, maxWarmPixels } = this.options;
    if (request.width * request.height > maxWarmPixels) return primary;
    const warmLanguages = warm.languages();
    return request.languages.every((code) => warmLanguages.includes(code)) ? warm : primary;
  }

  recognizeTsv(request: TsvRequest): Promise<string> {
    this.requireLanguages(request.languages);
    const backend = this.backendFor(request);
    return this.permits.run(request.signal, () => backend.recognizeTsv(request));
  }

  detectOrientation(png: Buffer, dpi: number, signal?: AbortSignal): Promise<OrientationResult | undefined> {
    return this.permits.run(signal, () => this.options.primary.detectOrientation(png, dpi, signal));
  }

  async check(): Promise<EngineHealth> {
    const health = await this.options.primary.check();
    return health.ok
      ? {
          ok: true,
          detail: `${health.detail}; images up to ${this.options.maxWarmPixels.toLocaleString("en")} px on warm ${this.options.warm.name} threads`,
        }
      : health;
  }

  async close(): Promise<void> {
    await Promise.all([this.options.primary.close(), this.options.warm.close()]);
  }
}
