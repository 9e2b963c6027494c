import type { Logger } from "../logger.js";
import { applyTransitions } from "./apply-transition.js";
import { backToPending, cancelJob, failJob } from "./job-transitions.js";
import { jobEvent, refOf, type JobState, type QueueKit } from "./queue-kit.js";
import type { Transition } from "./transition.js";

/** Longer than any lease (DOCKET_LEASE_S is at most an hour): bounds the lease index scan. */
const MAX_LEASE_MS = 3_600_000;

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
      // Runnable at once, no back-off: the job waited out the lease already, and a job that
      // keeps killing its workers is still bounded by its attempts.
      const t = backToPending(job, at, {
        fenced,
        reset: runningSteps,
        stepMessage: why,
        message: `${why}; requeued`,
        detail: { error, retry_at: new Date(at).toISOString() },
        jobSet: { error_code: error.code, error_message: why, run_at: at },
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
 * Appends a "worker stopped responding" event to each processing job whose worker has
 * been silent for more than half its lease (domain/worker-health.ts), once per silence.
 * The status derives the message at read time; this event is what moves the job's version,
 * so long-polls and SSE clients (which wait for a new version) learn it too, and the
 * history says when it happened. Returns how many jobs were flagged.
 */
export async function flagUnresponsive(kit: QueueKit, limit = 100): Promise<number> {
  const now = kit.clock();
  const silent = await kit.database.db
    .selectFrom("jobs")
    .select(["id", "attempt"])
    .where("status", "=", "processing")
    .where("lease_expires_at", "<", now + MAX_LEASE_MS)
    .where((eb) => eb(eb("lease_expires_at", "+", eb.ref("updated_at")), "<", 2 * now))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("job_events")
            .select("job_events.id")
            .whereRef("job_events.job_id", "=", "jobs.id")
            .where("job_events.status", "=", "unresponsive")
            .whereRef("job_events.created_at", ">=", "jobs.updated_at"),
        ),
      ),
    )
    .limit(limit)
    .execute();
  let flagged = 0;
  for (const candidate of silent) {
    const done = await kit.transaction(async (trx) => {
      const found = await kit.lockJob(trx, candidate.id);
      if (!found) return false;
      const { row } = found;
      const at = kit.clock();
      const expires = Number(row.lease_expires_at ?? 0);
      const seen = Number(row.updated_at);
      if (row.status !== "processing" || row.attempt !== candidate.attempt || 2 * at <= seen + expires) return false;
      // Another node's rescuer may have flagged it since the candidate was read: once per silence.
      const already = await trx
        .selectFrom("job_events")
        .select("id")
        .where("job_id", "=", row.id)
        .where("status", "=", "unresponsive")
        .where("created_at", ">=", seen)
        .executeTakeFirst();
      if (already) return false;
      const silence = Math.round((at - seen) / 1000);
      const left = Math.max(0, Math.ceil((expires - at) / 1000));
      // No job column changes: `updated_at` stays the worker's last sign of life.
      const t: Transition = {
        job: refOf(row),
        expectStatus: "processing",
        expectAttempt: row.attempt,
        jobSet: {},
        events: [
          jobEvent(refOf(row), row.attempt, at, {
            status: "unresponsive",
            message: `Worker ${row.lease_owner ?? "?"} stopped responding (no heartbeat for ${silence} s); recovery pending: another worker takes the job over when its lease expires in ${left} s`,
            detail: {
              worker: row.lease_owner,
              last_seen_at: new Date(seen).toISOString(),
              lease_expires_at: new Date(expires).toISOString(),
            },
          }),
        ],
      };
      await applyTransitions(trx, [t]);
      return true;
    });
    if (done) flagged++;
  }
  if (flagged > 0) kit.afterCommit();
  return flagged;
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
    private readonly intervalMs = 1_000,
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
        const flagged = await flagUnresponsive(this.kit);
        if (flagged > 0) this.log.warn({ flagged }, "workers stopped responding: their jobs wait for their leases");
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
