import type { Tx } from "../db/transaction.js";
import { DEFAULT_MAX_ATTEMPTS } from "../domain/types.js";
import { DocketError } from "../errors.js";
import { activeJobOf, jobActiveError, violatesOneActiveJob } from "./active-job.js";
import { applyTransitions } from "./apply-transition.js";
import { backToPending, cancelJob, isFinished } from "./job-transitions.js";
import { jobEvent, refOf, type JobState, type QueueKit } from "./queue-kit.js";
import type { JobRow } from "./rows.js";
import { jobWorkspace } from "./workspace-path.js";

/**
 * The API's control of a job: cancel, retry, delete. Each locks the job row, checks the
 * state it expects inside the transaction and applies its transition through the same
 * writer as the worker's.
 */

async function locked(kit: QueueKit, trx: Tx, jobId: string) {
  const found = await kit.lockJob(trx, jobId);
  if (!found) throw new DocketError("not_found", "job not found");
  const state: JobState = { ref: refOf(found.row), attempt: found.row.attempt, steps: found.steps };
  return { row: found.row, state };
}

/**
 * Cancel: a pending job is cancelled at once; a processing one is marked and its worker
 * is told (NOTIFY and its cancel poll), stopping within a second. Finished → not_cancellable.
 */
export async function cancel(kit: QueueKit, jobId: string): Promise<JobRow> {
  let notifyWorker = false;
  const row = await kit.transaction(async (trx) => {
    notifyWorker = false;
    const { row, state } = await locked(kit, trx, jobId);
    const now = kit.clock();
    if (row.status === "pending") {
      await applyTransitions(trx, [cancelJob(state, now, { expectStatus: "pending" })]);
    } else if (row.status === "processing") {
      if (row.cancel_requested_at === null) {
        await applyTransitions(trx, [
          {
            job: state.ref,
            expectStatus: "processing",
            jobSet: { cancel_requested_at: now, updated_at: now },
            events: [
              jobEvent(state.ref, row.attempt, now, { status: "cancel_requested", message: "Cancel requested" }),
            ],
          },
        ]);
        notifyWorker = true;
      }
    } else {
      throw new DocketError(
        "not_cancellable",
        `job is ${row.status}; only pending or processing jobs can be cancelled`,
      );
    }
    return trx.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
  });
  kit.afterCommit(notifyWorker ? { cancel: [jobId] } : {});
  return row;
}

/**
 * Retry a failed or cancelled job: it goes back to pending with a fresh allowance of
 * attempts; steps that succeeded keep their results and will not run again.
 */
export async function retry(kit: QueueKit, jobId: string, extraAttempts = DEFAULT_MAX_ATTEMPTS): Promise<JobRow> {
  let documentId: string | null = null;
  let row: JobRow;
  try {
    row = await kit.transaction(async (trx) => {
      const { row, state } = await locked(kit, trx, jobId);
      documentId = row.document_id;
      if (row.status !== "failed" && row.status !== "cancelled") {
        throw new DocketError("not_retryable", `job is ${row.status}; only failed or cancelled jobs can be retried`);
      }
      // One active job per document: another job of it running or queued blocks the retry.
      const active = row.document_id === null ? undefined : await activeJobOf(trx, row.document_id);
      if (active) throw jobActiveError(row.document_id!, active);
      const redo = state.steps.filter((s) => !isFinished(s)).map((s) => s.name);
      const t = backToPending(state, kit.clock(), {
        expectStatus: row.status,
        reset: redo,
        stepMessage: "Will run again",
        message: redo[0] ? `Retry requested; resuming at ${redo[0]}` : "Retry requested",
        detail: { retry: true, resume_at: redo[0] ?? null },
        jobSet: {
          max_attempts: row.attempt + extraAttempts,
          cancel_requested_at: null,
          error_code: null,
          error_message: null,
          review_reason: null,
          // A manual retry is a new run: its elapsed time starts now (run_at while queued,
          // the next claim's started_at once running), not when the first run started.
          started_at: null,
          completed_at: null,
        },
      });
      await applyTransitions(trx, [t]);
      return trx.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
    });
  } catch (error) {
    // A job of the same document became active after the check (PostgreSQL: its insert or
    // retry committed while this one waited on the index): the same 409, naming it.
    if (documentId === null || !violatesOneActiveJob(error)) throw error;
    const active = await activeJobOf(kit.database.db, documentId);
    throw active ? jobActiveError(documentId, active) : error;
  }
  kit.afterCommit({ jobs: true });
  return row;
}

/**
 * Deletes a finished job with its steps and artifact rows (the caller removes blobs). The
 * `deleted` event is appended through the writer like any transition (it changes no step);
 * then the rows go. Events stay: they are the audit trail.
 */
export async function deleteJob(kit: QueueKit, jobId: string): Promise<{ artifacts: string[]; workspace: string }> {
  const result = await kit.transaction(async (trx) => {
    const { row, state } = await locked(kit, trx, jobId);
    if (row.status === "pending" || row.status === "processing") {
      throw new DocketError("job_active", `job is ${row.status}; cancel it first or wait until it finishes`);
    }
    const now = kit.clock();
    await applyTransitions(trx, [
      {
        job: state.ref,
        expectStatus: row.status,
        jobSet: { updated_at: now },
        events: [jobEvent(state.ref, row.attempt, now, { status: "deleted", message: "Job deleted" })],
      },
    ]);
    const artifacts = await trx.selectFrom("artifacts").select("blob_key").where("job_id", "=", jobId).execute();
    await trx.deleteFrom("artifacts").where("job_id", "=", jobId).execute();
    await trx.deleteFrom("job_steps").where("job_id", "=", jobId).execute();
    await trx.deleteFrom("jobs").where("id", "=", jobId).execute();
    const previous = await trx
      .selectFrom("jobs")
      .select("id")
      .where("document_id", "=", row.document_id)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    await trx
      .updateTable("documents")
      .set({ latest_job_id: previous?.id ?? null, updated_at: now })
      .where("id", "=", row.document_id)
      .where("latest_job_id", "=", jobId)
      .execute();
    return { artifacts: artifacts.map((a) => a.blob_key), workspace: jobWorkspace(jobId) };
  });
  kit.afterCommit();
  return result;
}
