import type { Tx } from "../db/transaction.js";
import type { ErrorInfo } from "../domain/types.js";
import { claim, type ClaimedJob } from "./claim.js";
import { cancel, deleteJob, retry } from "./control.js";
import { announceEnqueued, enqueue, type EnqueueInput } from "./enqueue.js";
import { QueueKit, type QueueKitOptions } from "./queue-kit.js";
import { flagUnresponsive, rescueExpired } from "./rescuer.js";
import { jobRowToJob, stepRowToStep } from "./rows.js";
import * as run from "./running-job.js";

export type { ClaimedJob } from "./claim.js";
export type { EnqueueInput } from "./enqueue.js";
export type { BackoffPolicy, Clock } from "./queue-kit.js";
export type { StepOutcome } from "./running-job.js";

/**
 * The queue as one object, for the composition roots and tests: each method is one call
 * into the module that owns it (enqueue.ts, claim.ts, running-job.ts, control.ts,
 * rescuer.ts), all sharing one QueueKit (clock, back-off, group commit, wake-up hints).
 */
export class JobQueue {
  readonly kit: QueueKit;

  constructor(options: QueueKitOptions) {
    this.kit = new QueueKit(options);
  }

  get database() {
    return this.kit.database;
  }

  enqueue = (input: EnqueueInput, trx?: Tx) => enqueue(this.kit, input, trx);
  announceEnqueued = () => announceEnqueued(this.kit);
  claim = (workerId: string, limit: number, leaseMs: number) => claim(this.kit, workerId, limit, leaseMs);

  heartbeat = (job: ClaimedJob, workerId: string, leaseMs: number) => run.heartbeat(this.kit, job, workerId, leaseMs);
  startStep = (job: ClaimedJob, name: string) => run.startStep(this.kit, job, name);
  reportProgress = (job: ClaimedJob, name: string, done: number, total: number, message: string | null) =>
    run.reportProgress(this.kit, job, name, done, total, message);
  finishStep = (job: ClaimedJob, name: string, outcome: run.StepOutcome) =>
    run.finishStep(this.kit, job, name, outcome);
  addSteps = (job: ClaimedJob, names: string[]) => run.addSteps(this.kit, job, names);
  completeJob = (job: ClaimedJob) => run.completeJob(this.kit, job);
  failStep = (job: ClaimedJob, name: string | null, error: ErrorInfo, permanent: boolean) =>
    run.failStep(this.kit, job, name, error, permanent);
  finishCancel = (job: ClaimedJob) => run.finishCancel(this.kit, job);
  release = (job: ClaimedJob, name: string | null, workerId: string) => run.release(this.kit, job, name, workerId);
  runningState = (jobIds: readonly string[]) => run.runningState(this.kit, jobIds);

  cancel = (jobId: string) => cancel(this.kit, jobId);
  retry = (jobId: string) => retry(this.kit, jobId);
  delete = (jobId: string) => deleteJob(this.kit, jobId);
  rescueExpired = (limit?: number) => rescueExpired(this.kit, limit);
  flagUnresponsive = (limit?: number) => flagUnresponsive(this.kit, limit);

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
}
