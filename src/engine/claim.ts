import { applyTransitions } from "./apply-transition.js";
import { isFinished } from "./job-transitions.js";
import { jobEvent, refOf, type QueueKit } from "./queue-kit.js";
import type { JobRow, JobStepRow } from "./rows.js";
import { progressColumns, progressOfRows, StateConflictError, type Applied, type Transition } from "./transition.js";

/** What a worker holds while it runs a job: the job as claimed plus its step rows. */
export interface ClaimedJob {
  row: JobRow;
  steps: JobStepRow[];
}

/** How long a PostgreSQL reservation keeps other workers off a job until its claim commits. */
const RESERVATION_MS = 10_000;

/**
 * PostgreSQL, step one of a claim: reserve the due jobs, highest priority first, then
 * oldest. SKIP LOCKED lets concurrent workers take disjoint jobs without waiting on each
 * other; the reservation (lease owner and expiry on a still pending row, no state change,
 * no event, like a heartbeat) keeps them off these jobs once this statement has committed.
 * Returns each job with its steps. It commits without waiting for the WAL flush
 * (synchronous_commit off, for this statement only): a reservation lost in a server crash
 * only means the job is not reserved, and its claim below still checks status and attempt.
 */
const RESERVE_POSTGRES = `with next as (
  select id from jobs
  where status = 'pending' and run_at <= $1 and (lease_expires_at is null or lease_expires_at < $1)
  order by priority desc, run_at, id
  limit $2
  for update skip locked
), reserved as (
  update jobs set lease_owner = $3, lease_expires_at = $4 from next where jobs.id = next.id returning jobs.*
)
select r.*, coalesce((select json_agg(s order by s.position) from job_steps s where s.job_id = r.id), '[]') as steps
from reserved r, (select set_config('synchronous_commit', 'off', true)) as no_flush
order by r.priority desc, r.run_at, r.id`;

/**
 * The claim of one job: processing in a new attempt under this worker's lease, and its
 * first unfinished step started in the same commit (so the status never shows a claimed
 * job with nothing running, and a one-step job costs two commits).
 */
function claimTransition(row: JobRow, steps: JobStepRow[], workerId: string, leaseMs: number, now: number) {
  const ref = refOf(row);
  const attempt = row.attempt + 1;
  const first = steps.find((s) => !isFinished(s));
  const t: Transition = {
    job: ref,
    expectStatus: "pending",
    expectAttempt: row.attempt,
    steps,
    jobSet: {
      status: "processing",
      attempt,
      lease_owner: workerId,
      lease_expires_at: now + leaseMs,
      started_at: row.started_at ?? now,
      updated_at: now,
      error_code: null,
      error_message: null,
    },
    events: [
      jobEvent(ref, attempt, now, {
        status: "processing",
        message: `Started attempt ${attempt} of ${row.max_attempts}`,
        detail: { worker: workerId },
      }),
      ...(first
        ? [jobEvent(ref, attempt, now, { step: first.name, status: "in_progress", message: `Started ${first.name}` })]
        : []),
    ],
  };
  return t;
}

function claimed(row: JobRow, t: Transition, applied: Applied): ClaimedJob {
  const steps = applied.steps!;
  return {
    row: { ...row, ...t.jobSet, ...progressColumns(progressOfRows(steps)), version: applied.version } as JobRow,
    steps,
  };
}

/**
 * Claims up to `limit` runnable jobs. Each job's claim transition goes through the same
 * writer as every other transition. On PostgreSQL the jobs are reserved first (one
 * statement), then the claims ride the group commit with the other slots' transitions
 * (one statement for all of them): two round trips, no transaction held open between them.
 * A job cancelled between the two is simply not claimed. On SQLite, one write transaction.
 */
export async function claim(kit: QueueKit, workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  if (limit <= 0) return [];
  const { database } = kit;
  let jobs: ClaimedJob[];
  if (database.dialect === "postgres") {
    const now = kit.clock();
    const rows = (await kit.runPrepared(RESERVE_POSTGRES, [now, limit, workerId, now + RESERVATION_MS])) as (JobRow & {
      steps: JobStepRow[];
    })[];
    const settled = await Promise.allSettled(
      rows.map(async ({ steps, ...picked }) => {
        const row = { ...picked, version: Number(picked.version) } as JobRow;
        const t = claimTransition(row, steps, workerId, leaseMs, now);
        return claimed(row, t, await kit.commit(t));
      }),
    );
    jobs = settled.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    // A claim that failed otherwise leaves its reservation to expire: the job is claimed again later.
    const failure = settled.find((o) => o.status === "rejected" && !(o.reason instanceof StateConflictError));
    if (jobs.length === 0 && failure) throw (failure as PromiseRejectedResult).reason;
  } else {
    jobs = await kit.transaction(async (trx) => {
      const now = kit.clock();
      const rows = await trx
        .selectFrom("jobs")
        .selectAll()
        .where("status", "=", "pending")
        .where("run_at", "<=", now)
        .orderBy("priority", "desc")
        .orderBy("run_at")
        .orderBy("id")
        .limit(limit)
        .execute();
      if (rows.length === 0) return [];
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
      const ts = rows.map((row) =>
        claimTransition(
          row,
          allSteps.filter((s) => s.job_id === row.id),
          workerId,
          leaseMs,
          now,
        ),
      );
      const applied = await applyTransitions(trx, ts);
      return rows.map((row, k) => claimed(row, ts[k]!, applied[k]!));
    });
  }
  if (jobs.length > 0) kit.afterCommit();
  return jobs;
}
