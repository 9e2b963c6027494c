import type { Logger } from "../logger.js";
import type { JobQueue } from "./job-queue.js";

/**
 * Recovers expired leases continuously (not only at start-up), on every node that runs
 * one: a crashed worker's job is back in the queue within about lease + interval.
 */
export class Rescuer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly log: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async tick(): Promise<number> {
    if (this.running) return 0;
    let rescued = 0;
    this.running = (async () => {
      try {
        rescued = await this.queue.rescueExpired();
        if (rescued > 0) this.log.warn({ rescued }, "recovered jobs whose worker stopped responding");
      } catch (error) {
        this.log.error({ err: error }, "lease recovery failed; will try again");
      }
    })();
    await this.running;
    this.running = null;
    return rescued;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
