import type { Database } from "../db/database.js";
import { preparedRunner } from "../db/prepared.js";
import { writeTransaction, type Tx } from "../db/transaction.js";
import type { SqlRunner } from "./apply-transition.js";
import { GroupCommit, type ExtraWrites } from "./group-commit.js";
import type { Notifier } from "./notifier.js";
import type { JobRow, JobStepRow } from "./rows.js";
import type { Applied, EventInput, JobRef, Transition } from "./transition.js";

export type Clock = () => number;

export interface BackoffPolicy {
  /** Delay before attempt n+1 after attempt n failed, in ms (before jitter). */
  baseMs: number;
  maxMs: number;
}

export interface QueueKitOptions {
  database: Database;
  notifier: Notifier;
  clock?: Clock;
  backoff?: BackoffPolicy;
}

/** A job as a transition sees it: who it is, which attempt, and its step rows. */
export interface JobState {
  ref: JobRef;
  attempt: number;
  steps: readonly JobStepRow[];
}

export const refOf = (row: Pick<JobRow, "id" | "document_id" | "collection_id" | "owner_id" | "batch_id">): JobRef => ({
  id: row.id,
  documentId: row.document_id,
  collectionId: row.collection_id,
  ownerId: row.owner_id,
  batchId: row.batch_id,
});

/** An event about `job` (its step when `step` is set) at `now`. */
export function jobEvent(
  job: JobRef,
  attempt: number,
  now: number,
  e: { status: string; step?: string | null; message?: string | null; detail?: Record<string, unknown> | null },
): EventInput {
  return {
    jobId: job.id,
    documentId: job.documentId,
    collectionId: job.collectionId,
    ownerId: job.ownerId,
    batchId: job.batchId,
    step: e.step ?? null,
    status: e.status,
    message: e.message ?? null,
    detail: e.detail ?? null,
    attempt,
    createdAt: now,
  };
}

/**
 * What every queue module needs to make a transition: the database, the clock, the
 * back-off policy, the group commit for running jobs' writes, the row lock for control
 * and rescue, and the wake-up hints to publish after commit.
 */
export class QueueKit {
  readonly database: Database;
  readonly notifier: Notifier;
  readonly clock: Clock;
  private readonly backoff: BackoffPolicy;
  private readonly group: GroupCommit;
  private prepared: SqlRunner | null = null;

  constructor(options: QueueKitOptions) {
    this.database = options.database;
    this.notifier = options.notifier;
    this.clock = options.clock ?? Date.now;
    this.backoff = options.backoff ?? { baseMs: 2_000, maxMs: 10 * 60_000 };
    this.group = new GroupCommit(options.database);
  }

  /** Exponential back-off with jitter: base·2^(n-1), ±50 %, capped. */
  backoffDelay(failedAttempt: number): number {
    const exp = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, failedAttempt - 1));
    return Math.round(exp * (0.5 + Math.random()));
  }

  /** Commits a running job's transition, sharing a commit with other slots' (group-commit.ts). */
  commit(t: Transition, extra?: ExtraWrites): Promise<Applied> {
    return this.group.submit(t, extra);
  }

  /** PostgreSQL: one statement of the engine's, as a named prepared statement (db/prepared.ts). */
  runPrepared(text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
    this.prepared ??= preparedRunner(this.database);
    return this.prepared(text, values);
  }

  transaction<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    return writeTransaction(this.database, work);
  }

  /** The job row, locked until the transaction ends (PostgreSQL; SQLite's write lock covers it), and its steps. */
  async lockJob(trx: Tx, jobId: string): Promise<{ row: JobRow; steps: JobStepRow[] } | undefined> {
    let query = trx.selectFrom("jobs").selectAll().where("id", "=", jobId);
    if (this.database.dialect === "postgres") query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    const steps = await trx
      .selectFrom("job_steps")
      .selectAll()
      .where("job_id", "=", jobId)
      .orderBy("position")
      .execute();
    return { row, steps };
  }

  /** Wake-up hints after commit: new events always; `jobs` when work became claimable; `cancel` per job id. */
  afterCommit(kind: { jobs?: boolean; cancel?: string[] } = {}): void {
    this.notifier.publish("events");
    if (kind.jobs) this.notifier.publish("jobs");
    for (const id of kind.cancel ?? []) this.notifier.publish("cancel", id);
  }
}
