import type { Worker } from "node:worker_threads";
import { DocketError, type ErrorCode } from "../errors.js";
import { siblingModule, startModuleWorker } from "./module-worker.js";
import type { BBox } from "../domain/document-model.js";
import type { RenderedRegionPixels } from "./pdfium/pdfium-text-layer.js";
import type { TextLayerOptions, TextLayerPage } from "./text-layer.js";

/** A part of a page to render: `clip` in points on the page as displayed (top-left origin). */
export interface RegionRequest {
  page: number;
  clip: BBox;
}

export interface RenderRegionsOptions {
  dpi: number;
  signal?: AbortSignal | undefined;
}

/** Messages between TextLayerWorker and its thread (structured-clone-able). */
export type TextLayerRequest =
  | { id: number; kind: "text"; bytes: Uint8Array; options: Pick<TextLayerOptions, "dpi" | "pages" | "contentStats"> }
  | { id: number; kind: "regions"; bytes: Uint8Array; regions: RegionRequest[]; dpi: number };

export type TextLayerResponse =
  | { id: number; type: "progress"; done: number; total: number }
  | { id: number; type: "done"; result: TextLayerPage[] | RenderedRegionPixels[] }
  | {
      id: number;
      type: "error";
      error: { code: ErrorCode | null; message: string; details: Record<string, unknown> | null };
      /** The thread's PDFium can no longer be trusted (see `leavesPdfiumUnusable`): replace the thread. */
      fatal?: boolean;
    };

/**
 * A WebAssembly trap (out-of-bounds access, `unreachable`, a failed allocation) stops PDFium
 * mid-call: its stack pointer and heap may be left inconsistent, and every later call on that
 * instance could fail or misread. Such an error fails its request like any other, and the
 * thread, with its PDFium, is replaced before the next one.
 */
export function leavesPdfiumUnusable(error: unknown): boolean {
  return error instanceof WasmRuntimeError;
}

/** WebAssembly.RuntimeError, what a trap throws (the project's TypeScript libs do not describe the WebAssembly global). */
export const WasmRuntimeError = (
  globalThis as unknown as { WebAssembly: { RuntimeError: new (message?: string) => Error } }
).WebAssembly.RuntimeError;

/** The thread's answer to a request that threw: a DocketError keeps its code; a trap also says the thread must go. */
export function errorResponse(id: number, error: unknown): TextLayerResponse {
  return {
    id,
    type: "error",
    error:
      error instanceof DocketError
        ? { code: error.code, message: error.message, details: error.details ?? null }
        : { code: null, message: error instanceof Error ? error.message : String(error), details: null },
    ...(leavesPdfiumUnusable(error) ? { fatal: true } : {}),
  };
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  onProgress: TextLayerOptions["onProgress"];
}

export interface TextLayerWorkerOptions {
  /** Stop the thread after this long without work (it holds PDFium's wasm memory, which grows with the largest file read and never shrinks). Default 60 s. */
  idleTimeoutMs?: number;
  /** The module the thread runs (tests replace it to make the thread fail on purpose). Default text-layer-worker-entry. */
  entry?: URL;
}

/**
 * `extractTextLayer` (and the rendering of image regions on text-layer pages, also PDFium's)
 * in a worker thread, so the main thread keeps heart-beating the queue:
 * PDFium's calls are synchronous, and one large page can hold its thread for a while.
 * Cancelling terminates the thread at once (mid-page), and the next call starts a new one.
 * One extraction at a time per instance (calls queue up); create one per process in the
 * composition root and `close()` it on shutdown.
 */
