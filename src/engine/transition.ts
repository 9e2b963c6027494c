import type { Updateable } from "kysely";
import type { JobsTable } from "../db/schema.js";
import { computeProgress } from "../domain/progress.js";
import type { JobProgress, StepStatus } from "../domain/types.js";
import { DocketError } from "../errors.js";
import type { JobStepRow } from "./rows.js";
import { applyStepEvent } from "./step-events.js";

/** One row of the audit trail, as written. */
export interface EventInput {
  jobId: string;
  /** The job's document, or null for a collection job (then `collectionId` is set). */
  documentId: string | null;
  collectionId: string | null;
  ownerId: string;
  batchId: string | null;
  step: string | null;
  status: string;
  message: string | null;
  detail: Record<string, unknown> | null;
  attempt: number;
  createdAt: number;
}

/** The job a transition is about. */
export interface JobRef {
  id: string;
  /** A document job's document; null for a collection job, which has `collectionId`. */
  documentId: string | null;
  collectionId: string | null;
  ownerId: string;
  batchId: string | null;
}

/**
 * A worker's proof that it still owns the job: the job must still be `processing` in this
 * attempt. Every write a worker makes carries one, so a worker that lost its lease (and
 * whose job was requeued and claimed again) can never overwrite the newer attempt.
 */
export interface Fence {
  attempt: number;
}

/** Job columns a transition sets directly; progress and version are derived, never set by hand. */
export type JobColumns = Omit<
  Updateable<JobsTable>,
  "id" | "version" | "progress_phase" | "progress_step" | "progress_total" | "progress_percent" | "progress_message"
>;

/**
 * One state change of one job. Step rows are not written by hand: they are what the step
 * events make of the step rows the caller read (`steps`), through `applyStepEvent`, the
 * same function the ledger's rebuild folds the whole history with. So the step table equals
 * the fold of its events by construction, and the job's progress is computed from the
 * resulting rows.
 */
export interface Transition {
  job: JobRef;
  /** Required for worker writes; omitted for writes that check state themselves (API, rescuer). */
  fence?: Fence;
  /** Extra condition on the job row (e.g. `status = 'pending'` for cancelling a queued job). */
  expectStatus?: string;
  /** The attempt the job must still be at (a claim: nobody claimed and released it meanwhile). */
  expectAttempt?: number;
  jobSet: JobColumns;
  /**
   * The job's step rows as they are before this transition (read under the job's lock or
   * held by the fenced worker). Required when an event names a step; when given, the job's
   * progress columns are recomputed from the rows after the events.
   */
  steps?: readonly JobStepRow[];
  /** The progress message shown with the recomputed progress (a step's "page 3 of 9"). */
  progressMessage?: string | null;
  events: EventInput[];
}

/** What a transition writes besides its events: the job columns, and the step rows its events changed. */
export interface DerivedWrites {
  jobSet: Updateable<JobsTable>;
  /** Every step row after the transition, in position order (undefined when the caller gave none). */
  stepsAfter: JobStepRow[] | undefined;
  /** The rows the events created or changed: these are upserted whole. */
  changedSteps: JobStepRow[];
}

export interface Applied {
  version: number;
  steps: JobStepRow[] | undefined;
}

export class LeaseLostError extends DocketError {
  constructor(jobId: string) {
    super("lease_lost", `job ${jobId}: this worker no longer holds the job (lease expired, cancelled or requeued)`, {
      permanent: false,
    });
  }
}

/** The job was not in the state the writer checked for: someone changed it first. The request may be repeated. */
export class StateConflictError extends DocketError {
  constructor(jobId: string) {
    super("state_conflict", `job ${jobId} changed state concurrently; read it again and repeat the request`, {
      permanent: false,
    });
  }
}

export function progressColumns(progress: JobProgress) {
  return {
    progress_phase: progress.phase,
    progress_step: progress.step,
    progress_total: progress.total_steps,
    progress_percent: progress.percentage,
    progress_message: progress.message,
  };
}

export function progressOfRows(steps: readonly JobStepRow[], message: string | null = null): JobProgress {
  return computeProgress(
    steps.map((s) => ({
      name: s.name,
      position: s.position,
      status: s.status as StepStatus,
      progressDone: s.progress_done,
      progressTotal: s.progress_total,
    })),
    message,
  );
}

/** Folds the transition's step events over the steps it was given: the rows to write and the job's new progress. */
export function deriveWrites(t: Transition): DerivedWrites {
  const stepEvents = t.events.filter((e) => e.step !== null);
  if (t.steps === undefined) {
    if (stepEvents.length > 0) throw new Error(`job ${t.job.id}: a transition with step events needs the steps`);
    return { jobSet: t.jobSet, stepsAfter: undefined, changedSteps: [] };
  }
  const rows = new Map(t.steps.map((s) => [s.name, s]));
  const changed = new Set<string>();
  for (const e of stepEvents) {
    const next = applyStepEvent(rows.get(e.step!), {
      jobId: e.jobId,
      step: e.step!,
      status: e.status,
      attempt: e.attempt,
      createdAt: e.createdAt,
      detail: e.detail,
    });
    if (next === undefined) throw new Error(`job ${t.job.id}: event for a step never planned (${e.step})`);
    rows.set(e.step!, next);
    changed.add(e.step!);
  }
  const stepsAfter = [...rows.values()].sort((a, b) => a.position - b.position);
  return {
    jobSet: { ...t.jobSet, ...progressColumns(progressOfRows(stepsAfter, t.progressMessage ?? null)) },
    stepsAfter,
    changedSteps: stepsAfter.filter((s) => changed.has(s.name)),
  };
}
