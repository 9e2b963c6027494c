/**
 * Docket's side of the queue benchmark: a worker process as `docket worker` runs one, with
 * the engine's default timings (lease, heartbeat, cancel poll, rescue interval), running a
 * one-step no-op pipeline. Like bench/graphile-worker.ts, it polls every 200 ms as a backstop
 * to its wake-ups. (test/support/worker-process.ts is the tests' worker: its rescue and
 * cancel polls run every 250 and 100 ms so that tests finish quickly, which would add
 * queries a deployed worker does not make.)
 *   tsx bench/docket-worker.ts <databaseUrl> <concurrency> [<startsFile>]
 * With <startsFile>, appends `{ jobId, t }` per job start (the latency measurement).
 * Prints "ready" once it listens; SIGTERM stops it gracefully.
 */
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { openDatabase } from "../src/db/database.js";
import { createEngine } from "../src/engine/engine.js";
import { PipelineRegistry } from "../src/engine/pipeline.js";
import { Worker } from "../src/engine/worker.js";
import { createLogger } from "../src/logger.js";

const [url, concurrencyText, startsFile] = process.argv.slice(2);
if (!url) {
  console.error("usage: docket-worker <databaseUrl> <concurrency> [startsFile]");
  process.exit(2);
}
const log = createLogger({ level: "warn", pretty: false });
const database = await openDatabase({ url, dataDir: tmpdir() });
const engine = await createEngine({ database, log, feed: false });
const registry = new PipelineRegistry();
registry.register({
  name: "test",
  plan: () => ["work"],
  handler: () => async (ctx) => {
    if (startsFile)
      appendFileSync(
        startsFile,
        `${JSON.stringify({ jobId: ctx.jobId, t: performance.timeOrigin + performance.now() })}\n`,
      );
    return { detail: { ran: ctx.step } };
  },
});
const worker = new Worker({
  queue: engine.queue,
  registry,
  notifier: engine.notifier,
  log,
  concurrency: Number(concurrencyText ?? 10),
  pollMs: 200,
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
