/**
 * A real Docket worker process for the kill -9 test:
 *   tsx test/destinations/delivery-worker.ts <dataDir> <databaseUrl> <folderRoot>
 * Runs the delivery test pipeline (scripted steps + the real deliver steps) with a short
 * lease, no HTTP listener; prints "ready" once it claims jobs.
 */
import { createDocket } from "../../src/app/docket.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { deliveryTestPipeline } from "./support.js";

const [dataDir, databaseUrl, folderRoot] = process.argv.slice(2);
const config = loadConfig({
  PORT: "0",
  DOCKET_DATA_DIR: dataDir!,
  DATABASE_URL: databaseUrl!,
  DOCKET_WORKERS: "1",
  DOCKET_ALLOW_PRIVATE_URLS: "true",
  DOCKET_FOLDER_ROOTS: folderRoot ?? "",
  LOG_LEVEL: "silent",
});
const docket = await createDocket(config, {
  log: silentLogger(),
  pipelines: (deps) => [deliveryTestPipeline(deps, new Map())],
  worker: { leaseMs: 1_000, heartbeatMs: 250, pollMs: 100, cancelPollMs: 100 },
  engine: { backoff: { baseMs: 20, maxMs: 100 }, rescueIntervalMs: 200 },
  fsync: false,
  webRoot: null,
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => void docket.close().then(() => process.exit(0)));
