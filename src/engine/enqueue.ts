import type { Tx } from "../db/transaction.js";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_PRIORITY, type JobOptions } from "../domain/types.js";
import { DocketError } from "../errors.js";
import { activeJobOf, ACTIVE_JOB_PREDICATE, jobActiveError } from "./active-job.js";
import { applyTransitions } from "./apply-transition.js";
import { newId } from "./ids.js";
import { jobEvent, refOf, type QueueKit } from "./queue-kit.js";
import type { JobRow } from "./rows.js";
import { progressColumns, progressOfRows } from "./transition.js";

/** A document job names its document; a collection job (the compile stage) its collection instead. */
export interface EnqueueInput {
  documentId?: string | null;
  collectionId?: string | null;
  ownerId: string;
  batchId?: string | null;
  pipeline: string;
  options: JobOptions;
  plan: string[];
  priority?: number;
  maxAttempts?: number;
  runAt?: number;
}

/**
 * Creates the job, its planned steps and its first events in one transaction (inside `trx`
 * if given; then call `announceEnqueued` after that transaction commits). The job row is
 * inserted bare; its step rows come from the `pending` events with a position, the same
 * events the ledger's rebuild creates them from.
 */
export async function enqueue(kit: QueueKit, input: EnqueueInput, trx?: Tx): Promise<JobRow> {
  const row = trx ? await enqueueIn(kit, trx, input) : await kit.transaction((t) => enqueueIn(kit, t, input));
  if (!trx) announceEnqueued(kit);
  return row;
}

export function announceEnqueued(kit: QueueKit): void {
  kit.afterCommit({ jobs: true });
}

async function enqueueIn(kit: QueueKit, trx: Tx, input: EnqueueInput): Promise<JobRow> {
  const documentId = input.documentId ?? null;
  const collectionId = input.collectionId ?? null;
  if ((documentId === null) === (collectionId === null))
    throw new DocketError("validation_error", "a job is for exactly one document or one collection");
  if (input.plan.length === 0) throw new DocketError("validation_error", "a job needs at least one step");
  if (new Set(input.plan).size !== input.plan.length)
    throw new DocketError("validation_error", "duplicate step names in plan");
  const now = kit.clock();
  const row: JobRow = {
    id: newId(),
    document_id: documentId,
    collection_id: collectionId,
    owner_id: input.ownerId,
    batch_id: input.batchId ?? null,
    pipeline: input.pipeline,
    options: JSON.stringify(input.options),
    status: "pending",
    priority: input.priority ?? DEFAULT_PRIORITY,
    attempt: 0,
    max_attempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    run_at: input.runAt ?? now,
    lease_owner: null,
    lease_expires_at: null,
    cancel_requested_at: null,
    ...progressColumns(progressOfRows([])),
    error_code: null,
    error_message: null,
    review_reason: null,
    created_at: now,
    started_at: null,
    completed_at: null,
    updated_at: now,
    version: 0,
  };
  await insertJobRow(trx, row);
  const ref = refOf(row);
  const [applied] = await applyTransitions(trx, [
    {
      job: ref,
      expectStatus: "pending",
      steps: [],
      jobSet: { updated_at: now },
      events: [
        jobEvent(ref, 0, now, {
          status: "pending",
          message: "Queued",
          detail: { pipeline: input.pipeline, plan: input.plan, priority: row.priority },
        }),
        ...input.plan.map((step, position) => jobEvent(ref, 0, now, { step, status: "pending", detail: { position } })),
      ],
    },
  ]);
  row.version = applied!.version;
  Object.assign(row, progressColumns(progressOfRows(applied!.steps!)));
  if (documentId !== null) {
    await trx
      .updateTable("documents")
      .set({ latest_job_id: row.id, updated_at: now })
      .where("id", "=", documentId)
      .execute();
  }
  return row;
}

/**
 * Inserts the row unless the document has an active job. The insert is race-safe: it is
 * the unique index that decides (PostgreSQL makes a concurrent insert of the same document
 * wait for the first one's commit, SQLite has one writer), never a read before it. After an
 * empty insert the active job is read to name it; if it finished in between, try again.
 */
async function insertJobRow(trx: Tx, row: JobRow): Promise<void> {
  const documentId = row.document_id;
  if (documentId === null) {
    await trx.insertInto("jobs").values(row).execute();
    return;
  }
  for (let round = 0; round < 5; round++) {
    const inserted = await trx
      .insertInto("jobs")
      .values(row)
      .onConflict((oc) => oc.column("document_id").where(ACTIVE_JOB_PREDICATE).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) return;
    const active = await activeJobOf(trx, documentId);
    if (active) throw jobActiveError(documentId, active);
  }
  throw new DocketError("state_conflict", `document ${documentId}: its active job kept changing; submit again`);
}
