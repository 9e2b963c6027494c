/**
 * The Docket server bench:fields measures, in its own process (so the bench's own work does
 * not share its event loop): the real pipelines, the default OCR engine, SQLite in a fresh data
 * directory, workers as configured by default (one per core).
 *   tsx bench/fields/server.ts <dataDir> [templatesDir]
 * Prints "listening <base url>" when ready; SIGTERM closes it.
 */
import { serveForBench } from "../support/bench-server-main.js";

const [dataDir, templatesDir] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: server <dataDir> [templatesDir]");
  process.exit(2);
}
await serveForBench(dataDir, templatesDir ? { DOCKET_TEMPLATES_DIR: templatesDir } : {});
