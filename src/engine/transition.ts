import type { Updateable } from "kysely";
import type { JobStepsTable, JobsTable } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import { DocketError } from "../errors.js";

/** One row of the audit trail, as written. */
export interface EventInput {
  jobId: string;
  documentId: string;
  ownerId: string;
  batchId: string | null;
  step: string | null;
  status: string;
  message: string | null;
  detail: Record<string, unknown> | null;
  attempt: number;
  createdAt: number;
}

/** The job a transition is about. */
export interface JobRef {
  id: string;
  documentId: string;
  ownerId: string;
  batchId: string | null;
}

/**
 * A worker's proof that it still owns the job: the job must still be `processing` in this
 * attempt. Every write a worker makes carries one, so a worker that lost its lease (and
 * whose job was requeued and claimed again) can never overwrite the newer attempt.
 */
export interface Fence {
  attempt: number;
}

export interface Transition {
  job: JobRef;
  /** Required for worker writes; omitted for writes that check state themselves (API, rescuer). */
  fence?: Fence;
  /** Extra conditions on the job row (e.g. `status = 'pending'` for cancelling a queued job). */
  expectStatus?: string;
  jobSet: Updateable<JobsTable>;
  stepSets?: { name: string; set: Updateable<JobStepsTable> }[];
  stepInserts?: JobStepsTable[];
  events: EventInput[];
}

export class LeaseLostError extends DocketError {
  constructor(jobId: string) {
    super("lease_lost", `job ${jobId}: this worker no longer holds the job (lease expired, cancelled or requeued)`, {
      permanent: false,
    });
  }
}

export class StateConflictError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} changed state concurrently`);
    this.name = "StateConflictError";
  }
}

export async function insertEvents(trx: Tx, events: readonly EventInput[]): Promise<number[]> {
  if (events.length === 0) return [];
  const rows = await trx
    .insertInto("job_events")
    .values(
      events.map((e) => ({
        job_id: e.jobId,
        document_id: e.documentId,
        owner_id: e.ownerId,
        batch_id: e.batchId,
        step: e.step,
        status: e.status,
        message: e.message,
        detail: e.detail === null ? null : JSON.stringify(e.detail),
        attempt: e.attempt,
        created_at: e.createdAt,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => Number(r.id));
}

/**
 * "One transaction, one truth": the job row, its step rows and the events describing the
 * change are written together, inside the caller's transaction. The job's `version` becomes
 * the id of the newest event, so it grows on every state change and never repeats.
 * Returns the new version; throws LeaseLostError / StateConflictError (rolling the whole
 * transaction back) when the job is no longer in the state the writer expected.
 */
export async function applyTransition(trx: Tx, t: Transition): Promise<number> {
  const ids = await insertEvents(trx, t.events);
  const version = ids.length > 0 ? Math.max(...ids) : undefined;

  let update = trx
    .updateTable("jobs")
    .set({ ...t.jobSet, ...(version === undefined ? {} : { version }) })
    .where("id", "=", t.job.id);
  if (t.fence) update = update.where("attempt", "=", t.fence.attempt).where("status", "=", "processing");
  if (t.expectStatus) update = update.where("status", "=", t.expectStatus);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    if (t.fence) throw new LeaseLostError(t.job.id);
    throw new StateConflictError(t.job.id);
  }

  if (t.stepInserts && t.stepInserts.length > 0) await trx.insertInto("job_steps").values(t.stepInserts).execute();
  for (const { name, set } of t.stepSets ?? []) {
    await trx.updateTable("job_steps").set(set).where("job_id", "=", t.job.id).where("name", "=", name).execute();
  }
  return version ?? -1;
}
