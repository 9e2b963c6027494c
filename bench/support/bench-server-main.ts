/**
 * The body of a bench's server process: a Docket server with the real pipelines and default
 * OCR engine, SQLite in the given data directory, the bench admin, rate limits out of the
 * way; prints "listening <base url>" when ready, and SIGTERM closes it.
 */
import { createDocket } from "../../src/app/docket.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { BENCH_ADMIN } from "./bench-api-client.js";

export async function serveForBench(dataDir: string, env: Record<string, string> = {}): Promise<void> {
  const docket = await createDocket(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DOCKET_DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      DOCKET_ADMIN_EMAIL: BENCH_ADMIN.email,
      DOCKET_ADMIN_PASSWORD: BENCH_ADMIN.password,
      DOCKET_RATE_LIMIT_PER_MIN: "100000",
      DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "100000",
      DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "100000",
      ...env,
    }),
    { log: silentLogger(), pipelines: createPipelines },
  );
  const base = await docket.listen();
  process.stdout.write(`listening ${base}\n`);
  process.on("SIGTERM", () => {
    void docket.close().then(() => process.exit(0));
  });
}
