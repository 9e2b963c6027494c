/**
 * The vocabulary of Docket (DESIGN.md): the exact strings the API, UI and CLI show.
 * Domain types import no IO.
 */
export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STEP_STATUSES = ["pending", "in_progress", "success", "failure", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const DOCUMENT_STATUSES = [
  "uploaded",
  "queued",
  "processing",
  "completed",
  "failed",
  "cancelled",
  "manual_review",
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const OCR_MODES = ["document", "handwritten", "general", "figure"] as const;
export type OcrMode = (typeof OCR_MODES)[number];

export const RESOLUTION_MODES = ["tiny", "small", "base", "large", "gundam"] as const;
export type ResolutionMode = (typeof RESOLUTION_MODES)[number];

export const OUTPUT_FORMATS = ["txt", "md", "json", "hocr", "pdf"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const OCR_POLICIES = ["auto", "force", "skip"] as const;
export type OcrPolicy = (typeof OCR_POLICIES)[number];

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 5;
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Options a job runs with; stored as JSON on the job row. */
export interface JobOptions {
  ocr_mode: OcrMode;
  resolution_mode: ResolutionMode;
  languages: string[];
  outputs: OutputFormat[];
  ocr: OcrPolicy;
  /**
   * Field extraction (`auto|invoice|receipt|off`): anything but `off` plans `extract_fields`
   * after `assemble`. Absent on jobs submitted before extraction existed: treated as `off`.
   */
  extract?: "auto" | "invoice" | "receipt" | "off";
  /** Delivery destinations; each becomes a `deliver:<name>` step. */
  destinations?: string[];
  /** Free-form options a pipeline may read (e.g. test pipelines). */
  [key: string]: unknown;
}

/** Progress as stored on the job row and shown by the API. */
export interface JobProgress {
  /** Name of the step running now (or last run). */
  phase: string | null;
  /** 1-based index of that step in the plan ("step k of n"). */
  step: number;
  total_steps: number;
  percentage: number;
  message: string | null;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

/** A job as the engine sees it (camelCase; the API maps to snake_case). */
export interface Job {
  id: string;
  /** Null for a collection job, which has `collectionId` instead. */
  documentId: string | null;
  collectionId: string | null;
  ownerId: string;
  batchId: string | null;
  pipeline: string;
  options: JobOptions;
  status: JobStatus;
  priority: number;
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  cancelRequestedAt: Date | null;
  progress: JobProgress;
  error: ErrorInfo | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
  version: number;
}

export interface JobStep {
  jobId: string;
  name: string;
  position: number;
  status: StepStatus;
  attempts: number;
  /** The job attempt that last wrote this step (fencing for stale writers). */
  jobAttempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: ErrorInfo | null;
  detail: Record<string, unknown> | null;
  /** Progress inside the step (pages done of total). */
  progressDone: number;
  progressTotal: number;
}

export interface JobEvent {
  id: string;
  jobId: string;
  documentId: string | null;
  collectionId: string | null;
  ownerId: string;
  step: string | null;
  status: string;
  message: string | null;
  detail: Record<string, unknown> | null;
  attempt: number;
  createdAt: Date;
}

export interface DocumentRecord {
  id: string;
  ownerId: string;
  filename: string;
  safeFilename: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  numPages: number | null;
  blobKey: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  latestJobId: string | null;
}

export function isTerminalJobStatus(status: JobStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

export function isFinishedStepStatus(status: StepStatus): boolean {
  return status === "success" || status === "skipped";
}
