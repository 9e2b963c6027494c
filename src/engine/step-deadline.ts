import { DocketError } from "../errors.js";
import { describeLimit, stepLimitMs, type TimeLimits } from "./time-limits.js";

/** A step ran past its time limit: a transient failure (retried with back-off while attempts remain). */
export class StepTimeoutError extends DocketError {
  constructor(step: string, limit: string) {
    super("timeout", `step ${step} took longer than its time limit of ${limit}`, { permanent: false });
  }
}

/** The step's own abort reason when its limit passes (the job's signal has its own reasons). */
class StepLimitReached extends Error {
  constructor() {
    super("step time limit reached");
    this.name = "AbortError";
  }
}

/**
 * One step's time limit. `signal` is what the step sees: it fires when the job stops
 * (cancel, shutdown, lease lost, the job's limit) or when the step's own limit passes, so
 * whatever honours it (an OCR worker thread, a tesseract process) is ended either way.
 */
export class StepDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private units: number | undefined;
  private expired: (() => void) | undefined;
  /** Resolves when the limit passes (never, if it does not). */
  readonly reached: Promise<void>;

  constructor(
    private readonly limits: TimeLimits,
    private readonly step: string,
    private readonly jobSignal: AbortSignal,
  ) {
    this.signal = AbortSignal.any([jobSignal, this.controller.signal]);
    this.reached = new Promise((resolve) => (this.expired = resolve));
    this.arm();
  }

  get timedOut(): boolean {
    return this.controller.signal.aborted;
  }

  /** The step reported `total` units of work: a per-unit limit grows (or shrinks) to match. */
  onUnits(total: number): void {
    if (this.timedOut || total === this.units) return;
    this.units = total;
    this.arm();
  }

  error(): StepTimeoutError {
    return new StepTimeoutError(this.step, describeLimit(this.limits, this.step, this.units));
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    const left = this.started + stepLimitMs(this.limits, this.step, this.units) - Date.now();
    this.timer = setTimeout(
      () => {
        this.controller.abort(new StepLimitReached());
        this.expired?.();
      },
      Math.max(0, left),
    );
    this.timer.unref();
  }

  /**
   * Runs the step's work under this limit. The job stopping rejects at once with the job's
   * reason (cancel must be prompt). The limit passing aborts the work, then waits at most
   * `graceMs` for it to stop, and rejects with a StepTimeoutError either way: a step that
   * ignores its signal cannot hold the job, and its slot, past the limit plus the grace.
   */
  run<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    const { jobSignal } = this;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        jobSignal.removeEventListener("abort", onJobStop);
        fn();
      };
      const onJobStop = () => finish(() => reject(jobSignal.reason as Error));
      if (jobSignal.aborted) return onJobStop();
      jobSignal.addEventListener("abort", onJobStop, { once: true });
      work.then(
        (value) => finish(() => (this.timedOut ? reject(this.error()) : resolve(value))),
        (error: unknown) => finish(() => reject(this.timedOut ? this.error() : (error as Error))),
      );
      void this.reached.then(() => {
        const grace = setTimeout(() => finish(() => reject(this.error())), this.limits.graceMs);
        grace.unref();
        void work.then(
          () => clearTimeout(grace),
          () => clearTimeout(grace),
        );
      });
    });
  }
}
