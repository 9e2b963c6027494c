import type { ErrorInfo } from "../domain/types.js";
import { jobEvent, type JobState } from "./queue-kit.js";
import type { JobStepRow } from "./rows.js";
import type { EventInput, JobColumns, Transition } from "./transition.js";

/**
 * The transitions more than one caller makes, written once: a job going back to the queue
 * (a transient failure, an expired lease, a shutdown, a manual retry) and a job ending
 * (completed, failed, cancelled). Each returns a Transition; the caller commits it.
 */

interface Conditions {
  /** A worker's write: fenced on the job's attempt. */
  fenced?: boolean;
  /** The status the job must still have (control and rescue, which read it under lock). */
  expectStatus?: string;
}

export const isFinished = (s: Pick<JobStepRow, "status">) => s.status === "success" || s.status === "skipped";

function conditions(job: JobState, c: Conditions) {
  return {
    ...(c.fenced ? { fence: { attempt: job.attempt } } : {}),
    ...(c.expectStatus ? { expectStatus: c.expectStatus } : {}),
  };
}

/** The same event on each named step. */
export function stepEvents(
  job: JobState,
  now: number,
  names: readonly string[],
  e: { status: string; message: string; detail?: Record<string, unknown> | null },
): EventInput[] {
  return names.map((step) => jobEvent(job.ref, job.attempt, now, { ...e, step }));
}

/**
 * Back to pending: the named steps are reset (they will run again; steps that succeeded
 * stay done), the lease is dropped, and the job waits until `jobSet.run_at` (now by default).
 */
export function backToPending(
  job: JobState,
  now: number,
  o: Conditions & {
    reset: readonly string[];
    stepMessage: string;
    message: string;
    detail: Record<string, unknown> | null;
    jobSet?: JobColumns;
    /** Events that come first (the failure of the step being retried). */
    before?: EventInput[];
  },
): Transition {
  return {
    job: job.ref,
    ...conditions(job, o),
    steps: job.steps,
    jobSet: { status: "pending", run_at: now, updated_at: now, lease_owner: null, lease_expires_at: null, ...o.jobSet },
    events: [
      ...(o.before ?? []),
      ...stepEvents(job, now, o.reset, { status: "pending", message: o.stepMessage, detail: { reset: true } }),
      jobEvent(job.ref, job.attempt, now, { status: "pending", message: o.message, detail: o.detail }),
    ],
  };
}

/** The job ends: completed, failed or cancelled, after its steps' own final events. */
export function endJob(
  job: JobState,
  now: number,
  o: Conditions & {
    status: "completed" | "failed" | "cancelled";
    stepEvents: EventInput[];
    message: string;
    detail?: Record<string, unknown> | null;
    jobSet?: JobColumns;
  },
): Transition {
  return {
    job: job.ref,
    ...conditions(job, o),
    steps: job.steps,
    jobSet: {
      status: o.status,
      completed_at: now,
      updated_at: now,
      lease_owner: null,
      lease_expires_at: null,
      ...o.jobSet,
    },
    events: [
      ...o.stepEvents,
      jobEvent(job.ref, job.attempt, now, { status: o.status, message: o.message, detail: o.detail ?? null }),
    ],
  };
}

/** Fails the job with `error`; `failedSteps` get a failure event each. `message` is the job event's. */
export function failJob(
  job: JobState,
  now: number,
  o: Conditions & {
    error: ErrorInfo;
    failedSteps: readonly string[];
    message: string;
    jobErrorMessage?: string;
    detail: Record<string, unknown>;
  },
): Transition {
  return endJob(job, now, {
    ...o,
    status: "failed",
    stepEvents: stepEvents(job, now, o.failedSteps, { status: "failure", message: o.error.message, detail: o.detail }),
    jobSet: { error_code: o.error.code, error_message: o.jobErrorMessage ?? o.error.message },
  });
}

/** Cancels the job: its pending and running steps become `cancelled`. */
export function cancelJob(job: JobState, now: number, o: Conditions): Transition {
  const open = job.steps.filter((s) => s.status === "pending" || s.status === "in_progress").map((s) => s.name);
  return endJob(job, now, {
    ...o,
    status: "cancelled",
    stepEvents: stepEvents(job, now, open, { status: "cancelled", message: "Cancelled" }),
    message: "Cancelled",
    ...(o.expectStatus === "pending" ? { jobSet: { cancel_requested_at: now } } : {}),
  });
}
