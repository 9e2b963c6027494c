import type { RenderedRegionPixels } from "./pdfium/pdfium-text-layer.js";
import type { TextLayerOptions, TextLayerPage } from "./text-layer.js";
import {
  TextLayerWorker,
  type RegionRequest,
  type RenderRegionsOptions,
  type TextLayerWorkerOptions,
} from "./text-layer-worker.js";

/** What check_text and render_pages need: text layers read, and regions drawn, off the main thread. */
export interface TextLayerExtractor {
  extract(bytes: Uint8Array, options?: TextLayerOptions): Promise<TextLayerPage[]>;
  /** Render parts of pages with the same engine (the pictures on text-layer pages that are OCRed). */
  renderRegions(
    bytes: Uint8Array,
    regions: readonly RegionRequest[],
    options: RenderRegionsOptions,
  ): Promise<RenderedRegionPixels[]>;
  close(): Promise<void>;
}

/**
 * Up to `size` text-layer threads, so concurrent jobs read their PDFs in parallel instead of
 * queueing behind one thread (measured: with two job slots, check_text spent about half its
 * time waiting for the single thread). Threads start on demand and stop when idle, so a
 * process that sees one PDF at a time keeps one thread (PDFium's wasm memory).
 *
 * A call goes to an idle thread that is already up, else starts a new thread while under
 * `size`, else queues on the least loaded one.
 */
export class TextLayerPool implements TextLayerExtractor {
  private readonly workers: TextLayerWorker[];

  constructor(
    readonly size: number,
    options: TextLayerWorkerOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`text-layer pool size must be a positive integer, got ${size}`);
    this.workers = Array.from({ length: size }, () => new TextLayerWorker(options));
  }

  extract(bytes: Uint8Array, options: TextLayerOptions = {}): Promise<TextLayerPage[]> {
    return this.pick().extract(bytes, options);
  }

  renderRegions(
    bytes: Uint8Array,
    regions: readonly RegionRequest[],
    options: RenderRegionsOptions,
  ): Promise<RenderedRegionPixels[]> {
    return this.pick().renderRegions(bytes, regions, options);
  }

  /** Threads currently running (for tests and metrics). */
  get startedThreads(): number {
    return this.workers.filter((w) => w.started).length;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private pick(): TextLayerWorker {
    const idle = this.workers.filter((w) => w.load === 0);
    const warm = idle.find((w) => w.started);
    if (warm) return warm;
    if (idle.length > 0) return idle[0]!;
    return this.workers.reduce((least, w) => (w.load < least.load ? w : least));
  }
}
