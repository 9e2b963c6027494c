import type { Selectable } from "kysely";
import type { JobEventsTable, JobStepsTable, JobsTable } from "../db/schema.js";
import type { Job, JobEvent, JobOptions, JobStep, JobStatus, StepStatus } from "../domain/types.js";

export type JobRow = Selectable<JobsTable>;
export type JobStepRow = Selectable<JobStepsTable>;
export type JobEventRow = Selectable<JobEventsTable> & { tx?: string };

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(Number(ms)));

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  return JSON.parse(text) as T;
}

/** The one mapping from a `jobs` row to the domain Job. */
export function jobRowToJob(row: JobRow): Job & { reviewReason: string | null } {
  return {
    id: row.id,
    documentId: row.document_id,
    collectionId: row.collection_id,
    ownerId: row.owner_id,
    batchId: row.batch_id,
    pipeline: row.pipeline,
    options: JSON.parse(row.options) as JobOptions,
    status: row.status as JobStatus,
    priority: row.priority,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: new Date(Number(row.run_at)),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: date(row.lease_expires_at),
    cancelRequestedAt: date(row.cancel_requested_at),
    progress: {
      phase: row.progress_phase,
      step: row.progress_step,
      total_steps: row.progress_total,
      percentage: row.progress_percent,
      message: row.progress_message,
    },
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    reviewReason: row.review_reason,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    updatedAt: new Date(Number(row.updated_at)),
    version: Number(row.version),
  };
}

export function stepRowToStep(row: JobStepRow): JobStep {
  return {
    jobId: row.job_id,
    name: row.name,
    position: row.position,
    status: row.status as StepStatus,
    attempts: row.attempts,
    jobAttempt: row.job_attempt,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    detail: parseJson<Record<string, unknown>>(row.detail),
    progressDone: row.progress_done,
    progressTotal: row.progress_total,
  };
}

export function eventRowToEvent(row: JobEventRow): JobEvent & { batchId: string | null } {
  return {
    id: String(row.id),
    jobId: row.job_id,
    documentId: row.document_id,
    collectionId: row.collection_id,
    ownerId: row.owner_id,
    batchId: row.batch_id,
    step: row.step,
    status: row.status,
    message: row.message,
    detail: parseJson<Record<string, unknown>>(row.detail),
    attempt: row.attempt,
    createdAt: new Date(Number(row.created_at)),
  };
}

/** Step rows compare field by field in verify; this puts them in a canonical order. */
export function sortSteps<T extends { position: number; name: string }>(steps: T[]): T[] {
  return steps.sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}
