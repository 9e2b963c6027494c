/**
 * A fixed-size pool of tesseract.js workers (each one a worker thread running Tesseract in
 * wasm), keyed by what a worker was initialised with (e.g. "eng+pol"): Tesseract loads its
 * language models at initialisation, so a worker serves one language set. An idle worker of
 * another set is replaced when the pool is full.
 *
 * Cancellation: Tesseract cannot be interrupted mid-page, so an aborted call terminates its
 * worker thread (immediately, whatever it is doing) and drops it from the pool; the next call
 * starts a fresh one. This is what makes cancel take effect in milliseconds, not when the page
 * is done, and the pool stays usable afterwards.
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import type Tesseract from "tesseract.js";
import { DocketError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { abortPromise, cancelledError, throwIfAborted } from "../abort.js";

export type WorkerFactory = (key: string) => Promise<Tesseract.Worker>;

interface Slot {
  id: number;
  key: string;
  busy: boolean;
  /** Resolves when the worker is initialised. */
  ready: Promise<Tesseract.Worker>;
  /** Rejects when the worker thread crashes or exits; races every call. */
  died: Promise<never>;
  markDead: (error: Error) => void;
  dead: boolean;
  /** Ends the worker after it has been idle for `idleTimeoutMs` (cleared when it is taken). */
  idleTimer: NodeJS.Timeout | undefined;
}

interface Waiter {
  key: string;
  resolve: (slot: Slot) => void;
  reject: (error: unknown) => void;
}

export interface WorkerPoolOptions {
  size: number;
  create: WorkerFactory;
  log: Logger;
  /** Name in logs ("recognize", "osd"). */
  name: string;
  /** Give up initialising a worker after this long (tesseract.js never settles on some init failures). */
  initTimeoutMs?: number;
  /**
   * End a worker that has been idle this long (default: never). A warm worker holds its
   * language models (tens of MB per thread); a pool used only now and then gives them back.
   */
  idleTimeoutMs?: number;
}

