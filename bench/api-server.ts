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
  loadConfig({ PORT: "0", HOST: "127.0.0.1", DOCKET_DATA_DIR: dataDir, DATABASE_URL: url, DOCKET_WORKERS: "0", LOG_LEVEL: "silent", DOCKET_RATE_LIMIT_PER_MIN: "100000000" }),
  { log: silentLogger(), pipelines: ({ blobStore }) => [apiTestPipeline(blobStore, new Map())], passwordHashing: { memoryCost: 1024, timeCost: 1 }, fsync: false },
);
const base = await docket.listen();
process.stdout.write(`listening ${base}\n`);
process.on("SIGTERM", () => {
  void docket.close().then(() => process.exit(0));
});