export class TextLayerWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chain: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleTimeoutMs: number;
  private readonly entry: URL;
  private accepted = 0;

  constructor(options: TextLayerWorkerOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.entry = options.entry ?? siblingModule(import.meta.url, "text-layer-worker-entry");
  }

  /** Calls accepted and not yet settled (running or queued): what a pool balances on. */
  get load(): number {
    return this.accepted;
  }

  /** Whether the thread is up (PDFium loaded): an idle started thread is the cheapest pick. */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Same contract as `extractTextLayer`. */
  extract(bytes: Uint8Array, options: TextLayerOptions = {}): Promise<TextLayerPage[]> {
    const request = (id: number, copy: Uint8Array): TextLayerRequest => ({
      id,
      kind: "text",
      bytes: copy,
      options: {
        ...(options.dpi === undefined ? {} : { dpi: options.dpi }),
        ...(options.pages === undefined ? {} : { pages: [...options.pages] }),
        ...(options.contentStats === undefined ? {} : { contentStats: options.contentStats }),
      },
    });
    return this.enqueue<TextLayerPage[]>(bytes, request, options.signal, options.onProgress);
  }

  /** Render parts of pages (PdfiumDocument.renderRegion), in order. */
  renderRegions(
    bytes: Uint8Array,
    regions: readonly RegionRequest[],
    options: RenderRegionsOptions,
  ): Promise<RenderedRegionPixels[]> {
    const request = (id: number, copy: Uint8Array): TextLayerRequest => ({
      id,
      kind: "regions",
      bytes: copy,
      regions: [...regions],
      dpi: options.dpi,
    });
    return this.enqueue<RenderedRegionPixels[]>(bytes, request, options.signal, undefined);
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new DocketError("cancelled", "text-layer worker closed"));
    if (worker) await worker.terminate();
  }

  private enqueue<T>(
    bytes: Uint8Array,
    request: (id: number, copy: Uint8Array) => TextLayerRequest,
    signal: AbortSignal | undefined,
    onProgress: TextLayerOptions["onProgress"],
  ): Promise<T> {
    this.accepted++;
    const run = this.chain.then(() => this.run<T>(bytes, request, signal, onProgress)).finally(() => this.accepted--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private run<T>(
    bytes: Uint8Array,
    request: (id: number, copy: Uint8Array) => TextLayerRequest,
    signal: AbortSignal | undefined,
    onProgress: TextLayerOptions["onProgress"],
  ): Promise<T> {
    signal?.throwIfAborted();
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    worker.ref(); // keep the process alive while a result is owed
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        // The only way to stop PDFium mid-page: drop the thread.
        this.pending.delete(id);
        reject(signal?.reason);
        void this.restart();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle =
        <V>(fn: (value: V) => void) =>
        (value: V) => {
          signal?.removeEventListener("abort", onAbort);
          this.scheduleIdleStop();
          fn(value);
        };
      this.pending.set(id, {
        resolve: settle((value: unknown) => resolve(value as T)),
        reject: settle(reject),
        onProgress,
      });
      const copy = new Uint8Array(bytes); // transferred below; the caller keeps its buffer
      worker.postMessage(request(id, copy), [copy.buffer]);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(this.entry, "docket-text-layer");
    worker.on("message", (message: TextLayerResponse) => this.onMessage(message));
    // A thread we detached on purpose (cancel, idle, close) may exit later: only the current
    // thread's death fails the requests in flight.
    worker.on("error", (error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(
        new DocketError("internal_error", `text-layer worker failed: ${error.message}`, {
          cause: error,
          permanent: false,
        }),
      );
    });
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(
        new DocketError("internal_error", `text-layer worker exited with code ${code}`, { permanent: false }),
      );
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: TextLayerResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // cancelled meanwhile
    switch (message.type) {
      case "progress":
        pending.onProgress?.(message.done, message.total);
        return;
      case "done":
        this.pending.delete(message.id);
        pending.resolve(message.result);
        return;
      case "error": {
        this.pending.delete(message.id);
        // Before the rejection lets the next queued call start: that call gets a new thread.
        if (message.fatal) void this.restart();
        const { code, message: text, details } = message.error;
        pending.reject(
          code
            ? new DocketError(code, text, details ? { details } : {})
            : new DocketError("internal_error", text, { permanent: false }),
        );
        return;
      }
    }
  }

  private async restart(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private failAll(error: DocketError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0) return;
    this.worker?.unref();
    this.idleTimer = setTimeout(() => void this.restart(), this.idleTimeoutMs);
    this.idleTimer.unref();
  }
}
