import type { Database } from "../db/database.js";
import { executePrepared } from "../db/prepared.js";
import { sql, type Updateable } from "kysely";
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

/**
 * PostgreSQL: the same transition as ONE statement, so it costs one round trip and needs no
 * explicit transaction. The job-row UPDATE carries the fence; every other part of the
 * statement (events, step updates and inserts) only acts when that UPDATE matched a row,
 * so a fenced-off writer changes nothing at all. The version is drawn from the event id
 * sequence: unique, and increasing with every transition of a job.
 */
export async function applyTransitionStatement(database: Database, t: Transition): Promise<number> {
  const sets = Object.entries(t.jobSet)
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  sets.push(sql`version = nextval(pg_get_serial_sequence('job_events', 'id'))`);
  const conditions = [sql`id = ${t.job.id}`];
  if (t.fence) conditions.push(sql`attempt = ${t.fence.attempt}`, sql`status = 'processing'`);
  if (t.expectStatus) conditions.push(sql`status = ${t.expectStatus}`);

  const ctes = [
    sql`j as (update jobs set ${sql.join(sets)} where ${sql.join(conditions, sql` and `)} returning version)`,
  ];
  if (t.events.length > 0) {
    const rows = t.events.map(
      (e) =>
        sql`(${e.jobId}::text, ${e.documentId}::text, ${e.ownerId}::text, ${e.batchId}::text, ${e.step}::text, ${e.status}::text, ${e.message}::text, ${e.detail === null ? null : JSON.stringify(e.detail)}::text, ${e.attempt}::int, ${e.createdAt}::bigint, ${t.events.indexOf(e)}::int)`,
    );
    ctes.push(sql`ev as (insert into job_events (job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, created_at)
      select job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, created_at
      from (values ${sql.join(rows)}) as v(job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, created_at, ord)
      where exists (select 1 from j) order by ord returning id)`);
  }
  for (const [i, { name, set }] of (t.stepSets ?? []).entries()) {
    const stepSets = Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
    if (stepSets.length === 0) continue;
    ctes.push(sql`${sql.raw(`s${i}`)} as (update job_steps set ${sql.join(stepSets)}
      where job_id = ${t.job.id} and name = ${name} and exists (select 1 from j) returning 1)`);
  }
  for (const [i, row] of (t.stepInserts ?? []).entries()) {
    ctes.push(sql`${sql.raw(`n${i}`)} as (insert into job_steps
      (job_id, name, position, status, attempts, job_attempt, started_at, finished_at, error_code, error_message, detail, progress_done, progress_total)
      select ${row.job_id}::text, ${row.name}::text, ${row.position}::int, ${row.status}::text, ${row.attempts}::int, ${row.job_attempt}::int,
        ${row.started_at}::bigint, ${row.finished_at}::bigint, ${row.error_code}::text, ${row.error_message}::text, ${row.detail}::text,
        ${row.progress_done}::int, ${row.progress_total}::int
      where exists (select 1 from j) returning 1)`);
  }
  const [row] = await executePrepared(database, sql<{ version: number }>`with ${sql.join(ctes)} select version from j`);
  if (!row) {
    if (t.fence) throw new LeaseLostError(t.job.id);
    throw new StateConflictError(t.job.id);
  }
  return Number(row.version);
}
