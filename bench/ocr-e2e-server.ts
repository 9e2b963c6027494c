/**
 * The server bench:ocr's end-to-end contender runs against, in its own process: the real
 * pipelines and default OCR engine, SQLite in a fresh data directory, 2 job slots
 * (DOCKET_WORKERS=2), blobs written with fsync as in production.
 *   tsx bench/ocr-e2e-server.ts <dataDir>
 * Prints "listening <base url>" when ready; SIGTERM closes it.
 */
import { serveForBench } from "./support/bench-server-main.js";

const [dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: ocr-e2e-server <dataDir>");
  process.exit(2);
}
await serveForBench(dataDir, { DOCKET_WORKERS: "2" });
