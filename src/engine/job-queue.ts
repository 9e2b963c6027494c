import { sql } from "kysely";
import type { Database } from "../db/database.js";
import type { JobStepsTable } from "../db/schema.js";
import { writeTransaction, type Tx } from "../db/transaction.js";
import { computeProgress } from "../domain/progress.js";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PRIORITY,
  type ErrorInfo,
  type JobOptions,
  type JobProgress,
} from "../domain/types.js";
import { DocketError } from "../errors.js";
import { newId } from "./ids.js";
import type { Notifier } from "./notifier.js";
import type { ArtifactRecord } from "./pipeline.js";
import { jobRowToJob, stepRowToStep, type JobRow, type JobStepRow } from "./rows.js";
import { executePrepared } from "../db/prepared.js";
import {
  applyTransition,
  applyTransitionStatement,
  insertEvents,
  LeaseLostError,
  type EventInput,
  type JobRef,
  type Transition,
} from "./transition.js";

export type Clock = () => number;

export interface BackoffPolicy {
  /** Delay before attempt n+1 after attempt n failed, in ms (before jitter). */
  baseMs: number;
  maxMs: number;
}

export interface JobQueueOptions {
  database: Database;
  notifier: Notifier;
  clock?: Clock;
  backoff?: BackoffPolicy;
}

export interface EnqueueInput {
  documentId: string;
  ownerId: string;
  batchId?: string | null;
  pipeline: string;
  options: JobOptions;
  plan: string[];
  priority?: number;
  maxAttempts?: number;
  runAt?: number;
}

export interface StepOutcome {
  status: "success" | "skipped";
  message?: string | null;
  result?: Record<string, unknown> | null;
  artifacts?: ArtifactRecord[];
  numPages?: number;
  reviewReason?: string | null;
}

/** What a worker holds while it runs a job: the job as claimed plus its step rows. */
export interface ClaimedJob {
  row: JobRow;
  steps: JobStepRow[];
}

export const refOf = (row: Pick<JobRow, "id" | "document_id" | "owner_id" | "batch_id">): JobRef => ({
  id: row.id,
  documentId: row.document_id,
  ownerId: row.owner_id,
  batchId: row.batch_id,
});

function progressColumns(progress: JobProgress) {
  return {
    progress_phase: progress.phase,
    progress_step: progress.step,
    progress_total: progress.total_steps,
    progress_percent: progress.percentage,
    progress_message: progress.message,
  };
}

/** The columns a step start changes (see step-events.ts for the contract). */
function stepStartColumns(step: JobStepRow) {
  return {
    status: step.status,
    attempts: step.attempts,
    job_attempt: step.job_attempt,
    started_at: step.started_at,
    finished_at: step.finished_at,
    error_code: step.error_code,
    error_message: step.error_message,
    progress_done: step.progress_done,
    progress_total: step.progress_total,
  };
}

function progressOf(steps: readonly JobStepRow[], message: string | null = null): JobProgress {
  return computeProgress(
    steps.map((s) => ({
      name: s.name,
      position: s.position,
      status: s.status as never,
      progressDone: s.progress_done,
      progressTotal: s.progress_total,
    })),
    message,
  );
}

/**
 * The job queue and every state transition of a job. Each method is one short write
 * transaction that changes the job row, its step rows and appends the events describing
 * the change, then publishes a wake-up hint after commit.
 *
 * Worker-side methods take the ClaimedJob and are fenced by its attempt; API-side methods
 * (cancel, retry, delete) check the state they expect inside the transaction.
 */
export class JobQueue {
  readonly database: Database;
  private readonly notifier: Notifier;
  readonly clock: Clock;
  private readonly backoff: BackoffPolicy;

  constructor(options: JobQueueOptions) {
    this.database = options.database;
    this.notifier = options.notifier;
    this.clock = options.clock ?? Date.now;
    this.backoff = options.backoff ?? { baseMs: 2_000, maxMs: 10 * 60_000 };
  }

  private event(job: JobRef, attempt: number, now: number, e: Partial<EventInput> & { status: string }): EventInput {
    return {
      jobId: job.id,
      documentId: job.documentId,
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

  private afterCommit(kind: { jobs?: boolean; cancel?: string[] }): void {
    this.notifier.publish("events");
    if (kind.jobs) this.notifier.publish("jobs");
    for (const id of kind.cancel ?? []) this.notifier.publish("cancel", id);
  }

  /**
   * Commits one transition. On PostgreSQL a transition with no other work is a single
   * statement (one round trip, atomic on its own); otherwise it runs in a write transaction.
   */
  private async commit(t: Transition, extra?: (trx: Tx) => Promise<void>): Promise<number> {
    if (this.database.dialect === "postgres" && !extra) return applyTransitionStatement(this.database, t);
    return writeTransaction(this.database, async (trx) => {
      const version = await applyTransition(trx, t);
      if (extra) await extra(trx);
      return version;
    });
  }

  /** Exponential back-off with jitter: base·2^(n-1), ±50 %, capped. */
  backoffDelay(failedAttempt: number): number {
    const exp = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, failedAttempt - 1));
    return Math.round(exp * (0.5 + Math.random()));
  }

