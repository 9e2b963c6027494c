import type { ClaimedJob, JobQueue } from "./job-queue.js";

/**
 * Coalesces a step's progress reports: at most one write per interval, always the latest
 * value, and never two writes in flight for the same step.
 */
export class ProgressWriter {
  private latest: { done: number; total: number; message: string | null } | null = null;
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  private closed = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly job: ClaimedJob,
    private readonly step: string,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  update(done: number, total: number, message: string | null): void {
    if (this.closed) return;
    this.latest = { done, total, message };
    if (this.timer || this.inflight) return;
    const wait = Math.max(0, this.intervalMs - (Date.now() - this.lastWrite));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, wait);
  }

  private async write(): Promise<void> {
    const value = this.latest;
    if (!value || this.closed) return;
    this.latest = null;
    this.lastWrite = Date.now();
    this.inflight = this.queue
      .reportProgress(this.job, this.step, value.done, value.total, value.message)
      .catch(this.onError)
      .finally(() => {
        this.inflight = null;
        if (this.latest && !this.closed) this.update(this.latest.done, this.latest.total, this.latest.message);
      });
    await this.inflight;
  }

  /** Writes the last reported value (so the step row shows it) before the step finishes. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inflight) await this.inflight;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.latest) await this.write();
    this.closed = true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
