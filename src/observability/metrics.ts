import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { countDueJobs, countJobsByStatus, jobTimes, stepStartedAt } from "./metrics-reads.js";
import type { Database } from "../db/database.js";
import { JOB_STATUSES } from "../domain/types.js";
import type { EventFeed, FeedEvent, Subscription } from "../engine/event-feed.js";
import type { Logger } from "../logger.js";

const FINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * Prometheus metrics of one process, in its own registry (no global state). Job and step
 * durations are observed from the event feed, so they count the work of every worker
 * that shares the database, as seen by this process.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly sseClients: Gauge;
  private readonly jobDuration: Histogram<"status">;
  private readonly stepDuration: Histogram<"step" | "status">;
  private readonly failures: Counter<"code">;
  private subscription: Subscription | null = null;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: "docket_process_" });
    this.httpDuration = new Histogram({
      name: "docket_http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [this.registry],
    });
    this.sseClients = new Gauge({
      name: "docket_sse_clients",
      help: "Open event-stream connections",
      registers: [this.registry],
    });
    this.jobDuration = new Histogram({
      name: "docket_job_duration_seconds",
      help: "From first start to the end of a job, by final status",
      labelNames: ["status"],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers: [this.registry],
    });
    this.stepDuration = new Histogram({
      name: "docket_step_duration_seconds",
      help: "Duration of one run of a step",
      labelNames: ["step", "status"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    this.failures = new Counter({
      name: "docket_job_failures_total",
      help: "Failed jobs by error code",
      labelNames: ["code"],
      registers: [this.registry],
    });
    const db = database.db;
    new Gauge({
      name: "docket_jobs",
      help: "Jobs by status",
      labelNames: ["status"],
      registers: [this.registry],
      async collect() {
        const counts = await countJobsByStatus(db);
        for (const s of JOB_STATUSES) this.set({ status: s }, counts.get(s) ?? 0);
      },
    });
    new Gauge({
      name: "docket_queue_depth",
      help: "Pending jobs whose run time has come",
      registers: [this.registry],
      async collect() {
        this.set(await countDueJobs(db, Date.now()));
      },
    });
  }

  async start(feed: EventFeed): Promise<void> {
    this.subscription = await feed.subscribe({ ownerId: null }, null, (event) => {
      this.observe(event).catch((error: unknown) => this.log.debug({ err: error }, "metrics observation failed"));
    });
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = null;
  }

  private async observe(event: FeedEvent): Promise<void> {
    const { db } = this.database;
    if (event.step === null && FINAL.has(event.status)) {
      const job = await jobTimes(db, event.jobId);
      if (!job) return;
      const start = Number(job.started_at ?? job.created_at);
      this.jobDuration.observe({ status: event.status }, Math.max(0, event.createdAt.getTime() - start) / 1000);
      if (event.status === "failed") this.failures.inc({ code: job.error_code ?? "unknown" });
      return;
    }
    if (event.step !== null && (event.status === "success" || event.status === "failure")) {
      const step = await stepStartedAt(db, event.jobId, event.step);
      if (!step?.started_at) return;
      // Steps named per destination (deliver:<dest>) are grouped by their prefix to bound label cardinality.
      const name = event.step.split(":")[0] ?? event.step;
      this.stepDuration.observe(
        { step: name, status: event.status },
        Math.max(0, event.createdAt.getTime() - Number(step.started_at)) / 1000,
      );
    }
  }
}
