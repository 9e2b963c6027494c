import { isRetryableFailure } from "../errors.js";
import { computeProgress } from "./progress.js";
import type { DocumentStatus, ErrorInfo, Job, JobStep } from "./types.js";
import { recoveryPendingMessage, unresponsiveWorker } from "./worker-health.js";

/** The unified status of a document: what a person sees (API.md). */
export interface UnifiedStatus {
  status: DocumentStatus;
  phase: string | null;
  step: number;
  total_steps: number;
  percentage: number;
  message: string | null;
  elapsed_ms: number;
  error: ErrorInfo | null;
  can_cancel: boolean;
  can_retry: boolean;
  version: number;
}

export type StatusJob = Pick<
  Job,
  | "status"
  | "attempt"
  | "maxAttempts"
  | "runAt"
  | "cancelRequestedAt"
  | "progress"
  | "error"
  | "createdAt"
  | "startedAt"
  | "completedAt"
  | "version"
> & { reviewReason?: string | null } & Partial<Pick<Job, "updatedAt" | "leaseExpiresAt">>;

export type StatusStep = Pick<
  JobStep,
  "name" | "position" | "status" | "progressDone" | "progressTotal" | "jobAttempt" | "error"
>;

/**
 * THE status function: the only place in Docket that turns state into a status. The API,
 * the event stream, the web UI and the CLI all show its output.
 *
 * It reads the job row's status (the truth about the job) and the step rows (the truth
 * about each step), never the event history, so a late or stale event cannot move it.
 * A step marked `in_progress` by an earlier attempt of the job (its `jobAttempt` is not the
 * job's current attempt) is not running now and is treated as pending.
 */
export function deriveStatus(job: StatusJob | null, steps: readonly StatusStep[], now: number): UnifiedStatus {
  if (job === null) {
    return {
      status: "uploaded",
      phase: null,
      step: 0,
      total_steps: 0,
      percentage: 0,
      message: "Uploaded; not submitted for processing",
      elapsed_ms: 0,
      error: null,
      can_cancel: false,
      can_retry: false,
      version: 0,
    };
  }

  const current = steps.map((s) =>
    s.status === "in_progress" && s.jobAttempt !== job.attempt ? { ...s, status: "pending" as const } : s,
  );
  const progress = computeProgress(current);
  const started = job.startedAt?.getTime() ?? null;
  const created = job.createdAt.getTime();
  const finishedAt = job.completedAt?.getTime() ?? now;

  switch (job.status) {
    case "pending": {
      const retrying = job.attempt > 0;
      const wait = Math.max(0, job.runAt.getTime() - now);
      // Queued since: submission; or, after a manual retry (which clears started_at and sets
      // run_at to the request), the retry request. An automatic retry waiting out its
      // back-off is still the same run (started_at kept), counted from submission.
      const queuedSince = started === null ? Math.max(created, Math.min(job.runAt.getTime(), now)) : created;
      return {
        status: "queued",
        phase: progress.phase,
        step: progress.step,
        total_steps: progress.total_steps,
        percentage: progress.percentage,
        message: retrying
          ? `Attempt ${job.attempt} failed${job.error ? `: ${job.error.message}` : ""}; attempt ${job.attempt + 1} of ${job.maxAttempts} ${wait > 0 ? `in ${Math.ceil(wait / 1000)} s` : "waiting for a worker"}`
          : "Waiting for a worker",
        elapsed_ms: Math.max(0, now - queuedSince),
        error: null,
        can_cancel: job.cancelRequestedAt === null,
        can_retry: false,
        version: job.version,
      };
    }
    case "processing": {
      const cancelling = job.cancelRequestedAt !== null;
      // A worker that stopped heartbeating: say so, not its last "page 1 of 6" as if all were well.
      const lost =
        job.updatedAt && job.leaseExpiresAt !== undefined
          ? unresponsiveWorker(
              { status: job.status, updatedAt: job.updatedAt, leaseExpiresAt: job.leaseExpiresAt },
              now,
            )
          : null;
      return {
        status: "processing",
        phase: progress.phase,
        step: progress.step,
        total_steps: progress.total_steps,
        // All steps may be done while the job is not yet marked complete: it is still
        // processing, and the bar must not claim 100 %.
        percentage: Math.min(progress.percentage, 99),
        message: lost
          ? recoveryPendingMessage(lost.recoveryInMs)
          : cancelling
            ? "Cancelling…"
            : (job.progress.message ?? (progress.phase ? `Running ${progress.phase}` : null)),
        elapsed_ms: Math.max(0, now - (started ?? created)),
        error: null,
        can_cancel: !cancelling,
        can_retry: false,
        version: job.version,
      };
    }
    case "completed": {
      const review = job.reviewReason ?? null;
      return {
        status: review ? "manual_review" : "completed",
        phase: progress.phase,
        step: progress.total_steps,
        total_steps: progress.total_steps,
        percentage: 100,
        message: review ?? "Completed",
        elapsed_ms: Math.max(0, finishedAt - (started ?? created)),
        error: null,
        can_cancel: false,
        can_retry: false,
        version: job.version,
      };
    }
    case "failed":
    case "cancelled": {
      const failed = job.status === "failed";
      const stopped = current.find(
        (s) => s.status === "failure" || s.status === "cancelled" || s.status === "in_progress",
      );
      const stoppedIndex = stopped
        ? [...current].sort((a, b) => a.position - b.position).indexOf(stopped) + 1
        : progress.step;
      const error = failed ? (job.error ?? { code: "internal_error", message: "Failed" }) : null;
      // A failure caused by the file itself would repeat on retry: say so instead of offering one.
      const retryable = error === null || isRetryableFailure(error.code);
      return {
        status: job.status,
        phase: stopped?.name ?? progress.phase,
        step: stoppedIndex,
        total_steps: progress.total_steps,
        percentage: progress.percentage,
        message: !failed
          ? "Cancelled"
          : retryable
            ? (job.error?.message ?? "Failed")
            : `${error!.message}. This is a problem with the file itself, so retrying cannot help; upload a corrected file`,
        elapsed_ms: Math.max(0, finishedAt - (started ?? created)),
        error,
        can_cancel: false,
        can_retry: retryable,
        version: job.version,
      };
    }
  }
}
