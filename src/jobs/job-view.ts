import type { Database } from "../db/database.js";
import { jobRowToJob, stepRowToStep, type JobRow } from "../engine/rows.js";
import { deriveStatus, type UnifiedStatus } from "../domain/status.js";
import type { ErrorInfo, Job, JobEvent, JobStep, JobStatus, StepStatus } from "../domain/types.js";

/** The job as API.md shows it (snake_case, ISO times). */
export interface JobJson {
  id: string;
  document_id: string;
  batch_id: string | null;
  pipeline: string;
  status: JobStatus;
  ocr_mode: string;
  resolution_mode: string;
  priority: number;
  languages: string[];
  outputs: string[];
  ocr: string;
  attempts: number;
  max_attempts: number;
  progress: { percentage: number; step: number; total_steps: number; phase: string | null; message: string | null };
  steps: { name: string; status: StepStatus; started_at: string | null; completed_at: string | null; attempts: number; error: ErrorInfo | null }[];
  error: ErrorInfo | null;
  cancel_requested: boolean;
  can_cancel: boolean;
  can_retry: boolean;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  version: number;
}

export interface EventJson {
  id: string;
  job_id: string;
  document_id: string;
  step: string | null;
  status: string;
  message: string | null;
  detail: Record<string, unknown> | null;
  created_at: string;
}

export const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * The job JSON. Its `progress` and the allowed actions are the output of deriveStatus (the
 * one status function); the job's own `status` is the job row's status, as stored.
 */
export function jobToJson(job: Job, steps: readonly JobStep[], now = Date.now()): JobJson {
  const unified = deriveStatus(job, steps, now);
  return {
    id: job.id,
    document_id: job.documentId,
    batch_id: job.batchId,
    pipeline: job.pipeline,
    status: job.status,
    ocr_mode: String(job.options.ocr_mode),
    resolution_mode: String(job.options.resolution_mode),
    priority: job.priority,
    languages: job.options.languages,
    outputs: job.options.outputs,
    ocr: String(job.options.ocr),
    attempts: job.attempt,
    max_attempts: job.maxAttempts,
    progress: {
      percentage: unified.percentage,
      step: unified.step,
      total_steps: unified.total_steps,
      phase: unified.phase,
      message: unified.message,
    },
    steps: steps.map((s) => ({
      name: s.name,
      status: s.status,
      started_at: isoOrNull(s.startedAt),
      completed_at: isoOrNull(s.finishedAt),
      attempts: s.attempts,
      error: s.error,
    })),
    error: job.error,
    cancel_requested: job.cancelRequestedAt !== null,
    can_cancel: unified.can_cancel,
    can_retry: unified.can_retry,
    created_at: job.createdAt.toISOString(),
    started_at: isoOrNull(job.startedAt),
    completed_at: isoOrNull(job.completedAt),
    version: job.version,
  };
}

export function eventToJson(event: JobEvent): EventJson {
  return {
    id: event.id,
    job_id: event.jobId,
    document_id: event.documentId,
    step: event.step,
    status: event.status,
    message: event.message,
    detail: event.detail,
    created_at: event.createdAt.toISOString(),
  };
}

export interface LoadedJob {
  job: Job & { reviewReason: string | null };
  steps: JobStep[];
}

/** Jobs by id with their steps, in two queries. */
export async function loadJobs(database: Database, ids: readonly string[]): Promise<Map<string, LoadedJob>> {
  const out = new Map<string, LoadedJob>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const rows = await database.db.selectFrom("jobs").selectAll().where("id", "in", unique).execute();
  return attachSteps(database, rows);
}

export async function attachSteps(database: Database, rows: readonly JobRow[]): Promise<Map<string, LoadedJob>> {
  const out = new Map<string, LoadedJob>();
  if (rows.length === 0) return out;
  const steps = await database.db
    .selectFrom("job_steps")
    .selectAll()
    .where(
      "job_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("job_id")
    .orderBy("position")
    .execute();
  for (const row of rows) out.set(row.id, { job: jobRowToJob(row), steps: [] });
  for (const s of steps) out.get(s.job_id)?.steps.push(stepRowToStep(s));
  return out;
}

/** The document's unified status from its latest job (null: never submitted). */
export function statusOf(loaded: LoadedJob | undefined, now = Date.now()): UnifiedStatus {
  return loaded ? deriveStatus(loaded.job, loaded.steps, now) : deriveStatus(null, [], now);
}
