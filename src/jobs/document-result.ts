import type { Database } from "../db/database.js";
import type { Scope } from "../domain/scope.js";
import { DocketError } from "../errors.js";
import { findLiveDocumentHead } from "../documents/document-repository.js";
import { latestCompletedJobIdOf } from "./job-reads.js";

/**
 * The job whose results GET /documents/:id/result[/:format] serves: the document's latest
 * completed job (a later failed or running retry does not hide the results that exist).
 * 404 for a document the caller cannot see; 409 not_ready while no job has completed.
 */
export async function latestCompletedJobId(database: Database, scope: Scope, documentId: string): Promise<string> {
  const document = await findLiveDocumentHead(database.db, scope, documentId);
  if (!document) throw new DocketError("not_found", "document not found");
  const job = await latestCompletedJobIdOf(database.db, document.id);
  if (!job)
    throw new DocketError(
      "not_ready",
      document.latest_job_id
        ? "no job of this document has completed yet"
        : "the document has not been submitted for processing",
    );
  return job;
}
