import type { Logger } from "../logger.js";
import { applyTransitions } from "./apply-transition.js";
import { backToPending, cancelJob, failJob } from "./job-transitions.js";
import { refOf, type JobState, type QueueKit } from "./queue-kit.js";

/**
 * Recovers jobs whose lease expired (their worker crashed, hung or lost the database).
 * Each recovery re-reads the job under its lock and matches the attempt and the expired
 * lease, so a worker that completes at the same moment wins or loses cleanly: never both.
 */
export async function rescueExpired(kit: QueueKit, limit = 100): Promise<number> {
  const expired = await kit.database.db
    .selectFrom("jobs")
    .select(["id", "attempt"])
    .where("status", "=", "processing")
    .where("lease_expires_at", "<", kit.clock())
    .orderBy("lease_expires_at")
    .limit(limit)
    .execute();
  let rescued = 0;
  let requeued = false;
  for (const candidate of expired) {
    const outcome = await kit.transaction(async (trx) => {
      const found = await kit.lockJob(trx, candidate.id);
      if (!found) return null;
      const { row, steps } = found;
      const at = kit.clock();
      if (row.status !== "processing" || row.attempt !== candidate.attempt || (row.lease_expires_at ?? Infinity) >= at)
        return null;
      const job: JobState = { ref: refOf(row), attempt: row.attempt, steps };
      const fenced = true;
      if (row.cancel_requested_at !== null) {
        await applyTransitions(trx, [cancelJob(job, at, { fenced })]);
        return "cancelled";
      }
      const runningSteps = steps.filter((s) => s.status === "in_progress").map((s) => s.name);
      const why = `worker ${row.lease_owner ?? "?"} stopped responding (lease expired) during attempt ${row.attempt} of ${row.max_attempts}`;
      const error = { code: "lease_expired", message: why };
      if (row.attempt >= row.max_attempts) {
        const message = `${why}; no attempts left`;
        const detail = { error };
        await applyTransitions(trx, [
          failJob(job, at, { fenced, error, failedSteps: runningSteps, message, jobErrorMessage: message, detail }),
        ]);
        return "failed";
      }
      const delay = kit.backoffDelay(row.attempt);
      const t = backToPending(job, at, {
        fenced,
        reset: runningSteps,
        stepMessage: why,
        message: `${why}; requeued`,
        detail: { error, retry_at: new Date(at + delay).toISOString() },
        jobSet: { error_code: error.code, error_message: why, run_at: at + delay },
      });
      await applyTransitions(trx, [t]);
      return "requeued";
    });
    if (outcome) rescued++;
    if (outcome === "requeued") requeued = true;
  }
  if (rescued > 0) kit.afterCommit({ jobs: requeued });
  return rescued;
}

/**
 * Recovers expired leases continuously (not only at start-up), on every node that runs
 * one: a crashed worker's job is back in the queue within about lease + interval.
 */
export class Rescuer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly kit: QueueKit,
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
        rescued = await rescueExpired(this.kit);
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
