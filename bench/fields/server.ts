/**
 * The Docket server bench:fields measures, in its own process (so the bench's own work does
 * not share its event loop): the real pipelines, the default OCR engine, SQLite in a fresh data
 * directory, workers as configured by default (one per core).
 *   tsx bench/fields/server.ts <dataDir> [templatesDir]
 * Prints "listening <base url>" when ready; SIGTERM closes it.
 */
import { createDocket } from "../../src/app/docket.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";

const [dataDir, templatesDir] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: server <dataDir> [templatesDir]");
  process.exit(2);
}
const docket = await createDocket(
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DOCKET_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    DOCKET_ADMIN_EMAIL: "bench@example.test",
    DOCKET_ADMIN_PASSWORD: "bench-password",
    DOCKET_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "100000",
    ...(templatesDir ? { DOCKET_TEMPLATES_DIR: templatesDir } : {}),
  }),
  { log: silentLogger(), pipelines: createPipelines },
);
const base = await docket.listen();
process.stdout.write(`listening ${base}\n`);
process.on("SIGTERM", () => {
  void docket.close().then(() => process.exit(0));
});
