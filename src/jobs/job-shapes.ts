/** The shapes JobService takes and answers with (API JSON and list queries), apart from its logic. */
import type { JobStatus } from "../domain/types.js";
import type { FieldsJson } from "../fields/fields-types.js";
import type { JobJson } from "./job-view.js";

export interface ListJobsQuery {
  page: number;
  pageSize: number;
  status?: JobStatus | undefined;
  documentId?: string | undefined;
  batchId?: string | undefined;
}

export interface ResultJson {
  job_id: string;
  document_id: string;
  text: string | null;
  markdown: string | null;
  confidence: number | null;
  processing_time_ms: number | null;
  num_pages: number | null;
  formats: { format: string; mime_type: string; size_bytes: number; url: string }[];
  /** The extracted fields (the same object as GET /documents/:id/fields), or null when the job extracted none. */
  fields: FieldsJson | null;
}

export interface BatchJson {
  id: string;
  total: number;
  counts: Record<JobStatus, number>;
  percentage: number;
  created_at: string;
  jobs: JobJson[];
}
