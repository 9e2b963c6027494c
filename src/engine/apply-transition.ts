import { CompiledQuery, PostgresAdapter, sql } from "kysely";
import type { Tx } from "../db/transaction.js";
import type { JobStepRow } from "./rows.js";
import {
  deriveWrites,
  LeaseLostError,
  StateConflictError,
  type Applied,
  type EventInput,
  type Transition,
} from "./transition.js";

/**
 * Writing transitions: the job row, the step rows the events changed and the events, all in
 * the caller's transaction (or, on PostgreSQL, in one statement, atomic on its own). There is
 * one writer per database: on PostgreSQL one statement applies any number of transitions
 * (`POSTGRES_BATCH`), on SQLite a few short statements per transition under the write lock.
 *
 * The job-row UPDATE carries the conditions (fence, expected status); a transition whose job
 * no longer matches writes nothing at all and comes back as `null`.
 */

/** Runs one SQL text with positional values and returns its rows. */
export type SqlRunner = (text: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** Job columns a transition may set, with their PostgreSQL types (for the JSON input of the batch statement). */
const JOB_COLUMNS: Record<string, string> = {
  status: "text",
  priority: "int",
  attempt: "int",
  max_attempts: "int",
  run_at: "bigint",
  lease_owner: "text",
  lease_expires_at: "bigint",
  cancel_requested_at: "bigint",
  progress_phase: "text",
  progress_step: "int",
  progress_total: "int",
  progress_percent: "real",
  progress_message: "text",
  error_code: "text",
  error_message: "text",
  review_reason: "text",
  started_at: "bigint",
  completed_at: "bigint",
  updated_at: "bigint",
};

const EVENT_COLUMNS =
  "job_id text, document_id text, collection_id text, owner_id text, batch_id text, step text, status text, message text, detail text, attempt int, created_at bigint";
const STEP_COLUMNS =
  "job_id text, name text, position int, status text, attempts int, job_attempt int, started_at bigint, finished_at bigint, error_code text, error_message text, detail text, progress_done int, progress_total int";
const stepNames = STEP_COLUMNS.split(", ").map((c) => c.split(" ")[0]!);
const eventNames = EVENT_COLUMNS.split(", ").map((c) => c.split(" ")[0]!);

/**
 * PostgreSQL: any number of transitions (of different jobs) in ONE statement, so a batch
 * costs one round trip and one commit. Its three inputs are JSON arrays: the job updates
 * (each with its own set of columns, its fence and expected status), the events and the
 * whole step rows (and the job ids as an array, for the planner). Events and steps are only written for jobs whose UPDATE matched. The
 * events' ids are drawn first, in order, so the job's version is its newest event's id, as on SQLite.
 */
export const POSTGRES_BATCH = `with i as (
  select * from json_to_recordset($1::json) as i(id text, fence int, expect text, attempt int, s jsonb)
), e as (
  select o.*, nextval('job_events_id_seq'::regclass) as event_id
  from (select * from json_to_recordset($2::json) as x(${EVENT_COLUMNS}, ord int) order by x.ord) o
), j as (
  update jobs set ${Object.entries(JOB_COLUMNS)
    .map(([c, type]) => `${c} = case when i.s ? '${c}' then (i.s->>'${c}')::${type} else jobs.${c} end`)
    .join(", ")},
    version = coalesce((select max(e.event_id) from e where e.job_id = i.id), nextval('job_events_id_seq'::regclass))
  from i
  where jobs.id = any($4::text[]) and jobs.id = i.id
    and (i.fence is null or (jobs.attempt = i.fence and jobs.status = 'processing'))
    and (i.expect is null or jobs.status = i.expect)
    and (i.attempt is null or jobs.attempt = i.attempt)
  returning jobs.id, jobs.version
), ev as (
  insert into job_events (id, ${eventNames.join(", ")}) overriding system value
  select event_id, ${eventNames.join(", ")} from e
  where e.job_id in (select id from j) order by e.event_id
  returning 1
), st as (
  insert into job_steps (${stepNames.join(", ")})
  select ${stepNames.join(", ")} from json_to_recordset($3::json) as s(${STEP_COLUMNS})
  where s.job_id in (select id from j)
  on conflict (job_id, name) do update set ${stepNames
    .slice(2)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}
  returning 1
)
select id, version from j`;

function eventRow(e: EventInput) {
  return {
    job_id: e.jobId,
    document_id: e.documentId,
    collection_id: e.collectionId,
    owner_id: e.ownerId,
    batch_id: e.batchId,
    step: e.step,
    status: e.status,
    message: e.message,
    detail: e.detail === null ? null : JSON.stringify(e.detail),
    attempt: e.attempt,
    created_at: e.createdAt,
  };
}

/** PostgreSQL: applies the transitions (of distinct jobs) in one statement; `null` where the job did not match. */
export async function applyPostgres(run: SqlRunner, transitions: readonly Transition[]): Promise<(Applied | null)[]> {
  const derived = transitions.map(deriveWrites);
  const jobs = transitions.map((t, k) => ({
    id: t.job.id,
    fence: t.fence?.attempt ?? null,
    expect: t.expectStatus ?? null,
    attempt: t.expectAttempt ?? null,
    s: derived[k]!.jobSet,
  }));
  const events = transitions.flatMap((t) => t.events).map((e, ord) => ({ ...eventRow(e), ord }));
  const steps = derived.flatMap((d) => d.changedSteps);
  // The ids again as an array: the planner cannot see into the JSON, and without them it
  // would join the whole jobs table instead of looking the rows up by primary key.
  const ids = jobs.map((j) => j.id);
  const rows = await run(POSTGRES_BATCH, [JSON.stringify(jobs), JSON.stringify(events), JSON.stringify(steps), ids]);
  const versions = new Map(rows.map((r) => [r.id as string, Number(r.version)]));
  return transitions.map((t, k) => {
    const version = versions.get(t.job.id);
    return version === undefined ? null : { version, steps: derived[k]!.stepsAfter };
  });
}

/**
 * SQLite, inside the caller's write transaction: the job row first (its conditions decide
 * whether anything is written), then the events, then the changed step rows whole. Under the
 * single write lock the events' ids are the sequence's next values, so the job's version (the
 * newest event id) is known before they are inserted: no read-back.
 */
export async function applySqlite(trx: Tx, t: Transition): Promise<Applied | null> {
  const { jobSet, stepsAfter, changedSteps } = deriveWrites(t);
  const n = t.events.length;
  let update = trx
    .updateTable("jobs")
    .set({
      ...jobSet,
      ...(n > 0
        ? { version: sql<number>`coalesce((select seq from sqlite_sequence where name = 'job_events'), 0) + ${n}` }
        : {}),
    })
    .where("id", "=", t.job.id);
  if (t.fence) update = update.where("attempt", "=", t.fence.attempt).where("status", "=", "processing");
  if (t.expectStatus) update = update.where("status", "=", t.expectStatus);
  if (t.expectAttempt !== undefined) update = update.where("attempt", "=", t.expectAttempt);
  const updated = await update.returning("version").executeTakeFirst();
  if (!updated) return null;
  if (n > 0) await trx.insertInto("job_events").values(t.events.map(eventRow)).execute();
  await upsertSteps(trx, changedSteps);
  return { version: Number(updated.version), steps: stepsAfter };
}

async function upsertSteps(trx: Tx, rows: readonly JobStepRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("job_steps")
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(["job_id", "name"]).doUpdateSet((eb) => ({
        position: eb.ref("excluded.position"),
        status: eb.ref("excluded.status"),
        attempts: eb.ref("excluded.attempts"),
        job_attempt: eb.ref("excluded.job_attempt"),
        started_at: eb.ref("excluded.started_at"),
        finished_at: eb.ref("excluded.finished_at"),
        error_code: eb.ref("excluded.error_code"),
        error_message: eb.ref("excluded.error_message"),
        detail: eb.ref("excluded.detail"),
        progress_done: eb.ref("excluded.progress_done"),
        progress_total: eb.ref("excluded.progress_total"),
      })),
    )
    .execute();
}

