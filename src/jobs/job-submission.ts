/** Creating OCR jobs for documents: one (submit), a batch, or a collection's process stage. */
import type { Database } from "../db/database.js";
import { writeTransaction } from "../db/transaction.js";
import type { DestinationService } from "../destinations/destination-service.js";
import type { Scope } from "../documents/document-service.js";
import { isJobActive } from "../engine/active-job.js";
import { newId } from "../engine/ids.js";
import type { JobQueue } from "../engine/job-queue.js";
import type { PipelineDefinition } from "../engine/pipeline.js";
import type { JobRow } from "../engine/rows.js";
import { DocketError } from "../errors.js";
import { attachSteps, jobToJson, type JobJson } from "./job-view.js";
import { destinationOptions, resolveOptions, type SubmitOptions } from "./options.js";

/** A document a batch did not submit, and why (the shape of the collection process stage's `skipped`). */
export interface SkippedDocument {
  document_id: string;
  reason: "job_active";
  job_id: string | null;
  message: string;
}

export interface Submitted {
  /** Null when nothing was created (every document skipped), or for a single submit. */
  batchId: string | null;
  jobs: JobJson[];
  skipped: SkippedDocument[];
}

export interface SubmissionDeps {
  database: Database;
  queue: JobQueue;
  pipeline: PipelineDefinition;
  defaultLanguages: readonly string[];
  destinations?: Pick<DestinationService, "resolveForSubmit"> | undefined;
}

async function liveDocuments(database: Database, scope: Scope, ids: readonly string[]) {
  let query = database.db
    .selectFrom("documents")
    .select(["id", "owner_id"])
    .where("id", "in", [...new Set(ids)])
    .where("deleted_at", "is", null);
  if (!scope.admin) query = query.where("owner_id", "=", scope.userId);
  return query.execute();
}

/**
 * Creates a job per document in one transaction. Every document must exist and be the
 * caller's (else 404 and nothing is created). A document with an active job is a 409
 * `job_active` for a single submit; a batch (`asBatch`) lists it in `skipped` and goes on,
 * because the engine refuses it without a failed statement (active-job.ts). Jobs are
 * inserted in document id order, so two batches racing over the same documents on
 * PostgreSQL wait for each other in one order and never deadlock; they are answered in
 * the order asked.
 */
export async function submitJobs(
  deps: SubmissionDeps,
  scope: Scope,
  documentIds: readonly string[],
  input: SubmitOptions,
  asBatch: boolean,
): Promise<Submitted> {
  const unique = [...new Set(documentIds)];
  if (unique.length !== documentIds.length) {
    throw new DocketError("validation_error", "document_ids contains duplicates", {
      details: { fields: ["document_ids"] },
    });
  }
  const { database, queue, pipeline } = deps;
  const { options, priority } = resolveOptions(input, deps.defaultLanguages);
  Object.assign(options, await destinationOptions(deps.destinations, scope.userId, input.destinations));
  pipeline.checkOptions?.(options);
  const plan = pipeline.plan(options);
  const docs = await liveDocuments(database, scope, unique);
  const found = new Map(docs.map((d) => [d.id, d]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new DocketError(
      "not_found",
      missing.length === 1 ? "document not found" : `${missing.length} documents not found`,
      { details: { document_ids: missing } },
    );
  }
  const batchId = asBatch ? newId() : null;
  const { created, skipped } = await writeTransaction(database, async (trx) => {
    if (batchId)
      await trx.insertInto("batches").values({ id: batchId, owner_id: scope.userId, created_at: Date.now() }).execute();
    const created = new Map<string, JobRow>();
    const skipped = new Map<string, SkippedDocument>();
    for (const id of [...unique].sort()) {
      try {
        // The job belongs to the document's owner (an admin may submit for anyone).
        const ownerId = found.get(id)!.owner_id;
        created.set(
          id,
          await queue.enqueue(
            { documentId: id, ownerId, batchId, pipeline: pipeline.name, options, plan, priority },
            trx,
          ),
        );
      } catch (error) {
        if (!asBatch || !isJobActive(error)) throw error;
        const jobId = typeof error.details?.job_id === "string" ? error.details.job_id : null;
        skipped.set(id, { document_id: id, reason: "job_active", job_id: jobId, message: error.message });
      }
    }
    if (batchId && created.size === 0) await trx.deleteFrom("batches").where("id", "=", batchId).execute();
    return { created, skipped };
  });
  if (created.size > 0) queue.announceEnqueued();
  const rows = unique.flatMap((id) => (created.has(id) ? [created.get(id)!] : []));
  const loaded = await attachSteps(database, rows);
  const now = Date.now();
  return {
    batchId: created.size > 0 ? batchId : null,
    jobs: rows.map((r) => jobToJson(loaded.get(r.id)!.job, loaded.get(r.id)!.steps, now)),
    skipped: unique.flatMap((id) => (skipped.has(id) ? [skipped.get(id)!] : [])),
  };
}

/** 409 job_active for a batch whose every document has an active job: nothing was created. */
export function allSkippedError(skipped: readonly SkippedDocument[]): DocketError {
  const named = skipped.map((s) => `${s.document_id} (job ${s.job_id ?? "?"})`);
  return new DocketError(
    "job_active",
    skipped.length === 1
      ? skipped[0]!.message
      : `every document already has an active job: ${named.slice(0, 10).join(", ")}${named.length > 10 ? ", …" : ""}`,
    { details: { job_id: skipped[0]?.job_id ?? null, skipped } },
  );
}
