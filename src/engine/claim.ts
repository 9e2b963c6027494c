import { preparedTransaction } from "../db/prepared.js";
import { applyPostgres, applyTransitions } from "./apply-transition.js";
import { isFinished } from "./job-transitions.js";
import { jobEvent, refOf, type QueueKit } from "./queue-kit.js";
import type { JobRow, JobStepRow } from "./rows.js";
import { progressColumns, progressOfRows, StateConflictError, type Applied, type Transition } from "./transition.js";

/** What a worker holds while it runs a job: the job as claimed plus its step rows. */
export interface ClaimedJob {
  row: JobRow;
  steps: JobStepRow[];
}

/**
 * PostgreSQL: the due jobs, highest priority first, then oldest, locked with SKIP LOCKED so
 * concurrent workers take disjoint jobs without waiting on each other; each with its steps.
 */
const PICK_POSTGRES = `with next as (
  select * from jobs
  where status = 'pending' and run_at <= $1
  order by priority desc, run_at, id
  limit $2
  for update skip locked
)
select n.*, coalesce((select json_agg(s order by s.position) from job_steps s where s.job_id = n.id), '[]') as steps
from next n
order by n.priority desc, n.run_at, n.id`;

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

function claimed(row: JobRow, t: Transition, applied: Applied | null): ClaimedJob {
  // The rows are locked by this transaction: nobody can have changed them.
  if (!applied) throw new StateConflictError(row.id);
  const steps = applied.steps!;
  return {
    row: { ...row, ...t.jobSet, ...progressColumns(progressOfRows(steps)), version: applied.version } as JobRow,
    steps,
  };
}

/**
 * Claims up to `limit` runnable jobs in one transaction: pick and lock them, then apply each
 * job's claim transition through the same writer as every other transition (on PostgreSQL
 * one statement for all of them).
 */
export async function claim(kit: QueueKit, workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  if (limit <= 0) return [];
  const { database } = kit;
  let jobs: ClaimedJob[];
  if (database.dialect === "postgres") {
    jobs = await preparedTransaction(database, async (run) => {
      const now = kit.clock();
      const rows = (await run(PICK_POSTGRES, [now, limit])) as (JobRow & { steps: JobStepRow[] })[];
      if (rows.length === 0) return [];
      const picked = rows.map(({ steps, ...row }) => ({
        row: { ...row, version: Number(row.version) } as JobRow,
        steps,
      }));
      const ts = picked.map(({ row, steps }) => claimTransition(row, steps, workerId, leaseMs, now));
      const applied = await applyPostgres(run, ts);
      return picked.map(({ row }, k) => claimed(row, ts[k]!, applied[k]!));
    });
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
