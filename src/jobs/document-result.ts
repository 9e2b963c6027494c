import type { Database } from "../db/database.js";
import type { Scope } from "../domain/scope.js";
import { DocketError } from "../errors.js";

/**
 * The job whose results GET /documents/:id/result[/:format] serves: the document's latest
 * completed job (a later failed or running retry does not hide the results that exist).
 * 404 for a document the caller cannot see; 409 not_ready while no job has completed.
 */
export async function latestCompletedJobId(database: Database, scope: Scope, documentId: string): Promise<string> {
  let visible = database.db
    .selectFrom("documents")
    .select(["id", "latest_job_id"])
    .where("id", "=", documentId)
    .where("deleted_at", "is", null);
  if (!scope.admin) visible = visible.where("owner_id", "=", scope.userId);
  const document = await visible.executeTakeFirst();
  if (!document) throw new DocketError("not_found", "document not found");
  const job = await database.db
    .selectFrom("jobs")
    .select("id")
    .where("document_id", "=", document.id)
    .where("status", "=", "completed")
    .orderBy("completed_at", "desc")
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!job)
    throw new DocketError(
      "not_ready",
      document.latest_job_id
        ? "no job of this document has completed yet"
        : "the document has not been submitted for processing",
    );
  return job.id;
}
