/**
 * The server bench:ocr's end-to-end contender runs against, in its own process: the real
 * pipelines and default OCR engine, SQLite in a fresh data directory, 2 job slots
 * (DOCKET_WORKERS=2), blobs written with fsync as in production.
 *   tsx bench/ocr-e2e-server.ts <dataDir>
 * Prints "listening <base url>" when ready; SIGTERM closes it.
 */
import { createDocket } from "../src/app/docket.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { createPipelines } from "../src/pipeline/pipelines.js";

const [dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: ocr-e2e-server <dataDir>");
  process.exit(2);
}
const docket = await createDocket(
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DOCKET_DATA_DIR: dataDir,
    DOCKET_WORKERS: "2",
    LOG_LEVEL: "silent",
    DOCKET_ADMIN_EMAIL: "bench@example.test",
    DOCKET_ADMIN_PASSWORD: "bench-password",
    DOCKET_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "100000",
  }),
  { log: silentLogger(), pipelines: createPipelines },
);
const base = await docket.listen();
process.stdout.write(`listening ${base}\n`);
process.on("SIGTERM", () => {
  void docket.close().then(() => process.exit(0));
});
