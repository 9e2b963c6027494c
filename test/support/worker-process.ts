/**
 * A real worker process for multi-process tests and the queue benchmark.
 *   tsx test/support/worker-process.ts <databaseUrl> <runsFile|-> <concurrency> <leaseMs> [rescueMs]
 * Runs the scriptable test pipeline (test-pipeline.ts); appends one JSON line per step run
 * (start and end) to <runsFile>, and prints "ready" and "step <jobId> <step> <attempt>"
 * lines on stdout so a test can act at the right moment (kill -9, SIGSTOP).
 * SIGTERM stops gracefully.
 */
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { openDatabase } from "../../src/db/database.js";
import { createEngine } from "../../src/engine/engine.js";
import { PipelineRegistry, type PipelineDefinition } from "../../src/engine/pipeline.js";
import { Worker } from "../../src/engine/worker.js";
import { createLogger } from "../../src/logger.js";
import { createTestPipeline } from "./test-pipeline.js";

const [url, runsFile, concurrencyText, leaseText, rescueText] = process.argv.slice(2);
if (!url || !runsFile) {
  console.error("usage: worker-process <databaseUrl> <runsFile> [concurrency] [leaseMs]");
  process.exit(2);
}
const log = createLogger({ level: process.env.LOG_LEVEL ?? "warn", pretty: false });
// The default pool, as `docket worker` uses.
const database = await openDatabase({ url, dataDir: tmpdir() });
const engine = await createEngine({
  database,
  log,
  backoff: { baseMs: 50, maxMs: 200 },
  rescueIntervalMs: Number(rescueText ?? 250),
  feed: false,
});
const inner = createTestPipeline({ steps: ["work"] });
const pipeline: PipelineDefinition = {
  name: "test",
  plan: inner.plan,
  handler: (step) => {
    const handler = inner.handler(step)!;
    return async (ctx) => {
      // runsFile "-": record nothing (the throughput benchmark measures Docket, not this harness's file writes).
      const record = (phase: string) =>
        runsFile !== "-" &&
        appendFileSync(
          runsFile,
          `${JSON.stringify({ jobId: ctx.jobId, step: ctx.step, attempt: ctx.attempt, pid: process.pid, phase, t: performance.timeOrigin + performance.now() })}\n`,
        );
      record("start");
      if (runsFile !== "-") process.stdout.write(`step ${ctx.jobId} ${ctx.step} ${ctx.attempt}\n`);
      try {
        return await handler(ctx);
      } finally {
        record("end");
      }
    };
  },
};
const registry = new PipelineRegistry();
registry.register(pipeline);
const leaseMs = Number(leaseText ?? 2_000);
const worker = new Worker({
  queue: engine.queue,
  registry,
  notifier: engine.notifier,
  log,
  concurrency: Number(concurrencyText ?? 4),
  leaseMs,
  heartbeatMs: Math.max(50, Math.floor(leaseMs / 4)),
  pollMs: 200,
  cancelPollMs: 100,
});
engine.rescuer.start();
worker.start();
process.stdout.write("ready\n");

process.on("SIGTERM", () => {
  void (async () => {
    await worker.stop(5_000);
    await engine.close();
    await database.close();
    process.exit(0);
  })();
});
