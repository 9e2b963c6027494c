/**
 * The server under test for bench:api, in its own process so the load generator and the
 * 100 SSE clients do not share its event loop (that would measure the bench, not Docket).
 *   tsx bench/api-server.ts <databaseUrl> <dataDir>
 * Prints "listening <base url>" when ready; SIGTERM closes it.
 */
import { createDocket } from "../src/app/docket.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { apiTestPipeline } from "../test/api/support.js";

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) {
  console.error("usage: api-server <databaseUrl> <dataDir>");
  process.exit(2);
}
const docket = await createDocket(
  // No workers: submitted jobs stay queued, so each submit is exactly one event to deliver.
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DOCKET_DATA_DIR: dataDir,
    DATABASE_URL: url,
    DOCKET_WORKERS: "0",
    LOG_LEVEL: "silent",
    DOCKET_RATE_LIMIT_PER_MIN: "100000000",
  }),
  {
    log: silentLogger(),
    pipelines: ({ blobStore }) => [apiTestPipeline(blobStore, new Map())],
    passwordHashing: { memoryCost: 1024, timeCost: 1 },
    fsync: false,
  },
);
const base = await docket.listen();
// BENCH_TIMELINE=1: the server's CPU time, event-loop delay and GC pauses over 5 ms, each second, on
// stderr: tells a stall in this process from one elsewhere (database, scheduler).
if (process.env.BENCH_TIMELINE) {
  const { PerformanceObserver, monitorEventLoopDelay } = await import("node:perf_hooks");
  const gcs: string[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.duration > 5)
        gcs.push(
          `${(e.startTime / 1000).toFixed(1)}s:${e.duration.toFixed(0)}ms(kind ${(e as unknown as { detail: { kind: number } }).detail.kind})`,
        );
  }).observe({ entryTypes: ["gc"] });
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const cpuMs = `cpu ${((used.user + used.system) / 1000).toFixed(0)}ms (sys ${(used.system / 1000).toFixed(0)})`;
    process.stderr.write(
      `[server] ${new Date().toISOString().slice(11, 23)} ${cpuMs} loop delay max ${(h.max / 1e6).toFixed(0)}ms p99 ${(h.percentile(99) / 1e6).toFixed(1)}ms gcs>5ms ${gcs.splice(0).join(" ")}\n`,
    );
    h.reset();
  }, 1000).unref();
}
process.stdout.write(`listening ${base}\n`);
process.on("SIGTERM", () => {
  void docket.close().then(() => process.exit(0));
});
