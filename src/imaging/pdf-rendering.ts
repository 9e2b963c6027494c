/**
 * The main-thread API for rendering PDF pages to images. Each open document gets its own
 * worker thread (pdf-render.worker.ts) so pdfjs never blocks the event loop; pages render one
 * at a time, which bounds memory to one page. Cancelling terminates the worker, which stops
 * even a page pdfjs is in the middle of within milliseconds; the handle is then closed. A
 * thread whose document closed normally is kept for the next document (IdleRenderWorkers).
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { DocketError } from "../errors.js";
import type { PdfRendererOptions, RenderColour, RenderedPage } from "./pdf-page-renderer.js";
import { deserializeError, type RenderWorkerRequest, type RenderWorkerResponse } from "./pdf-render-protocol.js";
import type { RasterImage } from "./raster.js";
import { siblingWorkerUrl, startWorker } from "./worker-entry.js";

export interface OpenPdfOptions extends PdfRendererOptions {
  /** Aborting closes the document and rejects every pending and later call with `cancelled`. */
  signal?: AbortSignal;
}

export interface RenderPageOptions {
  dpi: number;
  signal?: AbortSignal;
  /** Grey (default; what OCR reads) or RGB. */
  colour?: RenderColour;
}

/** One rendered page: the raster plus what the renderer decided. */
export interface PdfPageImage extends RasterImage {
  /** The DPI asked for; `dpi` is lower when the page hit the pixel cap. */
  requestedDpi: number;
  /** The page's /Rotate, already applied to the image. */
  pdfRotate: number;
}

/** An open PDF. Call close() when done (also after an error) to end its worker. */
export interface PdfRenderHandle {
  readonly numPages: number;
  /** Render 1-based page `n`; calls are queued and run one at a time. */
  renderPage(n: number, options: RenderPageOptions): Promise<PdfPageImage>;
  close(): Promise<void>;
}

/** A request before the handle numbers it (Omit distributed over the union). */
type UnnumberedRequest = RenderWorkerRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;

function cancelled(): DocketError {
  return new DocketError("cancelled", "rendering cancelled");
}

class WorkerRenderHandle implements PdfRenderHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  /** Serialises requests: the worker renders one page at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private dead: DocketError | undefined;
  numPages = 0;

  private readonly onMessage = (response: RenderWorkerResponse): void => {
    const waiter = this.pending.get(response.id);
    if (waiter === undefined) return;
    this.pending.delete(response.id);
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(deserializeError(response.error));
  };
  private readonly onError = (error: Error): void =>
    this.fail(
      new DocketError("internal_error", `render worker crashed: ${error.message}`, { cause: error, permanent: false }),
    );
  private readonly onExit = (code: number): void =>
    this.fail(new DocketError("internal_error", `render worker exited (code ${code})`, { permanent: false }));

  constructor(private readonly worker: Worker) {
    worker.ref();
    worker.on("message", this.onMessage);
    worker.on("error", this.onError);
    worker.on("exit", this.onExit);
  }

  /** Mark the handle unusable and reject everything in flight. */
  private fail(error: DocketError): void {
    this.dead ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.dead);
    this.pending.clear();
  }

  /** Send one request after the previous ones finished; abort terminates the worker. */
  call<T>(message: UnnumberedRequest, signal?: AbortSignal): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.dead !== undefined) throw this.dead;
      if (signal?.aborted === true) throw cancelled();
      const id = this.nextId++;
      const result = new Promise<T>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      });
      const onAbort = (): void => {
        this.fail(cancelled());
        void this.worker.terminate();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        this.worker.postMessage({ ...message, id } as RenderWorkerRequest);
        return await result;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async renderPage(n: number, options: RenderPageOptions): Promise<PdfPageImage> {
    const page = await this.call<RenderedPage>(
      { type: "render", request: { page: n, dpi: options.dpi, colour: options.colour ?? "grey" } },
      options.signal,
    );
    // Buffers arrive as plain Uint8Arrays after crossing the thread boundary.
    const png = Buffer.from(page.png.buffer, page.png.byteOffset, page.png.byteLength);
    return {
      png,
      width: page.width,
      height: page.height,
      dpi: page.dpi,
      requestedDpi: page.requestedDpi,
      pdfRotate: page.pdfRotate,
    };
  }

  async close(): Promise<void> {
    if (this.dead !== undefined) {
      await this.worker.terminate();
      return;
    }
    const closed = await this.call({ type: "close" }).then(
      () => true,
      () => false,
    );
    // Checked again: an abort may have landed while the close was in flight.
    const reusable = closed && this.dead === undefined;
    this.fail(new DocketError("internal_error", "document closed", { permanent: false }));
    this.worker.off("message", this.onMessage).off("error", this.onError).off("exit", this.onExit);
    if (reusable) idleWorkers.release(this.worker);
    else await this.worker.terminate();
  }
}

/**
 * Render threads kept after their document closed, for the next document: starting a thread
 * and loading pdf.js into it costs far more than rendering a small page or a region (it
 * dominated jobs that only render a logo-sized picture). Only a thread whose document closed
 * normally comes back; a cancelled or crashed one is terminated. Idle threads do not keep the
 * process alive and stop after a minute.
 */
class IdleRenderWorkers {
  private readonly idle: { worker: Worker; timer: NodeJS.Timeout; onExit: () => void }[] = [];

  constructor(
    private readonly max = Math.max(1, availableParallelism()),
    private readonly idleMs = 60_000,
  ) {}

  take(): Worker | undefined {
    const entry = this.idle.pop();
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    entry.worker.off("exit", entry.onExit);
    return entry.worker;
  }

  release(worker: Worker): void {
    if (this.idle.length >= this.max) {
      void worker.terminate();
      return;
    }
    worker.unref();
    const remove = (): boolean => {
      const at = this.idle.indexOf(entry);
      if (at >= 0) this.idle.splice(at, 1);
      clearTimeout(entry.timer);
      return at >= 0;
    };
    const entry = {
      worker,
      timer: setTimeout(() => {
        if (remove()) void worker.terminate();
      }, this.idleMs),
      // A thread that dies while idle is dropped from the list.
      onExit: () => void remove(),
    };
    entry.timer.unref();
    worker.once("exit", entry.onExit);
    this.idle.push(entry);
  }
}

const idleWorkers = new IdleRenderWorkers();

/**
 * Open a PDF for rendering in a worker thread. Throws `encrypted_pdf` or `corrupt_file`
 * (permanent) for unreadable documents, `cancelled` when the signal fires.
 */
export async function openPdfForRendering(bytes: Uint8Array, options: OpenPdfOptions = {}): Promise<PdfRenderHandle> {
  const { signal, ...rendererOptions } = options;
  if (signal?.aborted === true) throw cancelled();
  const worker = idleWorkers.take() ?? startWorker(siblingWorkerUrl(import.meta.url, "pdf-render.worker"));
  const handle = new WorkerRenderHandle(worker);
  try {
    // Copy so the caller's buffer is neither detached nor shared with the worker.
    const data = new Uint8Array(bytes);
    const opened = await handle.call<{ numPages: number }>({ type: "open", data, options: rendererOptions }, signal);
    handle.numPages = opened.numPages;
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (signal !== undefined) {
    signal.addEventListener("abort", () => void handle.close(), { once: true });
  }
  return handle;
}
