import type { ExpressionBuilder } from "kysely";
import type { DatabaseSchema } from "../db/schema.js";
import type { DocumentStatus } from "../domain/types.js";

/**
 * The SQL shape of deriveStatus's top-level mapping (job status → document status), only to
 * select rows of `documents` joined to their latest job as `jobs`; every status shown is still
 * computed by deriveStatus.
 */
export function whereUnifiedStatus(
  eb: ExpressionBuilder<DatabaseSchema, "documents" | "jobs">,
  status: DocumentStatus,
) {
  switch (status) {
    case "uploaded":
      return eb("documents.latest_job_id", "is", null);
    case "queued":
      return eb("jobs.status", "=", "pending");
    case "processing":
      return eb("jobs.status", "=", "processing");
    case "completed":
      return eb.and([eb("jobs.status", "=", "completed"), eb("jobs.review_reason", "is", null)]);
    case "manual_review":
      return eb.and([eb("jobs.status", "=", "completed"), eb("jobs.review_reason", "is not", null)]);
    case "failed":
      return eb("jobs.status", "=", "failed");
    case "cancelled":
      return eb("jobs.status", "=", "cancelled");
  }
}
