import { sql } from "kysely";
import type { Tx } from "../db/transaction.js";
import { DocketError } from "../errors.js";

/**
 * One active (pending or processing) job per document. The database holds the rule: a
 * partial unique index over the active rows (`0005_one_active_job`). Enqueue inserts with
 * ON CONFLICT on that index and DO NOTHING, so a conflict is an empty insert rather than an
 * error that would abort a PostgreSQL transaction (a batch goes on with its other
 * documents); a retry that would make a second job active fails its update, and is turned
 * into the same 409 here.
 */

/** The partial index's name and predicate, word for word: PostgreSQL infers the ON CONFLICT target from them. */
export const ACTIVE_JOB_INDEX = "jobs_one_active_per_document_idx";
export const ACTIVE_JOB_PREDICATE = sql<boolean>`document_id is not null and status in ('pending', 'processing')`;

export interface ActiveJob {
  id: string;
  status: string;
}

/** The document's active job, if it has one (there is at most one). */
export async function activeJobOf(db: Tx, documentId: string): Promise<ActiveJob | undefined> {
  return db
    .selectFrom("jobs")
    .select(["id", "status"])
    .where("document_id", "=", documentId)
    .where("status", "in", ["pending", "processing"])
    .executeTakeFirst();
}

/** 409 job_active; the problem's `detail` names the job, `details.job_id` carries its id. */
export function jobActiveError(documentId: string, job: ActiveJob): DocketError {
  return new DocketError(
    "job_active",
    `document ${documentId} already has an active job ${job.id} (${job.status === "pending" ? "queued" : job.status}); wait for it or cancel it first`,
    { details: { job_id: job.id, document_id: documentId, status: job.status } },
  );
}

/** True for a DocketError job_active (a batch skips such documents instead of failing). */
export function isJobActive(error: unknown): error is DocketError {
  return error instanceof DocketError && error.code === "job_active";
}

/** A write refused by the one-active-job index (SQLite or PostgreSQL). */
export function violatesOneActiveJob(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (e?.code === "23505") return e.constraint === ACTIVE_JOB_INDEX;
  return (
    typeof e?.code === "string" &&
    e.code.startsWith("SQLITE_CONSTRAINT") &&
    typeof e.message === "string" &&
    e.message.includes("jobs.document_id")
  );
}