export function isPostgres(trx: Tx): boolean {
  return trx.getExecutor().adapter instanceof PostgresAdapter;
}

/** Runs SQL text through a Kysely connection (a transaction's, on PostgreSQL). */
export const kyselyRunner =
  (trx: Tx): SqlRunner =>
  async (text, values) =>
    (await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...values]))).rows;

/**
 * Applies transitions inside the caller's transaction, all or nothing: throws LeaseLostError
 * (fenced writes) or StateConflictError (a checked state that changed), which rolls the
 * whole transaction back.
 */
export async function applyTransitions(trx: Tx, transitions: readonly Transition[]): Promise<Applied[]> {
  if (transitions.length === 0) return [];
  let results: (Applied | null)[];
  if (isPostgres(trx)) results = await applyPostgres(kyselyRunner(trx), transitions);
  else {
    // One after another: each version is read from the sequence the one before advanced.
    results = [];
    for (const t of transitions) results.push(await applySqlite(trx, t));
  }
  return results.map((result, k) => {
    if (result) return result;
    const t = transitions[k]!;
    throw t.fence ? new LeaseLostError(t.job.id) : new StateConflictError(t.job.id);
  });
}

/** One transition inside the caller's transaction; returns the job's new version. */
export async function applyTransition(trx: Tx, t: Transition): Promise<number> {
  const [applied] = await applyTransitions(trx, [t]);
  return applied!.version;
}
