import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger.js";
import { DocketError, toDocketError } from "../errors.js";
import type { ClaimedJob, JobQueue } from "./job-queue.js";
import type { Notifier } from "./notifier.js";
import type { PipelineRegistry, StepContext, StepResult } from "./pipeline.js";
import { ProgressWriter } from "./progress-writer.js";
import { lazyChild } from "./lazy-logger.js";
import { StepDeadline } from "./step-deadline.js";
import { DEFAULT_TIME_LIMITS, type TimeLimits } from "./time-limits.js";
import { LeaseLostError } from "./transition.js";
import { stepWorkspace } from "./workspace-path.js";

export interface WorkerOptions {
  queue: JobQueue;
  registry: PipelineRegistry;
  notifier: Notifier;
  log: Logger;
  /** Jobs run at once in this process. */
  concurrency: number;
  /**
   * How long a claim stays valid without a heartbeat (default 10 s): a crashed worker's
   * job is taken over within about this plus the rescuer's interval (docs/OPERATIONS.md).
   */
  leaseMs?: number;
  /** Default: a quarter of the lease, so three heartbeats in a row may be late before the lease is lost. */
  heartbeatMs?: number;
  /** How long jobs and steps may run (default DEFAULT_TIME_LIMITS). */
  timeLimits?: TimeLimits;
  /** Backstop polling for new jobs when no wake-up hint arrives. */
  pollMs?: number;
  /** Backstop polling for cancel requests of running jobs. */
  cancelPollMs?: number;
  /** Minimum interval between persisted progress updates of one step. */
  progressIntervalMs?: number;
  workerId?: string;
  /** Called when a step did not succeed, to remove its partial outputs (its workspace). */
  onStepAbandoned?: (jobId: string, step: string) => Promise<void>;
}

type StopReason = "cancel" | "lease_lost" | "shutdown" | "timeout";

interface RunningJob {
  job: ClaimedJob;
  stop(reason: StopReason): void;
  done: Promise<void>;
  /** Whether the job still holds a slot: it may yet run a step handler. */
  holdsSlot: boolean;
}

class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
    this.name = "AbortError";
  }
}

/**
 * Runs jobs: claims as many as it has free slots, runs each job's remaining steps in
 * order, heartbeats the lease, and stops a job within a second of a cancel request
 * (NOTIFY, or the cancel poll as a backstop). CPU-heavy steps must run off the main
 * thread (worker threads or child processes) or the heartbeat would starve.
 */
export class Worker {
  readonly workerId: string;
  private readonly opts: Required<Omit<WorkerOptions, "onStepAbandoned" | "workerId">> &
    Pick<WorkerOptions, "onStepAbandoned">;
  private readonly running = new Map<string, RunningJob>();
  /** Running jobs that may still run a step handler (the others only wait for their last commit). */
  private slotsHeld = 0;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private unsubscribers: (() => void)[] = [];
  private cancelTimer: NodeJS.Timeout | null = null;