export class TesseractWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiters: Waiter[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!(options.size >= 1)) throw new RangeError("pool size must be at least 1");
  }

  get size(): number {
    return this.options.size;
  }

  /** Workers alive now (busy or idle); for tests and metrics. */
  get liveWorkers(): number {
    return this.slots.length;
  }

  /**
   * Run `task` on a worker initialised for `key`. Aborting while waiting leaves the queue;
   * aborting while running terminates the worker. Rejects with `cancelled` in both cases.
   */
  async run<T>(
    key: string,
    signal: AbortSignal | undefined,
    task: (worker: Tesseract.Worker) => Promise<T>,
  ): Promise<T> {
    throwIfAborted(signal);
    const slot = await this.acquire(key, signal);
    const abort = abortPromise(signal);
    try {
      const worker = await Promise.race([slot.ready, slot.died, abort.promise]);
      const result = await Promise.race([task(worker), slot.died, abort.promise]);
      this.release(slot);
      return result;
    } catch (error) {
      if (signal?.aborted === true || slot.dead) {
        // The thread may be mid-page: the only way to stop it is to end it.
        this.discard(slot, signal?.aborted === true ? "cancelled" : "died");
        throw signal?.aborted === true ? cancelledError() : error;
      }
      // Tesseract reported an error for this input; the worker itself is fine.
      this.release(slot);
      throw error;
    } finally {
      abort.dispose();
    }
  }

  private acquire(key: string, signal: AbortSignal | undefined): Promise<Slot> {
    if (this.closed)
      return Promise.reject(new DocketError("internal_error", "OCR engine closed", { permanent: false }));
    const slot = this.tryAcquire(key);
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { key, resolve, reject };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelledError());
      };
      waiter.resolve = (s) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(s);
      };
      waiter.reject = (e) => {
        signal?.removeEventListener("abort", onAbort);
        reject(e);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** An idle worker for `key`, a new one if there is room, or a replaced idle one of another key. */
  private tryAcquire(key: string): Slot | undefined {
    const same = this.slots.find((s) => !s.busy && !s.dead && s.key === key);
    if (same !== undefined) {
      clearTimeout(same.idleTimer);
      same.busy = true;
      return same;
    }
    if (this.slots.length >= this.options.size) {
      const other = this.slots.find((s) => !s.busy && !s.dead);
      if (other === undefined) return undefined;
      this.discard(other, "replaced", false);
    }
    const slot = this.spawn(key);
    slot.busy = true;
    return slot;
  }

  private spawn(key: string): Slot {
    const id = this.nextId++;
    let markDead: (error: Error) => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      markDead = reject;
    });
    died.catch(() => undefined);
    const slot: Slot = {
      id,
      key,
      busy: false,
      ready: Promise.resolve(undefined as never),
      died,
      dead: false,
      markDead: () => undefined,
      idleTimer: undefined,
    };
    slot.markDead = (error) => {
      if (slot.dead) return;
      slot.dead = true;
      markDead(error);
    };
    const timeoutMs = this.options.initTimeoutMs ?? 120_000;
    const started = Date.now();
    slot.ready = new Promise<Tesseract.Worker>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new DocketError("ocr_failed", `OCR worker for ${key} did not start within ${timeoutMs} ms`, {
            permanent: false,
          }),
        );
      }, timeoutMs);
      timer.unref();
      this.options.create(key).then(
        (worker) => {
          clearTimeout(timer);
          this.watch(slot, worker);
          this.options.log.debug(
            { pool: this.options.name, key, workerId: id, ms: Date.now() - started },
            "OCR worker ready",
          );
          resolve(worker);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    slot.ready.catch((error: unknown) => {
      slot.markDead(error instanceof Error ? error : new Error(String(error)));
      this.remove(slot);
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  /** Mark the slot dead if its thread crashes or exits (tesseract.js would leave calls hanging). */
  private watch(slot: Slot, worker: Tesseract.Worker): void {
    const thread = (worker as unknown as { worker?: NodeWorker }).worker;
    if (thread === undefined || typeof thread.on !== "function") return;
    thread.on("error", (error: Error) => {
      this.options.log.warn({ pool: this.options.name, workerId: slot.id, err: error }, "OCR worker crashed");
      slot.markDead(
        new DocketError("ocr_failed", `OCR worker crashed: ${error.message}`, { cause: error, permanent: false }),
      );
      this.remove(slot);
      this.pump();
    });
    thread.on("exit", () => {
      slot.markDead(new DocketError("ocr_failed", "OCR worker exited", { permanent: false }));
      this.remove(slot);
      this.pump();
    });
  }

  private release(slot: Slot): void {
    slot.busy = false;
    this.pump();
    if (!slot.busy && !slot.dead) this.armIdleTimer(slot);
  }

  private armIdleTimer(slot: Slot): void {
    const ms = this.options.idleTimeoutMs;
    if (ms === undefined) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (!slot.busy && !slot.dead) this.discard(slot, "idle", false);
    }, ms);
    slot.idleTimer.unref();
  }

  /** End a slot's worker thread and forget it; waiters may then get a fresh worker. */
  private discard(slot: Slot, reason: string, pump = true): void {
    slot.markDead(new DocketError("ocr_failed", `OCR worker ${reason}`, { permanent: false }));
    this.remove(slot);
    this.options.log.debug({ pool: this.options.name, workerId: slot.id, reason }, "OCR worker discarded");
    slot.ready.then(
      (worker) => worker.terminate(),
      () => undefined,
    );
    if (pump) this.pump();
  }

  private remove(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /** Hand free capacity to waiters, oldest first. Never called from inside tryAcquire. */
  private pump(): void {
    if (this.closed) return;
    for (let i = 0; i < this.waiters.length;) {
      const waiter = this.waiters[i]!;
      const slot = this.tryAcquire(waiter.key);
      if (slot === undefined) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.resolve(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new DocketError("internal_error", "OCR engine closed", { permanent: false }));
    }
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        slot.markDead(new DocketError("internal_error", "OCR engine closed", { permanent: false }));
        const worker = await slot.ready.catch(() => undefined);
        await worker?.terminate();
      }),
    );
  }
}
