/**
 * The HTTP API v1 as the UI sees it (API.md; the server's zod schemas in src/api/schemas.ts
 * are the source of truth). JSON is snake_case, times are ISO 8601 strings.
 */

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

export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STEP_STATUSES = ["pending", "in_progress", "success", "failure", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const OCR_MODES = ["document", "handwritten", "general", "figure"] as const;
export type OcrMode = (typeof OCR_MODES)[number];

export const RESOLUTION_MODES = ["tiny", "small", "base", "large", "gundam"] as const;
export type ResolutionMode = (typeof RESOLUTION_MODES)[number];

export const OUTPUT_FORMATS = ["txt", "md", "json", "hocr", "pdf"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface User {
  id: string;
  email: string;
  role: "user" | "admin";
  disabled: boolean;
  created_at: string;
}

export interface Me extends User {
  csrf_token?: string | null;
}

export interface LoginResponse {
  token: string;
  user: User;
  csrf_token: string;
  expires_at: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

export interface TokenCreated extends TokenInfo {
  token: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/** The unified status (the output of the server's one status function). */
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

export interface DocumentJson {
  id: string;
  filename: string;
  safe_filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  num_pages: number | null;
  created_at: string;
  updated_at: string;
  latest_job_id: string | null;
  status: DocumentStatus;
}

export interface JobStep {
  name: string;
  status: StepStatus;
  started_at: string | null;
  completed_at: string | null;
  attempts: number;
  error: ErrorInfo | null;
}

export interface Job {
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
  steps: JobStep[];
  error: ErrorInfo | null;
  cancel_requested: boolean;
  can_cancel: boolean;
  can_retry: boolean;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  version: number;
}

export interface JobEvent {
  id: string;
  job_id: string;
  document_id: string;
  step: string | null;
  status: string;
  message: string | null;
  detail: Record<string, unknown> | null;
  created_at: string;
}

export interface UploadResponse {
  document: DocumentJson;
  duplicate: boolean;
  job: Job | null;
}

export interface SubmitOptions {
  ocr_mode?: OcrMode;
  resolution_mode?: ResolutionMode;
  priority?: number;
  languages?: string[];
  outputs?: OutputFormat[];
  ocr?: "auto" | "force" | "skip";
  extract?: ExtractMode;
}

/** A document a batch did not submit: it already has an active job (one active job per document). */
export interface SkippedDocument {
  document_id: string;
  reason: "job_active";
  job_id: string | null;
  message: string;
}

export interface BatchCreated {
  batch_id: string;
  jobs: Job[];
  skipped: SkippedDocument[];
}

export interface Batch {
  id: string;
  total: number;
  counts: Record<JobStatus, number>;
  percentage: number;
  created_at: string;
  jobs: Job[];
}

export interface ResultFormat {
  format: OutputFormat;
  mime_type: string;
  size_bytes: number;
  url: string;
}

export interface OcrResult {
  job_id: string;
  document_id: string;
  text: string | null;
  markdown: string | null;
  confidence: number | null;
  processing_time_ms: number | null;
  num_pages: number | null;
  formats: ResultFormat[];
}

/** The document model (`result/json`): pages → blocks → lines → words, boxes in page pixels. */
export interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ModelWord {
  text: string;
  bbox: BBox;
  confidence: number;
}

export interface ModelPage {
  number: number;
  width: number;
  height: number;
  dpi: number;
  source: "text-layer" | "ocr";
  rotation: number;
  skew: number;
  confidence: number;
  blocks: {
    kind: string;
    bbox: BBox;
    confidence: number;
    lines: { bbox: BBox; confidence: number; words: ModelWord[] }[];
  }[];
}

export interface DocumentModel {
  version: number;
  documentId: string;
  languages: string[];
  engine: string;
  pages: ModelPage[];
}

// ------------------------------------------------------------ fields and review (API.md v1.1)

export const FIELD_NAMES = [
  "document_number",
  "issue_date",
  "sale_date",
  "due_date",
  "currency",
  "total_net",
  "total_vat",
  "total_gross",
  "seller_name",
  "seller_tax_id",
  "seller_address",
  "buyer_name",
  "buyer_tax_id",
  "buyer_address",
  "iban",
  "payment_method",
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export const EXTRACT_MODES = ["auto", "invoice", "receipt", "off"] as const;
export type ExtractMode = (typeof EXTRACT_MODES)[number];

export type DocumentType = "invoice" | "receipt" | "other";
export type FieldOrigin = "rule" | "template" | "llm" | "manual";
export type ReviewState = "pending" | "approved" | "rejected";

/** Where a field was read: page (1-based) and `[x0, y0, x1, y1]` in the model's page coordinates. */
export interface FieldSource {
  page: number;
  bbox: [number, number, number, number];
}

export interface Field {
  /** Normalised: dates YYYY-MM-DD, amounts "1234.56", ids without spaces, upper case. */
  value: string;
  /** As printed. */
  raw: string;
  /** 0–1. */
  confidence: number;
  source: FieldSource | null;
  origin: FieldOrigin;
}

export interface LineItem {
  description: string;
  quantity: string | null;
  unit: string | null;
  unit_price: string | null;
  net: string | null;
  vat_rate: string | null;
  vat: string | null;
  gross: string | null;
  source: FieldSource | null;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  fields: string[];
  message: string;
}

/** GET/PATCH /documents/:id/fields and POST /documents/:id/review. */
export interface FieldsJson {
  document_id: string;
  job_id: string;
  document_type: DocumentType;
  type_confidence: number;
  fields: Partial<Record<FieldName, Field>>;
  line_items: LineItem[];
  checks: CheckResult[];
  needs_review: boolean;
  /** Added by the server beyond API.md's minimum; absent on older servers. */
  review_reasons?: string[];
  template?: string | null;
  review: { state: ReviewState; by: string | null; at: string | null; note: string | null };
  version: number;
}

/** A correction: the new text (null clears), optionally with the box it was read from. */
export type FieldChange = string | null | { value: string | null; source?: FieldSource | null };

/** `event: snapshot` of GET /api/v1/events. */
export interface Snapshot {
  documents: { document: DocumentJson; status: UnifiedStatus }[];
  jobs: Job[];
}

/** `event: job` of GET /api/v1/events. */
export interface EventMessage {
  event: JobEvent;
  job: Job | null;
  document_status: UnifiedStatus;
}

/** application/problem+json */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  errors?: { field: string; message: string }[];
  /** Machine-readable particulars, e.g. `job_id` of a 409 job_active. */
  details?: Record<string, unknown>;
}

export function isActive(status: DocumentStatus): boolean {
  return status === "queued" || status === "processing";
}
