import type { Database } from "../db/database.js";
import { stepSummary, type StepSummary } from "./step-summary.js";
import type { ExpressionBuilder } from "kysely";
import type { DatabaseSchema } from "../db/schema.js";
import { eventRowToEvent, jobRowToJob, stepRowToStep, type JobRow } from "../engine/rows.js";
import { deriveStatus, type UnifiedStatus } from "../domain/status.js";
import type { ErrorInfo, Job, JobEvent, JobStep, JobStatus, StepStatus } from "../domain/types.js";

/** The job as API.md shows it (snake_case, ISO times). */
export interface JobJson {
  /** Field extraction asked for at submit (`off` for jobs from before it existed). */
  extract: string;
  id: string;
  document_id: string;
  /** The collection of a collection job (whose document_id is null), else null. */
  collection_id: string | null;
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
  steps: {
    name: string;
    status: StepStatus;
    started_at: string | null;
    completed_at: string | null;
    attempts: number;
    error: ErrorInfo | null;
  }[];
  error: ErrorInfo | null;
  /** The steps counted by status, pipeline steps apart from delivery steps (`deliver:*`). */
  step_summary: StepSummary;
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
export function jobToJson(
  job: Job & { collectionId?: string | null },
  steps: readonly JobStep[],
  now = Date.now(),
): JobJson {
  const unified = deriveStatus(job, steps, now);
  return {
    id: job.id,
    // Null at run time for a collection job (collection_id set); typed as the document job's string.
    document_id: job.documentId as string,
    collection_id: job.collectionId ?? null,
    batch_id: job.batchId,
    pipeline: job.pipeline,
    status: job.status,
    ocr_mode: String(job.options.ocr_mode),
    resolution_mode: String(job.options.resolution_mode),
    priority: job.priority,
    languages: job.options.languages,
    outputs: job.options.outputs,
    ocr: String(job.options.ocr),
    extract: job.options.extract ?? "off",
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
    step_summary: stepSummary(steps),
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
    document_id: event.documentId as string, // null for a collection job's events, as for its JSON
    step: event.step,
    status: event.status,
    message: event.message,
    detail: event.detail,
    created_at: event.createdAt.toISOString(),
  };
}

export interface LoadedJob {
  /** `collectionId`: the collection of a collection job (the compile stage), else null. */
  job: Job & { reviewReason: string | null; collectionId?: string | null };
  steps: JobStep[];
}

/** `where` for job queries: leaves out the jobs of deleted documents (they answer 404 everywhere). */
export function liveDocument(eb: ExpressionBuilder<DatabaseSchema, "jobs">) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom("documents")
        .select("documents.id")
        .whereRef("documents.id", "=", "jobs.document_id")
        .where("documents.deleted_at", "is not", null),
    ),
  );
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
  for (const row of rows)
    out.set(row.id, {
      job: { ...jobRowToJob(row), collectionId: (row as { collection_id?: string | null }).collection_id ?? null },
      steps: [],
    });
  for (const s of steps) out.get(s.job_id)?.steps.push(stepRowToStep(s));
  return out;
}

export { loadDocumentStatus, loadDocumentStatusVersioned } from "./status-read.js";

/**
 * The document's unified status from its latest job (null: never submitted). `versionFloor`
 * (the document's newest event id, when known) keeps the version from going backwards.
 */
export function statusOf(loaded: LoadedJob | undefined, now = Date.now(), versionFloor = 0): UnifiedStatus {
  const status = loaded ? deriveStatus(loaded.job, loaded.steps, now) : deriveStatus(null, [], now);
  return versionFloor > status.version ? { ...status, version: versionFloor } : status;
}

/** Whether any of these jobs is pending and due: nobody has claimed it although it may run now. */
export async function anyPendingAndDue(database: Database, jobIds: readonly string[], now: number): Promise<boolean> {
  const due = await database.db
    .selectFrom("jobs")
    .select("id")
    .where("id", "in", jobIds)
    .where("status", "=", "pending")
    .where("run_at", "<=", now)
    .limit(1)
    .execute();
  return due.length > 0;
}

/** The ids of the document's pending or processing jobs. */
export async function activeJobIds(database: Database, documentId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom("jobs")
    .select("id")
    .where("document_id", "=", documentId)
    .where("status", "in", ["pending", "processing"])
    .execute();
  return rows.map((r) => r.id);
}

/** The document's history: every event of its jobs, oldest first (at most 10,000). */
export async function loadDocumentEvents(database: Database, documentId: string): Promise<JobEvent[]> {
  const rows = await database.db
    .selectFrom("job_events")
    .selectAll()
    .where("document_id", "=", documentId)
    .orderBy("id")
    .limit(10_000)
    .execute();
  return rows.map(eventRowToEvent);
}
