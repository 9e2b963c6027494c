/** `docket serve`, `docket worker`, `docket migrate`: the server processes. */
import { Option, type Command } from "commander";
import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import { CliContext, type Streams } from "../context.js";
import { EXIT } from "../errors.js";
import { parseInteger } from "../options.js";

// The server, the OCR engine and their dependencies load only for the commands that run
// them, so the other commands start in a fraction of the time.
const server = () => import("../../app/docket.js");
const pipelines = () => import("../../pipeline/pipelines.js");

/**
 * Runs until SIGTERM/SIGINT, then shuts down gracefully (stop taking work, hand running
 * jobs back at once, close connections) and exits 0. A second signal exits at once.
 */
function onShutdown(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(EXIT.usage);
    }
    stopping = true;
    log.info({ signal }, "shutting down: no new work, handing running jobs back");
    close().then(
      () => {
        log.info("shut down cleanly");
        process.exit(EXIT.ok);
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(EXIT.usage);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const CONFIG_NOTE = "\nConfiguration comes from the environment and --config / DOCKET_CONFIG (see `docket config`).";
const TIMING_NOTE = `Time limits: DOCKET_STEP_TIMEOUT_S (default 600), DOCKET_OCR_PAGE_TIMEOUT_S (120 per page),
DOCKET_STEP_TIMEOUTS (kind=seconds,…), DOCKET_JOB_TIMEOUT_S (1800). Leases: DOCKET_LEASE_S (10; heartbeat every
quarter), DOCKET_RESCUE_INTERVAL_S (1): a crashed worker's job resumes elsewhere within about 12 s.`;

export function serverCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);

  program
    .command("serve")
    .description("run the HTTP API, the web UI and (unless --no-workers) workers in this process")
    .option("--no-workers", "serve the API only; jobs run in `docket worker` processes")
    .option("-p, --port <port>", "port to listen on (env PORT)", parseInteger(0, 65_535))
    .option("--host <host>", "address to listen on (env HOST)")
    .addHelpText(
      "after",
      `${CONFIG_NOTE}\n${TIMING_NOTE}\nSIGTERM or SIGINT: stop taking work, hand running jobs back at once (no attempt counted), close connections, exit 0.`,
    )
    .action(async (options: { workers: boolean; port?: number; host?: string }, command: Command) => {
      const base = context(command).config();
      const config: Config = {
        ...base,
        ...(options.workers ? {} : { workers: 0 }),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
      };
      const [{ createDocket }, { createPipelines }] = await Promise.all([server(), pipelines()]);
      const docket = await createDocket(config, { pipelines: createPipelines });
      onShutdown(docket.log, () => docket.close());
      await docket.listen();
    });

  program
    .command("worker")
    .description("run workers only (scale-out: any number of these beside `docket serve --no-workers`)")
    .addOption(
      new Option("-c, --concurrency <n>", "jobs run at once (env DOCKET_WORKERS)").argParser(parseInteger(1, 256)),
    )
    .addHelpText(
      "after",
      `${CONFIG_NOTE}\n${TIMING_NOTE}\nSIGTERM or SIGINT: stop claiming, hand running jobs back at once (no attempt counted), exit 0.`,
    )
    .action(async (options: { concurrency?: number }, command: Command) => {
      const base = context(command).config();
      const config: Config = { ...base, workers: options.concurrency ?? Math.max(1, base.workers) };
      const [{ startWorkerProcess }, { createPipelines }] = await Promise.all([
        import("../../app/worker-process.js"),
        pipelines(),
      ]);
      const running = await startWorkerProcess(config, createPipelines);
      onShutdown(running.log, () => running.close());
    });

  program
    .command("migrate")
    .description("apply pending database migrations (they also run at start)")
    .addHelpText("after", CONFIG_NOTE)
    .action(async (_options: unknown, command: Command) => {
      const ctx = context(command);
      const config = ctx.config();
      const [{ openDatabase }, { migrate }] = await Promise.all([
        import("../../db/database.js"),
        import("../../db/migrator.js"),
      ]);
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      try {
        const report = await migrate(database);
        ctx.print(
          report.applied.length > 0 ? `applied: ${report.applied.join(", ")}` : `up to date (${report.current})`,
        );
      } finally {
        await database.close();
      }
    });
}