  // ---------------------------------------------------------------- enqueue

  /** Creates the job, its planned steps and its first events in one transaction (inside `trx` if given). */
  async enqueue(input: EnqueueInput, trx?: Tx): Promise<JobRow> {
    const run = (t: Tx) => this.enqueueIn(t, input);
    const row = trx ? await run(trx) : await writeTransaction(this.database, run);
    if (!trx) this.afterCommit({ jobs: true });
    return row;
  }

  /** Call after committing a transaction that used `enqueue(…, trx)`. */
  announceEnqueued(): void {
    this.afterCommit({ jobs: true });
  }

  private async enqueueIn(trx: Tx, input: EnqueueInput): Promise<JobRow> {
    if (input.plan.length === 0) throw new DocketError("validation_error", "a job needs at least one step");
    if (new Set(input.plan).size !== input.plan.length)
      throw new DocketError("validation_error", "duplicate step names in plan");
    const now = this.clock();
    const id = newId();
    const steps: JobStepsTable[] = input.plan.map((name, position) => ({
      job_id: id,
      name,
      position,
      status: "pending",
      attempts: 0,
      job_attempt: 0,
      started_at: null,
      finished_at: null,
      error_code: null,
      error_message: null,
      detail: null,
      progress_done: 0,
      progress_total: 0,
    }));
    const progress = progressOf(steps);
    const row: JobRow = {
      id,
      document_id: input.documentId,
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
      ...progressColumns(progress),
      error_code: null,
      error_message: null,
      review_reason: null,
      created_at: now,
      started_at: null,
      completed_at: null,
      updated_at: now,
      version: 0,
    };
    await trx.insertInto("jobs").values(row).execute();
    const ref = refOf(row);
    row.version = await applyTransition(trx, {
      job: ref,
      jobSet: {},
      stepInserts: steps,
      events: [
        this.event(ref, 0, now, {
          status: "pending",
          message: "Queued",
          detail: { pipeline: input.pipeline, plan: input.plan, priority: row.priority },
        }),
        ...steps.map((s) =>
          this.event(ref, 0, now, { step: s.name, status: "pending", detail: { position: s.position } }),
        ),
      ],
    });
    await trx
      .updateTable("documents")
      .set({ latest_job_id: id, updated_at: now })
      .where("id", "=", input.documentId)
      .execute();
    return row;
  }

  // ---------------------------------------------------------------- worker side

