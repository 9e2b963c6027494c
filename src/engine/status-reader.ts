import type { Database } from "../db/database.js";
import { deriveStatus, type UnifiedStatus } from "../domain/status.js";
import { jobRowToJob, stepRowToStep } from "./rows.js";

/**
 * Reads what the unified status needs (the latest job and its steps: two indexed point
 * reads) and derives it. The caller has already checked the document's owner.
 */
export async function readJobStatus(database: Database, latestJobId: string | null, now = Date.now()): Promise<UnifiedStatus> {
  if (latestJobId === null) return deriveStatus(null, [], now);
  const [job, steps] = await Promise.all([
    database.db.selectFrom("jobs").selectAll().where("id", "=", latestJobId).executeTakeFirst(),
    database.db.selectFrom("job_steps").selectAll().where("job_id", "=", latestJobId).execute(),
  ]);
  if (!job) return deriveStatus(null, [], now);
  return deriveStatus(jobRowToJob(job), steps.map(stepRowToStep), now);
}

/** The unified status of a document by id, or undefined when it does not exist (or is deleted). */
export async function readDocumentStatus(database: Database, documentId: string, now = Date.now()): Promise<UnifiedStatus | undefined> {
  const document = await database.db
    .selectFrom("documents")
    .select(["latest_job_id"])
    .where("id", "=", documentId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!document) return undefined;
  return readJobStatus(database, document.latest_job_id, now);
}
