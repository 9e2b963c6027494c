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

/**
 * How long a PostgreSQL reservation keeps other workers off a job until its claim commits.
 * Only efficiency depends on it: a claim is conditional (still pending, same attempt), so
 * of two workers that both reserved a job after an expiry, exactly one claims it.
 */
const RESERVATION_MS = 2_000;
/**
 * Look-ahead: a worker whose slots free up in quick succession (short jobs) reserves as many
 * jobs again as it claims, and claims those the moment slots free, so their claims share a
 * statement and a WAL flush with the finishing jobs' last transitions instead of waiting a
 * reservation round trip and a commit of their own. Only when its previous claim was this
 * recent; a reserved job not claimed within AHEAD_MAX_AGE_MS is left to its expiry (so a job
 * waits at most RESERVATION_MS for a busy worker while others are idle).
 */
const AHEAD_WINDOW_MS = 250;
const AHEAD_MAX_AGE_MS = 1_000;

interface Reserved {
  row: JobRow & { steps: JobStepRow[] };
  at: number;
}

/** Per queue kit and worker: jobs reserved ahead, and when the worker last claimed. */
const aheadOf = new WeakMap<QueueKit, Map<string, { reserved: Reserved[]; lastClaim: number; refilling: boolean }>>();

function aheadFor(kit: QueueKit, workerId: string) {
  let byWorker = aheadOf.get(kit);
  if (!byWorker) aheadOf.set(kit, (byWorker = new Map()));
  let ahead = byWorker.get(workerId);
  if (!ahead) byWorker.set(workerId, (ahead = { reserved: [], lastClaim: -Infinity, refilling: false }));
  return ahead;
}

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

/** PostgreSQL: reserves up to `limit` due jobs for `workerId` (RESERVE_POSTGRES), with their steps. */
async function reserve(kit: QueueKit, workerId: string, limit: number, now: number) {
  const rows = (await kit.runPrepared(RESERVE_POSTGRES, [now, limit, workerId, now + RESERVATION_MS])) as (JobRow & {
    steps: JobStepRow[];
  })[];
  return rows.map((row) => ({ ...row, version: Number(row.version) }));
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
    const ahead = aheadFor(kit, workerId);
    const lookAhead = now - ahead.lastClaim <= AHEAD_WINDOW_MS;
    ahead.lastClaim = now;
    ahead.reserved = ahead.reserved.filter((r) => now - r.at <= AHEAD_MAX_AGE_MS);
    const picked = ahead.reserved.splice(0, limit).map((r) => r.row);
    const need = limit - picked.length;
    if (need > 0) {
      const rows = await reserve(kit, workerId, need + (lookAhead ? limit : 0), now);
      picked.push(...rows.slice(0, need));
      ahead.reserved.push(...rows.slice(need).map((row) => ({ row, at: now })));
    } else if (lookAhead && !ahead.refilling) {
      // Every slot served from the look-ahead: refill it beside the claims' commit.
      ahead.refilling = true;
      reserve(kit, workerId, limit, now)
        .then((rows) => ahead.reserved.push(...rows.map((row) => ({ row, at: now }))))
        .catch(() => undefined)
        .finally(() => {
          ahead.refilling = false;
        });
    }
    const settled = await Promise.allSettled(
      picked.map(async ({ steps, ...row }) => {
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
