import type { JobStepRow } from "./rows.js";

/**
 * What each event on a step means for that step's row. Both the live writes (every
 * transition derives the step rows it writes with `applyStepEvent`, see transition.ts) and
 * the ledger's `rebuild` (which folds a job's whole history) use this one function, so the
 * step table equals the fold of its events by construction; `verify` checks it.
 *
 * | event status | step row afterwards |
 * |---|---|
 * | pending + detail.position | created: pending, attempts 0, everything else empty |
 * | pending (reset)  | pending; finished_at and progress cleared; started_at, attempts and the last error kept |
 * | in_progress      | attempts + 1, job_attempt = event attempt, started_at = event time, finished_at/error/progress cleared |
 * | progress         | progress_done/total from detail |
 * | success, skipped | finished_at = event time, detail = detail.result, error cleared |
 * | failure          | finished_at = event time, error = detail.error |
 * | cancelled        | finished_at = event time |
 */
export interface StepEventInput {
  jobId: string;
  step: string;
  status: string;
  attempt: number;
  createdAt: number;
  detail: Record<string, unknown> | null;
}

export const STEP_EVENT_STATUSES = new Set([
  "pending",
  "in_progress",
  "progress",
  "success",
  "skipped",
  "failure",
  "cancelled",
]);

export function applyStepEvent(current: JobStepRow | undefined, event: StepEventInput): JobStepRow | undefined {
  const detail = event.detail ?? {};
  if (event.status === "pending" && typeof detail.position === "number") {
    return {
      job_id: event.jobId,
      name: event.step,
      position: detail.position,
      status: "pending",
      attempts: 0,
      job_attempt: 0,
      started_at: null,
      finished_at: null,
      error_code: null,
      error_message: null,
      detail: null,
      progress_done: 0,
      progress_total: 0,
    };
  }
  if (current === undefined) return undefined; // an event for a step never planned: ignored, and verify reports it
  switch (event.status) {
    case "pending":
      return { ...current, status: "pending", finished_at: null, progress_done: 0, progress_total: 0 };
    case "in_progress":
      return {
        ...current,
        status: "in_progress",
        attempts: current.attempts + 1,
        job_attempt: event.attempt,
        started_at: event.createdAt,
        finished_at: null,
        error_code: null,
        error_message: null,
        progress_done: 0,
        progress_total: 0,
      };
    case "progress":
      return {
        ...current,
        progress_done: Number(detail.done ?? 0),
        progress_total: Number(detail.total ?? 0),
      };
    case "success":
    case "skipped":
      return {
        ...current,
        status: event.status,
        finished_at: event.createdAt,
        detail: detail.result === undefined || detail.result === null ? null : JSON.stringify(detail.result),
        error_code: null,
        error_message: null,
      };
    case "failure": {
      const error = (detail.error ?? {}) as { code?: string; message?: string };
      return {
        ...current,
        status: "failure",
        finished_at: event.createdAt,
        error_code: error.code ?? "internal_error",
        error_message: error.message ?? "",
      };
    }
    case "cancelled":
      return { ...current, status: "cancelled", finished_at: event.createdAt };
    default:
      return current;
  }
}

/** Folds a job's events (in id order) into its step rows. */
export function foldStepEvents(events: readonly StepEventInput[]): Map<string, JobStepRow> {
  const steps = new Map<string, JobStepRow>();
  for (const event of events) {
    const next = applyStepEvent(steps.get(event.step), event);
    if (next) steps.set(event.step, next);
  }
  return steps;
}
