import type { ErrorInfo } from "../domain/types.js";
import type { ClaimedJob } from "./claim.js";
import type { ExtraWrites } from "./group-commit.js";
import { newId } from "./ids.js";
import { backToPending, cancelJob, endJob, failJob, isFinished, stepEvents } from "./job-transitions.js";
import type { ArtifactRecord } from "./pipeline.js";
import { jobEvent, refOf, type JobState, type QueueKit } from "./queue-kit.js";
import { LeaseLostError, type Applied, type Transition } from "./transition.js";

/**
 * The running job's transitions, made by the worker that claimed it. Every one is fenced
 * by the job's attempt (a worker that lost the job writes nothing and gets LeaseLostError)
 * and goes through the group commit, sharing a commit with the other slots' writes.
 */

export interface StepOutcome {
  status: "success" | "skipped";
  message?: string | null;
  result?: Record<string, unknown> | null;
  artifacts?: ArtifactRecord[];
  numPages?: number;
  reviewReason?: string | null;
}

const stateOf = (job: ClaimedJob): JobState => ({ ref: refOf(job.row), attempt: job.row.attempt, steps: job.steps });

/** Commits `t` and keeps the worker's copy of the job in step with what was written. */
async function commit(kit: QueueKit, job: ClaimedJob, t: Transition, extra?: ExtraWrites): Promise<Applied> {
  const applied = await kit.commit(t, extra);
  job.row.version = applied.version;
  if (applied.steps) job.steps = applied.steps;
  if (t.jobSet.status !== undefined) job.row.status = t.jobSet.status;
  kit.afterCommit({ jobs: t.jobSet.status === "pending" });
  return applied;
}

/** One fenced transition of the running job with these events, changing only `updated_at` besides what they derive. */
function running(job: ClaimedJob, now: number, events: Transition["events"], message: string | null = null) {
  return {
    job: refOf(job.row),
    fence: { attempt: job.row.attempt },
    steps: job.steps,
    progressMessage: message,
    jobSet: { updated_at: now },
    events,
  } satisfies Transition;
}

/**
 * Extends the lease. Not a state change: no event, no version bump. `updated_at` records
 * it: a processing job's `updated_at` is its worker's last sign of life, from which the
 * status tells when the worker stopped responding (domain/worker-health.ts). Returns
 * whether a cancel was requested; throws LeaseLostError when the job is no longer ours.
 */
export async function heartbeat(
  kit: QueueKit,
  job: ClaimedJob,
  workerId: string,
  leaseMs: number,
): Promise<{ cancelRequested: boolean }> {
  const now = kit.clock();
  const row = await kit.transaction((trx) =>
    trx
      .updateTable("jobs")
      .set({ lease_expires_at: now + leaseMs, updated_at: now })
      .where("id", "=", job.row.id)
      .where("attempt", "=", job.row.attempt)
      .where("status", "=", "processing")
      .where("lease_owner", "=", workerId)
      .returning(["cancel_requested_at"])
      .executeTakeFirst(),
  );
  if (!row) throw new LeaseLostError(job.row.id);
  return { cancelRequested: row.cancel_requested_at !== null };
}

export async function startStep(kit: QueueKit, job: ClaimedJob, name: string): Promise<void> {
  const now = kit.clock();
  const ref = refOf(job.row);
  await commit(
    kit,
    job,
    running(job, now, [
      jobEvent(ref, job.row.attempt, now, { step: name, status: "in_progress", message: `Started ${name}` }),
    ]),
  );
}

/** Persists progress inside a step (the caller coalesces: a few writes a second at most). */
export async function reportProgress(
  kit: QueueKit,
  job: ClaimedJob,
  name: string,
  done: number,
  total: number,
  message: string | null,
): Promise<void> {
  const now = kit.clock();
  const e = jobEvent(refOf(job.row), job.row.attempt, now, {
    step: name,
    status: "progress",
    message,
    detail: { done, total },
  });
  await commit(kit, job, running(job, now, [e], message));
}

/** Artifacts and the page count appear in the same commit as the step's success: never half-written. */
function outputsOf(job: ClaimedJob, outcome: StepOutcome, now: number): ExtraWrites | undefined {
  if ((outcome.artifacts?.length ?? 0) === 0 && outcome.numPages === undefined) return undefined;
  return async (trx) => {
    for (const a of outcome.artifacts ?? []) {
      await trx.deleteFrom("artifacts").where("job_id", "=", job.row.id).where("kind", "=", a.kind).execute();
      await trx
        .insertInto("artifacts")
        .values({
          id: newId(),
          job_id: job.row.id,
          // A collection job's outputs (the compile stage) carry the collection's id here.
          document_id: job.row.document_id ?? job.row.collection_id ?? "",
          owner_id: job.row.owner_id,
          kind: a.kind,
          blob_key: a.blobKey,
          mime_type: a.mimeType,
          size_bytes: a.sizeBytes,
          created_at: now,
        })
        .execute();
    }
    if (outcome.numPages !== undefined) {
      await trx
        .updateTable("documents")
        .set({ num_pages: outcome.numPages, updated_at: now })
        .where("id", "=", job.row.document_id)
        .execute();
    }
  };
}

/**
 * Records a step's success. When it was the last unfinished step, the job completes in
 * the same commit (returns true): no window where every step is done but the job is not.
 */