  constructor(options: WorkerOptions) {
    const leaseMs = options.leaseMs ?? 10_000;
    this.opts = {
      queue: options.queue,
      registry: options.registry,
      notifier: options.notifier,
      log: options.log,
      concurrency: options.concurrency,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 4)),
      timeLimits: options.timeLimits ?? DEFAULT_TIME_LIMITS,
      pollMs: options.pollMs ?? (options.notifier.crossProcess ? 2_000 : 1_000),
      cancelPollMs: options.cancelPollMs ?? 500,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      onStepAbandoned: options.onStepAbandoned,
    };
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  }

  get activeJobs(): number {
    return this.running.size;
  }

  start(): void {
    if (this.loopDone) return;
    const { notifier } = this.opts;
    this.unsubscribers.push(
      notifier.subscribe("jobs", () => this.poke()),
      notifier.subscribe("cancel", (jobId) => this.running.get(jobId)?.stop("cancel")),
    );
    this.cancelTimer = setInterval(() => void this.pollRunning(), this.opts.cancelPollMs);
    this.cancelTimer.unref();
    this.loopDone = this.loop();
  }

  /**
   * Shutdown: stop claiming and hand the running jobs back at once (pending again, lease
   * cleared, no attempt counted) so another worker resumes them without waiting for a
   * lease to expire; their OCR threads and processes are ended by the abort. With
   * `drainMs`, running jobs get that long to finish first.
   */
  async stop(drainMs = 0): Promise<void> {
    if (this.stopping) return this.loopDone ?? undefined;
    this.stopping = true;
    this.poke();
    await this.loopDone;
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), drainMs);
    });
    if (drainMs <= 0 || (await Promise.race([all(), deadline])) === "deadline") {
      for (const r of this.running.values()) r.stop("shutdown");
      await all();
    }
    clearTimeout(timer);
    if (this.cancelTimer) clearInterval(this.cancelTimer);
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async loop(): Promise<void> {
    const { queue, log, concurrency, leaseMs, pollMs } = this.opts;
    while (!this.stopping) {
      const free = concurrency - this.slotsHeld;
      if (free > 0) {
        try {
          const claimed = await queue.claim(this.workerId, free, leaseMs);
          for (const job of claimed) this.launch(job);
          if (claimed.length > 0 && claimed.length === free) continue;
        } catch (error) {
          log.error({ err: error }, "claiming jobs failed; will try again");
        }
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Backstop for lost NOTIFYs: notices cancel requests and lost jobs within cancelPollMs. */
  private async pollRunning(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      const states = await this.opts.queue.runningState([...this.running.keys()]);
      for (const state of states) {
        const run = this.running.get(state.id);
        if (!run) continue;
        if (state.status !== "processing" || state.attempt !== run.job.row.attempt) run.stop("lease_lost");
        else if (state.cancelRequested) run.stop("cancel");
      }
    } catch (error) {
      this.opts.log.warn({ err: error }, "checking running jobs failed");
    }
  }

  private launch(job: ClaimedJob): void {
    const controller = new AbortController();
    let reason: StopReason | null = null;
    const stop = (why: StopReason) => {
      if (reason) return;
      reason = why;
      controller.abort(new StopSignal(why));
    };
    const entry: RunningJob = { job, stop, done: Promise.resolve(), holdsSlot: true };
    this.running.set(job.row.id, entry);
    this.slotsHeld++;
    // Once no step handler will run again, the slot is free: the next job's claim then
    // overlaps this job's last commit (and shares its WAL flush) instead of waiting for it.
    const freeSlot = () => {
      if (!entry.holdsSlot) return;
      entry.holdsSlot = false;
      this.slotsHeld--;
      this.poke();
    };
    entry.done = this.runJob(job, controller.signal, () => reason, stop, freeSlot).finally(() => {
      freeSlot();
      this.running.delete(job.row.id);
      this.poke();
    });
  }

  private async runJob(
    job: ClaimedJob,
    signal: AbortSignal,
    reason: () => StopReason | null,
    stop: (r: StopReason) => void,
    freeSlot: () => void,
  ): Promise<void> {
    const { queue, registry, log: baseLog, heartbeatMs, leaseMs, timeLimits } = this.opts;
    const log = lazyChild(baseLog, { jobId: job.row.id, documentId: job.row.document_id, attempt: job.row.attempt });
    const heartbeat = setInterval(() => {
      queue.heartbeat(job, this.workerId, leaseMs).then(
        ({ cancelRequested }) => cancelRequested && stop("cancel"),
        (error: unknown) => {
          if (error instanceof LeaseLostError) stop("lease_lost");
          else log.warn({ err: error }, "heartbeat failed; will try again");
        },
      );
    }, heartbeatMs);
    heartbeat.unref();
    // The attempt's own limit: past it the job fails with `timeout`, whatever step runs.
    const jobLimit = setTimeout(() => stop("timeout"), timeLimits.jobMs);
    jobLimit.unref();

    let current: string | null = null;
    let completed = false;
    try {
      if (job.row.cancel_requested_at !== null) stop("cancel");
      const pipeline = registry.get(job.row.pipeline);
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const step = [...job.steps]
          .sort((a, b) => a.position - b.position)
          .find((s) => s.status !== "success" && s.status !== "skipped");
        if (!step) break;
        current = step.name;
        // The claim already started the first step of this attempt.
        if (!(step.status === "in_progress" && step.job_attempt === job.row.attempt))
          await queue.startStep(job, step.name);
        const handler = pipeline?.handler(step.name);
        const progress = new ProgressWriter(queue, job, step.name, this.opts.progressIntervalMs, (error) => {
          if (error instanceof LeaseLostError) stop("lease_lost");
          else log.warn({ err: error }, "progress update failed");
        });
        const deadline = new StepDeadline(timeLimits, step.name, signal);
        let result: StepResult | void;
        try {
          if (!pipeline)
            throw new DocketError("internal_error", `no pipeline named ${job.row.pipeline}`, { permanent: true });
          if (!handler)
            throw new DocketError("internal_error", `pipeline ${pipeline.name} has no handler for step ${step.name}`, {
              permanent: true,
            });
          const context = this.context(job, step.name, deadline, log, progress);
          result = await deadline.run(handler(context));
          await progress.flush();
        } catch (error) {
          progress.close();
          deadline.dispose();
          if (signal.aborted) throw signal.reason;
          const failure = toDocketError(error);
          log.warn({ err: error, step: step.name, code: failure.code, permanent: failure.permanent }, "step failed");
          freeSlot();
          await this.abandon(job.row.id, step.name, log);
          await queue.failStep(job, step.name, { code: failure.code, message: failure.message }, failure.permanent);
          return;
        }
        deadline.dispose();
        if (signal.aborted) throw signal.reason;
        if (job.steps.every((s) => s.name === step.name || s.status === "success" || s.status === "skipped"))
          freeSlot();
        completed = await queue.finishStep(job, step.name, {
          status: result?.skipped ? "skipped" : "success",
          message: result?.message ?? null,
          result: result?.detail ?? null,
          ...(result?.artifacts ? { artifacts: result.artifacts } : {}),
          ...(result?.numPages !== undefined ? { numPages: result.numPages } : {}),
          ...(result?.reviewReason ? { reviewReason: result.reviewReason } : {}),
        });
        current = null;
        // This commit finished the job: it is ours and done. A cancel poll or heartbeat that
        // read the job after it (no longer `processing`) may have stopped the run meanwhile;
        // that is the job ending, not a lost lease, so the stop is not looked at again.
        if (completed) break;
      }
      // A job whose steps were all done before this attempt (e.g. a retry after the last
      // step succeeded) completes here; otherwise the last step's commit completed it.
      if (!completed) await queue.completeJob(job);
      log.info("job completed");
    } catch (error) {
      const why = reason() ?? (error instanceof LeaseLostError ? "lease_lost" : null);
      freeSlot();
      try {
        if (why === "cancel") {
          if (current) await this.abandon(job.row.id, current, log);
          await queue.finishCancel(job);
          log.info({ step: current }, "job cancelled");
        } else if (why === "shutdown") {
          if (current) await this.abandon(job.row.id, current, log);
          await queue.release(job, current, this.workerId);
          log.info({ step: current }, "job released at shutdown");
        } else if (why === "timeout") {
          if (current) await this.abandon(job.row.id, current, log);
          const limit = `${Math.round(timeLimits.jobMs / 100) / 10} s`;
          const error = { code: "timeout", message: `the job took longer than its time limit of ${limit}` };
          await queue.failStep(job, current, error, true);
          log.warn({ step: current, limit_ms: timeLimits.jobMs }, "job failed: past its time limit");
        } else if (why === "lease_lost") {
          log.warn({ step: current }, "lost the job (lease expired or taken over); its writes are fenced off");
        } else {
          log.error(
            { err: error, step: current },
            "job runner failed; the lease will expire and the job will be recovered",
          );
        }
      } catch (inner) {
        if (inner instanceof LeaseLostError) log.warn("job changed hands while stopping; nothing written");
        else log.error({ err: inner }, "could not record how the job stopped; lease expiry will recover it");
      }
    } finally {
      clearInterval(heartbeat);
      clearTimeout(jobLimit);
    }
  }

  private async abandon(jobId: string, step: string, log: Logger): Promise<void> {
    if (!this.opts.onStepAbandoned) return;
    try {
      await this.opts.onStepAbandoned(jobId, step);
    } catch (error) {
      log.warn({ err: error, step }, "could not remove the partial outputs of a step");
    }
  }

  private context(
    job: ClaimedJob,
    step: string,
    deadline: StepDeadline,
    log: Logger,
    progress: ProgressWriter,
  ): StepContext {
    const queue = this.opts.queue;
    return {
      jobId: job.row.id,
      documentId: job.row.document_id,
      collectionId: job.row.collection_id,
      ownerId: job.row.owner_id,
      attempt: job.row.attempt,
      options: JSON.parse(job.row.options) as StepContext["options"],
      step,
      signal: deadline.signal,
      log: lazyChild(log, { step }),
      progress: (done, total, message) => {
        deadline.onUnits(total);
        progress.update(done, total, message ?? null);
      },
      addSteps: (names) => queue.addSteps(job, names),
      workspace: stepWorkspace(job.row.id, step),
      workspaceOf: (other) => stepWorkspace(job.row.id, other),
    };
  }
}
