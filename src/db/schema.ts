import type { Generated } from "kysely";

/**
 * Row types of every table, identical on SQLite and PostgreSQL. Times are integer epoch
 * milliseconds (bigint on PostgreSQL, parsed to number) so one query code compares and
 * orders them the same way on both; booleans are 0/1 integers for the same reason.
 * JSON is stored as text and parsed in exactly one mapping function per table.
 */
export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  /** First characters of the token, shown in lists so people can tell tokens apart. */
  token_prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface DocumentsTable {
  id: string;
  owner_id: string;
  filename: string;
  safe_filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  num_pages: number | null;
  blob_key: string;
  latest_job_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface BatchesTable {
  id: string;
  owner_id: string;
  created_at: number;
}

export interface JobsTable {
  id: string;
  /** The document a job processes; null for a collection job (0003_collections), which has `collection_id`. */
  document_id: string | null;
  collection_id: string | null;
  owner_id: string;
  batch_id: string | null;
  pipeline: string;
  options: string;
  status: string;
  priority: number;
  attempt: number;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested_at: number | null;
  progress_phase: string | null;
  progress_step: number;
  progress_total: number;
  progress_percent: number;
  progress_message: string | null;
  error_code: string | null;
  error_message: string | null;
  review_reason: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
  version: number;
}

export interface JobStepsTable {
  job_id: string;
  name: string;
  position: number;
  status: string;
  attempts: number;
  job_attempt: number;
  started_at: number | null;
  finished_at: number | null;
  error_code: string | null;
  error_message: string | null;
  detail: string | null;
  progress_done: number;
  progress_total: number;
}

export interface JobEventsTable {
  id: Generated<number>;
  job_id: string;
  /** Null for a collection job's events, which carry `collection_id` (see JobsTable). */
  document_id: string | null;
  collection_id: string | null;
  owner_id: string;
  batch_id: string | null;
  step: string | null;
  status: string;
  message: string | null;
  detail: string | null;
  attempt: number;
  created_at: number;
}

export interface ArtifactsTable {
  id: string;
  job_id: string;
  document_id: string;
  owner_id: string;
  kind: string;
  blob_key: string;
  mime_type: string;
  size_bytes: number;
  created_at: number;
}

export interface IdempotencyKeysTable {
  owner_id: string;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: number;
}

/** One job's extracted fields (JSON columns as text); see migrations/0002_fields.ts. */
export interface DocumentFieldsTable {
  job_id: string;
  document_id: string;
  owner_id: string;
  document_type: string;
  type_confidence: number;
  fields: string;
  line_items: string;
  vat_breakdown: string;
  checks: string;
  ocr_confidence: number | null;
  template: string | null;
  review_reasons: string;
  needs_review: number;
  review_state: string;
  review_by: string | null;
  review_at: number | null;
  review_note: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** Extraction templates uploaded by an administrator (invoice2data YAML). */
export interface ExtractionTemplatesTable {
  name: string;
  yaml: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** A user's named, ordered set of documents (#15); soft-deleted. See migrations/0003_collections.ts. */
export interface CollectionsTable {
  id: string;
  owner_id: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  version: number;
}

/** One member of a collection, in order (`position`); the owner repeated for scoping. */
export interface CollectionDocumentsTable {
  collection_id: string;
  document_id: string;
  owner_id: string;
  position: number;
  added_at: number;
}

export interface DatabaseSchema {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  documents: DocumentsTable;
  batches: BatchesTable;
  jobs: JobsTable;
  job_steps: JobStepsTable;
  job_events: JobEventsTable;
  artifacts: ArtifactsTable;
  idempotency_keys: IdempotencyKeysTable;
  document_fields: DocumentFieldsTable;
  extraction_templates: ExtractionTemplatesTable;
  collections: CollectionsTable;
  collection_documents: CollectionDocumentsTable;
}