  /**
   * Claims up to `limit` runnable jobs, highest priority first, then oldest. On PostgreSQL
   * the CTE with FOR UPDATE SKIP LOCKED lets concurrent workers claim disjoint jobs without
   * waiting on each other (the CTE also fences the planner from updating more than `limit`
   * rows); on SQLite the single write lock makes the plain UPDATE … IN (SELECT … LIMIT) safe.
   */
  async claim(workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    if (this.database.dialect === "postgres") {
      const claimed = await this.claimPostgres(workerId, limit, leaseMs);
      if (claimed.length > 0) this.notifier.publish("events");
      return claimed;
    }
    const claimed = await writeTransaction(this.database, async (trx) => {
      const now = this.clock();
      const expires = now + leaseMs;
      const rows =
        this.database.dialect === "postgres"
          ? (
              await sql<JobRow>`
                with next as (
                  select id from jobs
                  where status = 'pending' and run_at <= ${now}
                  order by priority desc, run_at, id
                  limit ${limit}
                  for update skip locked
                )
                update jobs set status = 'processing', attempt = jobs.attempt + 1,
                  lease_owner = ${workerId}, lease_expires_at = ${expires},
                  started_at = coalesce(jobs.started_at, ${now}), updated_at = ${now},
                  error_code = null, error_message = null
                from next where jobs.id = next.id
                returning jobs.*`.execute(trx)
            ).rows
          : (
              await sql<JobRow>`
                update jobs set status = 'processing', attempt = attempt + 1,
                  lease_owner = ${workerId}, lease_expires_at = ${expires},
                  started_at = coalesce(started_at, ${now}), updated_at = ${now},
                  error_code = null, error_message = null
                where id in (
                  select id from jobs
                  where status = 'pending' and run_at <= ${now}
                  order by priority desc, run_at, id
                  limit ${limit}
                )
                returning *`.execute(trx)
            ).rows;
      if (rows.length === 0) return [];
      // RETURNING does not keep the subquery's order: restore the claim order.
      rows.sort(
        (a, b) =>
          b.priority - a.priority || Number(a.run_at) - Number(b.run_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      const allSteps = await trx
        .selectFrom("job_steps")
        .selectAll()
        .where(
          "job_id",
          "in",
          rows.map((r) => r.id),
        )
        .orderBy("position")
        .execute();
      // The first step starts in the claiming transaction: one transaction fewer per job,
      // and the status never shows a claimed job with nothing running.
      const claimedJobs = rows.map((row) => {
        const steps = allSteps.filter((s) => s.job_id === row.id);
        const first = steps.find((s) => s.status !== "success" && s.status !== "skipped");
        const started = first ? this.startedStep(first, row.attempt, now) : null;
        const after = started ? steps.map((s) => (s.name === started.name ? started : s)) : steps;
        return { row, steps: after, started, progress: progressOf(after) };
      });
      const events = claimedJobs.flatMap(({ row, started }) => [
        this.event(refOf(row), row.attempt, now, {
          status: "processing",
          message: `Started attempt ${row.attempt} of ${row.max_attempts}`,
          detail: { worker: workerId },
        }),
        ...(started
          ? [
              this.event(refOf(row), row.attempt, now, {
                step: started.name,
                status: "in_progress",
                message: `Started ${started.name}`,
              }),
            ]
          : []),
      ]);
      const ids = await insertEvents(trx, events);
      for (const claimedJob of claimedJobs) {
        const { row, started, progress } = claimedJob;
        row.version = Math.max(...ids.filter((_, i) => events[i]!.jobId === row.id));
        Object.assign(row, progressColumns(progress));
        await trx
          .updateTable("jobs")
          .set({ version: row.version, ...progressColumns(progress) })
          .where("id", "=", row.id)
          .execute();
        if (started) {
          await trx
            .updateTable("job_steps")
            .set(stepStartColumns(started))
            .where("job_id", "=", row.id)
            .where("name", "=", started.name)
            .execute();
        }
      }
      return claimedJobs.map(({ row, steps }) => ({ row, steps }));
    });
    if (claimed.length > 0) this.notifier.publish("events");
    return claimed;
  }

  /**
   * PostgreSQL claim in ONE statement (one round trip): pick with SKIP LOCKED, mark the jobs
   * processing, start each job's first unfinished step, and append both events. Starting a
   * step changes neither phase, step number nor percent (pending and just-started count the
   * same), so the job's progress columns stay as they are. The steps read at the end are the
   * statement's snapshot (before the start); the start is applied to them here.
   */
  private async claimPostgres(workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    const now = this.clock();
    const rows = await executePrepared(
      this.database,
      sql<JobRow & { steps: JobStepRow[] | null }>`
      with next as (
        select id from jobs
        where status = 'pending' and run_at <= ${now}
        order by priority desc, run_at, id
        limit ${limit}
        for update skip locked
      ),
      claimed as (
        update jobs set status = 'processing', attempt = jobs.attempt + 1,
          lease_owner = ${workerId}, lease_expires_at = ${now + leaseMs},
          started_at = coalesce(jobs.started_at, ${now}), updated_at = ${now},
          error_code = null, error_message = null,
          version = nextval(pg_get_serial_sequence('job_events', 'id'))
        from next where jobs.id = next.id
        returning jobs.*
      ),
      first_step as (
        select distinct on (s.job_id) s.job_id, s.name
        from job_steps s join claimed c on c.id = s.job_id
        where s.status not in ('success', 'skipped')
        order by s.job_id, s.position
      ),
      started as (
        update job_steps s set status = 'in_progress', attempts = s.attempts + 1, job_attempt = c.attempt,
          started_at = ${now}, finished_at = null, error_code = null, error_message = null,
          progress_done = 0, progress_total = 0
        from first_step f join claimed c on c.id = f.job_id
        where s.job_id = f.job_id and s.name = f.name
        returning s.job_id, s.name
      ),
      events as (
        insert into job_events (job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, created_at)
        select job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, ${now}::bigint from (
          select c.id as job_id, c.document_id, c.owner_id, c.batch_id, null::text as step, 'processing' as status,
            'Started attempt ' || c.attempt || ' of ' || c.max_attempts as message,
            json_build_object('worker', ${workerId}::text)::text as detail, c.attempt, 0 as ord
          from claimed c
          union all
          select c.id, c.document_id, c.owner_id, c.batch_id, st.name, 'in_progress', 'Started ' || st.name, null, c.attempt, 1
          from started st join claimed c on c.id = st.job_id
        ) e order by job_id, ord
        returning id
      )
      select c.*, (select json_agg(s order by s.position) from job_steps s where s.job_id = c.id) as steps
      from claimed c
      order by c.priority desc, c.run_at, c.id`,
    );
    return rows.map(({ steps: stepRows, ...row }) => {
      const steps = (stepRows ?? []).map((s) => ({
        ...s,
        started_at: s.started_at === null ? null : Number(s.started_at),
        finished_at: s.finished_at === null ? null : Number(s.finished_at),
      }));
      const first = steps.find((s) => s.status !== "success" && s.status !== "skipped");
      const jobRow = { ...row, version: Number(row.version) } as JobRow;
      return {
        row: jobRow,
        steps: steps.map((s) => (s === first ? this.startedStep(s, jobRow.attempt, now) : s)),
      };
    });
  }

  /**
   * Extends the lease. Not a state change: no event, no version bump. Returns whether a
   * cancel was requested; throws LeaseLostError when the job is no longer ours.
   */
  async heartbeat(job: ClaimedJob, workerId: string, leaseMs: number): Promise<{ cancelRequested: boolean }> {
    const row = await writeTransaction(this.database, async (trx) => {
      const now = this.clock();
      return trx
        .updateTable("jobs")
        .set({ lease_expires_at: now + leaseMs })
        .where("id", "=", job.row.id)
        .where("attempt", "=", job.row.attempt)
        .where("status", "=", "processing")
        .where("lease_owner", "=", workerId)
        .returning(["cancel_requested_at"])
        .executeTakeFirst();
    });
    if (!row) throw new LeaseLostError(job.row.id);
    return { cancelRequested: row.cancel_requested_at !== null };
  }

  private setStep(job: ClaimedJob, name: string, patch: Partial<JobStepRow>): JobStepRow {
    const index = job.steps.findIndex((s) => s.name === name);
    if (index === -1) throw new Error(`job ${job.row.id} has no step ${name}`);
    const next = { ...job.steps[index]!, ...patch };
    job.steps[index] = next;
    return next;
  }

  private startedStep(step: JobStepRow, attempt: number, now: number): JobStepRow {
    return {
      ...step,
      status: "in_progress",
      attempts: step.attempts + 1,
      job_attempt: attempt,
      started_at: now,
      finished_at: null,
      error_code: null,
      error_message: null,
      progress_done: 0,
      progress_total: 0,
    };
  }

  async startStep(job: ClaimedJob, name: string): Promise<void> {
    const now = this.clock();
    const before = job.steps.find((s) => s.name === name);
    if (!before) throw new Error(`job ${job.row.id} has no step ${name}`);
    const step = stepStartColumns(this.startedStep(before, job.row.attempt, now));
    const steps = job.steps.map((s) => (s.name === name ? { ...s, ...step } : s));
    const progress = progressOf(steps);
    const ref = refOf(job.row);
    const version = await this.commit({
      job: ref,
      fence: { attempt: job.row.attempt },
      jobSet: { ...progressColumns(progress), updated_at: now },
      stepSets: [{ name, set: step }],
      events: [
        this.event(ref, job.row.attempt, now, { step: name, status: "in_progress", message: `Started ${name}` }),
      ],
    });
    this.setStep(job, name, step);
    job.row.version = version;
    this.afterCommit({});
  }

  /** Persists progress inside a step (the caller coalesces: a few writes a second at most). */
  async reportProgress(
    job: ClaimedJob,
    name: string,
    done: number,
    total: number,
    message: string | null,
  ): Promise<void> {
    const now = this.clock();
    const step = { progress_done: done, progress_total: total };
    const steps = job.steps.map((s) => (s.name === name ? { ...s, ...step } : s));
    const progress = progressOf(steps, message);
    const ref = refOf(job.row);
    const version = await this.commit({
      job: ref,
      fence: { attempt: job.row.attempt },
      jobSet: { ...progressColumns(progress), updated_at: now },
      stepSets: [{ name, set: step }],
      events: [
        this.event(ref, job.row.attempt, now, { step: name, status: "progress", message, detail: { done, total } }),
      ],
    });
    this.setStep(job, name, step);
    job.row.version = version;
    this.afterCommit({});
  }

  /**
   * Records a step's success. When it was the last unfinished step, the job completes in
   * the same transaction (returns true): no window where every step is done but the job
   * is not.
   */
  async finishStep(job: ClaimedJob, name: string, outcome: StepOutcome): Promise<boolean> {
    const now = this.clock();
    const step = {
      status: outcome.status,
      finished_at: now,
      detail: outcome.result ? JSON.stringify(outcome.result) : null,
      error_code: null,
      error_message: null,
    };
    const steps = job.steps.map((s) => (s.name === name ? { ...s, ...step } : s));
    const progress = progressOf(steps);
    const last = steps.every((s) => s.status === "success" || s.status === "skipped");
    const ref = refOf(job.row);
    const writesMore = (outcome.artifacts?.length ?? 0) > 0 || outcome.numPages !== undefined;
    const version = await this.commit(
      {
        job: ref,
        fence: { attempt: job.row.attempt },
        jobSet: {
          ...progressColumns(last ? { ...progress, percentage: 100 } : progress),
          updated_at: now,
          ...(outcome.reviewReason ? { review_reason: outcome.reviewReason } : {}),
          ...(last ? { status: "completed", completed_at: now, lease_owner: null, lease_expires_at: null } : {}),
        },
        stepSets: [{ name, set: step }],
        events: [
          this.event(ref, job.row.attempt, now, {
            step: name,
            status: outcome.status,
            message: outcome.message ?? (outcome.status === "skipped" ? `Skipped ${name}` : `Finished ${name}`),
            detail: outcome.result ? { result: outcome.result } : null,
          }),
          ...(last ? [this.event(ref, job.row.attempt, now, { status: "completed", message: "Completed" })] : []),
        ],
      },
      writesMore
        ? async (trx) => {
            // Artifacts appear in the same transaction as the step's success: never half-written.
            for (const a of outcome.artifacts ?? []) {
              await trx.deleteFrom("artifacts").where("job_id", "=", job.row.id).where("kind", "=", a.kind).execute();
              await trx
                .insertInto("artifacts")
                .values({
                  id: newId(),
                  job_id: job.row.id,
                  document_id: job.row.document_id,
                  owner_id: job.row.owner_id,
                  kind: a.kind,
                  blob_key: a.blobKey,
                  mime_type: a.mimeType,
                  size_bytes: a.sizeBytes,
                  created_at: now,
                })
                .execute();
            }
            if (outcome.numPages !== undefined) {
              await trx
                .updateTable("documents")
                .set({ num_pages: outcome.numPages, updated_at: now })
                .where("id", "=", job.row.document_id)
                .execute();
            }
          }
        : undefined,
    );
    this.setStep(job, name, step);
    job.row.version = version;
    if (last) job.row.status = "completed";
    this.afterCommit({});
    return last;
  }

  /** Appends steps after the current plan while the job runs (e.g. one per delivery destination). */
  async addSteps(job: ClaimedJob, names: string[]): Promise<void> {
    const fresh = names.filter((n) => !job.steps.some((s) => s.name === n));
    if (fresh.length === 0) return;
    const now = this.clock();
    let position = Math.max(-1, ...job.steps.map((s) => s.position));
    const inserts: JobStepsTable[] = fresh.map((name) => ({
      job_id: job.row.id,
      name,
      position: ++position,
      status: "pending",
      attempts: 0,
      job_attempt: 0,
      started_at: null,
      finished_at: null,
      error_code: null,
      error_message: null,
      detail: null,
      progress_done: 0,
      progress_total: 0,
    }));
    const progress = progressOf([...job.steps, ...inserts]);
    const ref = refOf(job.row);
    const version = await this.commit({
      job: ref,
      fence: { attempt: job.row.attempt },
      jobSet: { ...progressColumns(progress), updated_at: now },
      stepInserts: inserts,
      events: inserts.map((s) =>
        this.event(ref, job.row.attempt, now, {
          step: s.name,
          status: "pending",
          message: `Added step ${s.name}`,
          detail: { position: s.position },
        }),
      ),
    });
    job.steps.push(...inserts);
    job.row.version = version;
    this.afterCommit({});
  }

  async completeJob(job: ClaimedJob): Promise<void> {
    const now = this.clock();
    const progress = progressOf(job.steps);
    const ref = refOf(job.row);
    const version = await this.commit({
      job: ref,
      fence: { attempt: job.row.attempt },
      jobSet: {
        status: "completed",
        ...progressColumns({ ...progress, percentage: 100 }),
        completed_at: now,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      },
      events: [this.event(ref, job.row.attempt, now, { status: "completed", message: "Completed" })],
    });
    job.row.version = version;
    job.row.status = "completed";
    this.afterCommit({});
  }

  /**
   * The step failed. A permanent error, or a transient one with no attempts left, fails
   * the job; otherwise the job goes back to pending with back-off, and the failed step
   * will run again (steps that succeeded will not).
   */
  async failStep(job: ClaimedJob, name: string, error: ErrorInfo, permanent: boolean): Promise<"failed" | "requeued"> {
    const now = this.clock();
    const ref = refOf(job.row);
    const attempt = job.row.attempt;
    const final = permanent || attempt >= job.row.max_attempts;
    const failedStep = {
      status: "failure",
      finished_at: now,
      error_code: error.code,
      error_message: error.message,
    };
    const events: EventInput[] = [
      this.event(ref, attempt, now, {
        step: name,
        status: "failure",
        message: error.message,
        detail: { error, permanent },
      }),
    ];
    let stepSet: Partial<JobStepRow> = failedStep;
    let jobSet;
    if (final) {
      const steps = job.steps.map((s) => (s.name === name ? { ...s, ...failedStep } : s));
      jobSet = {
        status: "failed",
        ...progressColumns(progressOf(steps)),
        error_code: error.code,
        error_message: error.message,
        completed_at: now,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      };
      events.push(
        this.event(ref, attempt, now, {
          status: "failed",
          message: permanent ? error.message : `${error.message} (gave up after ${attempt} attempts)`,
          detail: { error, permanent },
        }),
      );
    } else {
      const delay = this.backoffDelay(attempt);
      stepSet = { ...failedStep, status: "pending", finished_at: null, progress_done: 0, progress_total: 0 };
      const steps = job.steps.map((s) => (s.name === name ? { ...s, ...stepSet } : s));
      jobSet = {
        status: "pending",
        ...progressColumns(progressOf(steps)),
        error_code: error.code,
        error_message: error.message,
        run_at: now + delay,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      };
      events.push(
        this.event(ref, attempt, now, {
          step: name,
          status: "pending",
          message: "Will run again",
          detail: { reset: true },
        }),
        this.event(ref, attempt, now, {
          status: "pending",
          message: `Attempt ${attempt} of ${job.row.max_attempts} failed: ${error.message}; retrying in ${Math.ceil(delay / 1000)} s`,
          detail: { error, retry_at: new Date(now + delay).toISOString() },
        }),
      );
    }
    const version = await this.commit({
      job: ref,
      fence: { attempt },
      jobSet,
      stepSets: [{ name, set: stepSet }],
      events,
    });
    job.row.version = version;
    this.afterCommit({ jobs: !final });
    return final ? "failed" : "requeued";
  }

  /** The worker stopped a job whose cancel was requested: unfinished steps become `cancelled`. */
  async finishCancel(job: ClaimedJob): Promise<void> {
    const now = this.clock();
    const ref = refOf(job.row);
    await writeTransaction(this.database, (trx) =>
      this.cancelIn(trx, ref, job.steps, now, { attempt: job.row.attempt }),
    );
    job.row.status = "cancelled";
    this.afterCommit({});
  }

  private async cancelIn(
    trx: Tx,
    ref: JobRef,
    steps: readonly JobStepRow[],
    now: number,
    fence?: { attempt: number },
    expectStatus?: string,
    attempt = fence?.attempt ?? 0,
  ): Promise<number> {
    const open = steps.filter((s) => s.status === "pending" || s.status === "in_progress");
    const after = steps.map((s) => (open.includes(s) ? { ...s, status: "cancelled" } : s));
    return applyTransition(trx, {
      job: ref,
      ...(fence ? { fence } : {}),
      ...(expectStatus ? { expectStatus } : {}),
      jobSet: {
        status: "cancelled",
        ...progressColumns(progressOf(after)),
        completed_at: now,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
        ...(expectStatus === "pending" ? { cancel_requested_at: now } : {}),
      },
      stepSets: open.map((s) => ({ name: s.name, set: { status: "cancelled", finished_at: now } })),
      events: [
        ...open.map((s) => this.event(ref, attempt, now, { step: s.name, status: "cancelled", message: "Cancelled" })),
        this.event(ref, attempt, now, { status: "cancelled", message: "Cancelled" }),
      ],
    });
  }

  /**
   * Shutdown: give the job back without counting the attempt against it. max_attempts
   * grows by one instead of reusing the attempt number, so fencing stays monotonic.
   */
  async release(job: ClaimedJob, name: string | null): Promise<void> {
    const now = this.clock();
    const ref = refOf(job.row);
    const attempt = job.row.attempt;
    const running = name ? job.steps.find((s) => s.name === name && s.status === "in_progress") : undefined;
    const reset = { status: "pending", finished_at: null, progress_done: 0, progress_total: 0 };
    const steps = job.steps.map((s) => (s === running ? { ...s, ...reset } : s));
    await this.commit({
      job: ref,
      fence: { attempt },
      jobSet: {
        status: "pending",
        ...progressColumns(progressOf(steps)),
        run_at: now,
        max_attempts: job.row.max_attempts + 1,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      },
      stepSets: running ? [{ name: running.name, set: reset }] : [],
      events: [
        ...(running
          ? [
              this.event(ref, attempt, now, {
                step: running.name,
                status: "pending",
                message: "Released at shutdown",
                detail: { reset: true },
              }),
            ]
          : []),
        this.event(ref, attempt, now, {
          status: "pending",
          message: "Released by a worker shutting down; will run again",
        }),
      ],
    });
    this.afterCommit({ jobs: true });
  }

  // ---------------------------------------------------------------- API side

  private async loadForUpdate(trx: Tx, jobId: string): Promise<{ row: JobRow; steps: JobStepRow[] } | undefined> {
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

  /**
   * Cancel: a pending job is cancelled at once; a processing one is marked and its worker
   * is told (NOTIFY and its cancel poll), stopping within a second. Finished → not_cancellable.
   */
  async cancel(jobId: string): Promise<JobRow> {
    let notifyCancel = false;
    const row = await writeTransaction(this.database, async (trx) => {
      notifyCancel = false;
      const found = await this.loadForUpdate(trx, jobId);
      if (!found) throw new DocketError("not_found", "job not found");
      const { row, steps } = found;
      const now = this.clock();
      const ref = refOf(row);
      if (row.status === "pending") {
        await this.cancelIn(trx, ref, steps, now, undefined, "pending", row.attempt);
      } else if (row.status === "processing") {
        if (row.cancel_requested_at === null) {
          await applyTransition(trx, {
            job: ref,
            expectStatus: "processing",
            jobSet: { cancel_requested_at: now, updated_at: now },
            events: [this.event(ref, row.attempt, now, { status: "cancel_requested", message: "Cancel requested" })],
          });
          notifyCancel = true;
        }
      } else {
        throw new DocketError(
          "not_cancellable",
          `job is ${row.status}; only pending or processing jobs can be cancelled`,
        );
      }
      return await trx.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
    });
    this.afterCommit(notifyCancel ? { cancel: [jobId] } : {});
    return row;
  }

  /**
   * Retry a failed or cancelled job: it goes back to pending with a fresh allowance of
   * attempts; steps that succeeded keep their results and will not run again.
   */
  async retry(jobId: string, extraAttempts = DEFAULT_MAX_ATTEMPTS): Promise<JobRow> {
    const row = await writeTransaction(this.database, async (trx) => {
      const found = await this.loadForUpdate(trx, jobId);
      if (!found) throw new DocketError("not_found", "job not found");
      const { row, steps } = found;
      if (row.status !== "failed" && row.status !== "cancelled") {
        throw new DocketError("not_retryable", `job is ${row.status}; only failed or cancelled jobs can be retried`);
      }
      const now = this.clock();
      const ref = refOf(row);
      const redo = steps.filter((s) => s.status !== "success" && s.status !== "skipped");
      const reset = { status: "pending", finished_at: null, progress_done: 0, progress_total: 0 };
      const after = steps.map((s) => (redo.includes(s) ? { ...s, ...reset } : s));
      await applyTransition(trx, {
        job: ref,
        expectStatus: row.status,
        jobSet: {
          status: "pending",
          ...progressColumns(progressOf(after)),
          max_attempts: row.attempt + extraAttempts,
          run_at: now,
          cancel_requested_at: null,
          error_code: null,
          error_message: null,
          review_reason: null,
          // A manual retry is a new run: its elapsed time starts now (run_at while queued,
          // the next claim's started_at once running), not when the first run started.
          started_at: null,
          completed_at: null,
          updated_at: now,
        },
        stepSets: redo.map((s) => ({ name: s.name, set: reset })),
        events: [
          ...redo.map((s) =>
            this.event(ref, row.attempt, now, {
              step: s.name,
              status: "pending",
              message: "Will run again",
              detail: { reset: true },
            }),
          ),
          this.event(ref, row.attempt, now, {
            status: "pending",
            message: redo[0] ? `Retry requested; resuming at ${redo[0].name}` : "Retry requested",
            detail: { retry: true, resume_at: redo[0]?.name ?? null },
          }),
        ],
      });
      return trx.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
    });
    this.afterCommit({ jobs: true });
    return row;
  }

  /** Deletes a finished job with its steps and artifact rows (the caller removes blobs). Events stay: they are the audit trail. */
  async delete(jobId: string): Promise<{ artifacts: string[]; workspace: string }> {
    const result = await writeTransaction(this.database, async (trx) => {
      const found = await this.loadForUpdate(trx, jobId);
      if (!found) throw new DocketError("not_found", "job not found");
      const { row } = found;
      if (row.status === "pending" || row.status === "processing") {
        throw new DocketError("job_active", `job is ${row.status}; cancel it first or wait until it finishes`);
      }
      const now = this.clock();
      const artifacts = await trx.selectFrom("artifacts").select("blob_key").where("job_id", "=", jobId).execute();
      await insertEvents(trx, [
        this.event(refOf(row), row.attempt, now, { status: "deleted", message: "Job deleted" }),
      ]);
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
      return { artifacts: artifacts.map((a) => a.blob_key), workspace: `jobs/${jobId}/` };
    });
    this.afterCommit({});
    return result;
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Recovers jobs whose lease expired (their worker crashed, hung or lost the database).
   * Runs on every node, continuously. Each recovery is fenced on the attempt and the
   * expired lease, so a worker that completes at the same moment wins or loses cleanly:
   * never both.
   */
  async rescueExpired(limit = 100): Promise<number> {
    const now = this.clock();
    const expired = await this.database.db
      .selectFrom("jobs")
      .select(["id", "attempt"])
      .where("status", "=", "processing")
      .where("lease_expires_at", "<", now)
      .orderBy("lease_expires_at")
      .limit(limit)
      .execute();
    let rescued = 0;
    let requeued = false;
    for (const candidate of expired) {
      const done = await writeTransaction(this.database, async (trx) => {
        const found = await this.loadForUpdate(trx, candidate.id);
        if (!found) return false;
        const { row, steps } = found;
        const at = this.clock();
        if (
          row.status !== "processing" ||
          row.attempt !== candidate.attempt ||
          (row.lease_expires_at ?? Infinity) >= at
        )
          return false;
        const ref = refOf(row);
        const fence = { attempt: row.attempt };
        if (row.cancel_requested_at !== null) {
          await this.cancelIn(trx, ref, steps, at, fence);
          return true;
        }
        const running = steps.filter((s) => s.status === "in_progress");
        const why = `worker ${row.lease_owner ?? "?"} stopped responding (lease expired) during attempt ${row.attempt} of ${row.max_attempts}`;
        const error = { code: "lease_expired", message: why };
        if (row.attempt >= row.max_attempts) {
          const failed = { status: "failure", finished_at: at, error_code: error.code, error_message: error.message };
          const after = steps.map((s) => (running.includes(s) ? { ...s, ...failed } : s));
          await applyTransition(trx, {
            job: ref,
            fence,
            jobSet: {
              status: "failed",
              ...progressColumns(progressOf(after)),
              error_code: error.code,
              error_message: `${why}; no attempts left`,
              completed_at: at,
              updated_at: at,
              lease_owner: null,
              lease_expires_at: null,
            },
            stepSets: running.map((s) => ({ name: s.name, set: failed })),
            events: [
              ...running.map((s) =>
                this.event(ref, row.attempt, at, { step: s.name, status: "failure", message: why, detail: { error } }),
              ),
              this.event(ref, row.attempt, at, {
                status: "failed",
                message: `${why}; no attempts left`,
                detail: { error },
              }),
            ],
          });
        } else {
          const delay = this.backoffDelay(row.attempt);
          const reset = { status: "pending", finished_at: null, progress_done: 0, progress_total: 0 };
          const after = steps.map((s) => (running.includes(s) ? { ...s, ...reset } : s));
          await applyTransition(trx, {
            job: ref,
            fence,
            jobSet: {
              status: "pending",
              ...progressColumns(progressOf(after)),
              error_code: error.code,
              error_message: why,
              run_at: at + delay,
              updated_at: at,
              lease_owner: null,
              lease_expires_at: null,
            },
            stepSets: running.map((s) => ({ name: s.name, set: reset })),
            events: [
              ...running.map((s) =>
                this.event(ref, row.attempt, at, {
                  step: s.name,
                  status: "pending",
                  message: why,
                  detail: { reset: true },
                }),
              ),
              this.event(ref, row.attempt, at, {
                status: "pending",
                message: `${why}; requeued`,
                detail: { error, retry_at: new Date(at + delay).toISOString() },
              }),
            ],
          });
          requeued = true;
        }
        return true;
      });
      if (done) rescued++;
    }
    if (rescued > 0) this.afterCommit({ jobs: requeued });
    return rescued;
  }

  /**
   * The worker's backstop to NOTIFY: the current state of the jobs it runs, so it notices
   * a cancel request or a lost job even when no hint arrived.
   */
  async runningState(
    jobIds: readonly string[],
  ): Promise<{ id: string; status: string; attempt: number; cancelRequested: boolean }[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.database.db
      .selectFrom("jobs")
      .select(["id", "status", "attempt", "cancel_requested_at"])
      .where("id", "in", [...jobIds])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      attempt: r.attempt,
      cancelRequested: r.cancel_requested_at !== null,
    }));
  }

  // ---------------------------------------------------------------- reads

  async getJob(jobId: string) {
    const row = await this.database.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirst();
    return row ? jobRowToJob(row) : undefined;
  }

  async getSteps(jobId: string) {
    const rows = await this.database.db
      .selectFrom("job_steps")
      .selectAll()
      .where("job_id", "=", jobId)
      .orderBy("position")
      .execute();
    return rows.map(stepRowToStep);
  }

  /** Counts of steps by status: the step summary. */
  async stepSummary(jobId: string): Promise<Record<string, number>> {
    const rows = await this.database.db
      .selectFrom("job_steps")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("job_id", "=", jobId)
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