export async function finishStep(kit: QueueKit, job: ClaimedJob, name: string, outcome: StepOutcome): Promise<boolean> {
  const now = kit.clock();
  const ref = refOf(job.row);
  const done = jobEvent(ref, job.row.attempt, now, {
    step: name,
    status: outcome.status,
    message: outcome.message ?? (outcome.status === "skipped" ? `Skipped ${name}` : `Finished ${name}`),
    detail: outcome.result ? { result: outcome.result } : null,
  });
  const last = job.steps.every((s) => s.name === name || isFinished(s));
  const review = outcome.reviewReason ? { review_reason: outcome.reviewReason } : {};
  const t = last
    ? endJob(stateOf(job), now, {
        fenced: true,
        status: "completed",
        stepEvents: [done],
        message: "Completed",
        jobSet: review,
      })
    : { ...running(job, now, [done]), jobSet: { updated_at: now, ...review } };
  await commit(kit, job, t, outputsOf(job, outcome, now));
  return last;
}

/** Appends steps after the current plan while the job runs (e.g. one per delivery destination). */
export async function addSteps(kit: QueueKit, job: ClaimedJob, names: string[]): Promise<void> {
  const fresh = names.filter((n) => !job.steps.some((s) => s.name === n));
  if (fresh.length === 0) return;
  const now = kit.clock();
  const ref = refOf(job.row);
  const position = Math.max(-1, ...job.steps.map((s) => s.position)) + 1;
  const events = fresh.map((step, k) =>
    jobEvent(ref, job.row.attempt, now, {
      step,
      status: "pending",
      message: `Added step ${step}`,
      detail: { position: position + k },
    }),
  );
  await commit(kit, job, running(job, now, events));
}

/** Completes a job whose steps were all done before this attempt (a retry after the last step succeeded). */
export async function completeJob(kit: QueueKit, job: ClaimedJob): Promise<void> {
  const now = kit.clock();
  await commit(
    kit,
    job,
    endJob(stateOf(job), now, { fenced: true, status: "completed", stepEvents: [], message: "Completed" }),
  );
}

/**
 * The step failed. A permanent error, or a transient one with no attempts left, fails
 * the job; otherwise the job goes back to pending with back-off, and the failed step
 * will run again (steps that succeeded will not).
 */
export async function failStep(
  kit: QueueKit,
  job: ClaimedJob,
  name: string | null,
  error: ErrorInfo,
  permanent: boolean,
): Promise<"failed" | "requeued"> {
  const names = name === null ? [] : [name];
  const now = kit.clock();
  const state = stateOf(job);
  const { attempt, max_attempts: maxAttempts } = job.row;
  const detail = { error, permanent };
  if (permanent || attempt >= maxAttempts) {
    const message = permanent ? error.message : `${error.message} (gave up after ${attempt} attempts)`;
    await commit(kit, job, failJob(state, now, { fenced: true, error, failedSteps: names, message, detail }));
    return "failed";
  }
  const delay = kit.backoffDelay(attempt);
  const t = backToPending(state, now, {
    fenced: true,
    before: stepEvents(state, now, names, { status: "failure", message: error.message, detail }),
    reset: names,
    stepMessage: "Will run again",
    message: `Attempt ${attempt} of ${maxAttempts} failed: ${error.message}; retrying in ${Math.ceil(delay / 1000)} s`,
    detail: { error, retry_at: new Date(now + delay).toISOString() },
    jobSet: { error_code: error.code, error_message: error.message, run_at: now + delay },
  });
  await commit(kit, job, t);
  return "requeued";
}

/** The worker stopped a job whose cancel was requested: unfinished steps become `cancelled`. */
export async function finishCancel(kit: QueueKit, job: ClaimedJob): Promise<void> {
  await commit(kit, job, cancelJob(stateOf(job), kit.clock(), { fenced: true }));
}

/**
 * Shutdown: hand the job back at once, runnable now, without counting the attempt against
 * it. The attempts left stay the same: max_attempts grows by one with the attempt number,
 * instead of the attempt number going back, so fencing stays monotonic (a write still in
 * flight from the handed-back attempt can never match the next one).
 */
export async function release(kit: QueueKit, job: ClaimedJob, name: string | null, workerId: string): Promise<void> {
  const running = name ? job.steps.filter((s) => s.name === name && s.status === "in_progress") : [];
  const left = job.row.max_attempts - job.row.attempt + 1;
  const t = backToPending(stateOf(job), kit.clock(), {
    fenced: true,
    reset: running.map((s) => s.name),
    stepMessage: "Handed back at shutdown",
    message: `Handed back at shutdown by worker ${workerId}; runs again at once, ${left} attempt(s) left as before`,
    detail: { handed_back: true, worker: workerId, attempt_counted: false },
    jobSet: { max_attempts: job.row.max_attempts + 1 },
  });
  await commit(kit, job, t);
}

/**
 * The worker's backstop to NOTIFY: the current state of the jobs it runs, so it notices
 * a cancel request or a lost job even when no hint arrived.
 */
export async function runningState(
  kit: QueueKit,
  jobIds: readonly string[],
): Promise<{ id: string; status: string; attempt: number; cancelRequested: boolean }[]> {
  if (jobIds.length === 0) return [];
  const rows = await kit.database.db
    .selectFrom("jobs")
    .select(["id", "status", "attempt", "cancel_requested_at"])
    .where("id", "in", [...jobIds])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    attempt: r.attempt,
    cancelRequested: r.cancel_requested_at !== null,
  }));
}
