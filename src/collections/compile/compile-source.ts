import type { Database } from "../../db/database.js";
import { documentsByIds } from "../../documents/document-repository.js";
import { artifactsOfJobs, latestCompletedJobsOf } from "../../jobs/job-reads.js";
import type { ReviewThresholds } from "../../extraction/types.js";
import { findVisibleExtractions } from "../../fields/fields-repository.js";
import { fieldsToJson } from "../../fields/fields-view.js";
import type { CompileMember } from "./member.js";

const PAGE = 50;

/**
 * The members of a compile job, in collection order, read from the database a page of 50 at
 * a time: each builder walks them once and holds one page of rows (never 300 documents'
 * fields at once). A member's outputs and fields are those of its latest completed job.
 */
export async function* compileMembers(
  database: Database,
  thresholds: ReviewThresholds,
  memberIds: readonly string[],
): AsyncGenerator<CompileMember> {
  const { db } = database;
  for (let start = 0; start < memberIds.length; start += PAGE) {
    const ids = memberIds.slice(start, start + PAGE);
    const [documents, latest] = await Promise.all([documentsByIds(db, ids), latestCompletedJobsOf(db, ids)]);
    const jobIds = [...latest.values()].map((j) => j.id);
    const [artifacts, extractions] = await Promise.all([
      artifactsOfJobs(db, jobIds),
      findVisibleExtractions(db, jobIds),
    ]);
    const byDocument = new Map(documents.map((d) => [d.id, d]));
    for (let i = 0; i < ids.length; i++) {
      const doc = byDocument.get(ids[i]!);
      // A document deleted since the compile was requested: left out, like a removed member.
      if (!doc) continue;
      const job = latest.get(doc.id) ?? null;
      const extraction = job ? extractions.get(job.id) : undefined;
      yield {
        index: start + i + 1,
        documentId: doc.id,
        filename: doc.filename,
        safeFilename: doc.safe_filename,
        mimeType: doc.mime_type,
        blobKey: doc.blob_key,
        numPages: doc.num_pages === null ? null : Number(doc.num_pages),
        jobId: job?.id ?? null,
        artifacts: artifacts
          .filter((a) => a.job_id === job?.id)
          .map((a) => ({ kind: a.kind, blobKey: a.blob_key, mimeType: a.mime_type, sizeBytes: Number(a.size_bytes) })),
        fields: extraction && job ? fieldsToJson(extraction, job.version, thresholds) : null,
      };
    }
  }
}
