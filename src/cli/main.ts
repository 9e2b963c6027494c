/**
 * The `docket` command line. Each command is its own composition root: it parses the
 * configuration once, builds what it needs and nothing more, and exits with
 * 0 (success), 1 (a job failed or was cancelled) or 2 (usage, configuration or connection error).
 */
import { Command, CommanderError, Option } from "commander";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrator.js";
import { StepLedger } from "../engine/step-ledger.js";
import type { Logger } from "../logger.js";
import { describeConfig } from "./describe-config.js";

// The server, the OCR engine and their dependencies load only for the commands that run
// them, so maintenance commands start in a fraction of the time.
const server = () => import("../app/docket.js");
const pipelines = () => import("../pipeline/pipelines.js");

export const EXIT = { ok: 0, jobFailed: 1, usage: 2 } as const;

function configFrom(env: NodeJS.ProcessEnv, patch: Partial<Config> = {}): Config {
  return { ...loadConfig(env), ...patch };
}

/** Runs until SIGTERM/SIGINT, then shuts down gracefully and exits 0. */
function onShutdown(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(EXIT.usage);
    }
    stopping = true;
    log.info({ signal }, "shutting down: no new work, finishing or releasing running jobs");
    close().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(EXIT.usage);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command("docket")
    .description("Docket: a self-hosted document-processing server (OCR, exports) whose status never lies.")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("serve")
    .description("run the HTTP API, the web UI and (unless --no-workers) workers in this process")
    .option("--no-workers", "serve the API only; jobs run in `docket worker` processes")
    .addOption(new Option("-p, --port <port>", "port to listen on (env PORT)").argParser(Number))
    .option("--host <host>", "address to listen on (env HOST)")
    .action(async (options: { workers: boolean; port?: number; host?: string }) => {
      const config = configFrom(env, {
        ...(options.workers ? {} : { workers: 0 }),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
      });
      const [{ createDocket }, { createPipelines }] = await Promise.all([server(), pipelines()]);
      const docket = await createDocket(config, { pipelines: createPipelines });
      onShutdown(docket.log, () => docket.close());
      await docket.listen();
    });

  program
    .command("worker")
    .description("run workers only (scale-out: any number of these beside `docket serve --no-workers`)")
    .addOption(new Option("-c, --concurrency <n>", "jobs run at once (env DOCKET_WORKERS)").argParser(Number))
    .action(async (options: { concurrency?: number }) => {
      const config = configFrom(env, options.concurrency ? { workers: options.concurrency } : {});
      const [{ createLogger }, { createEngine }, { Worker }, { PipelineRegistry }, { createBlobStore }, { createPipelines }] = await Promise.all([
        import("../logger.js"),
        import("../engine/engine.js"),
        import("../engine/worker.js"),
        import("../engine/pipeline.js"),
        import("../blob/create-blob-store.js"),
        pipelines(),
      ]);
      const log = createLogger({ level: config.logLevel });
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      await migrate(database);
      const engine = await createEngine({ database, log, feed: false });
      const blobStore = createBlobStore({ url: config.blobUrl, dataDir: config.dataDir });
      const registry = new PipelineRegistry();
      for (const pipeline of await createPipelines({ config, database, blobStore, log })) registry.register(pipeline);
      const worker = new Worker({
        queue: engine.queue,
        registry,
        notifier: engine.notifier,
        log: log.child({ component: "worker" }),
        concurrency: Math.max(1, config.workers),
        onStepAbandoned: (jobId, step) => blobStore.deletePrefix(`jobs/${jobId}/${step}/`),
      });
      engine.rescuer.start();
      worker.start();
      log.info({ workerId: worker.workerId, concurrency: config.workers, database: database.description }, "worker started");
      onShutdown(log, async () => {
        await worker.stop();
        for (const name of registry.names()) await registry.get(name)?.close?.();
        await engine.close();
        await database.close();
      });
    });

  program
    .command("migrate")
    .description("apply pending database migrations (they also run at start)")
    .action(async () => {
      const config = configFrom(env);
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      try {
        const report = await migrate(database);
        console.log(report.applied.length > 0 ? `applied: ${report.applied.join(", ")}` : `up to date (${report.current})`);
      } finally {
        await database.close();
      }
    });

  const steps = program.command("steps").description("the step table: rebuild it from the event history, or verify they agree");
  steps
    .command("rebuild")
    .description("rewrite job_steps from job_events")
    .option("--dry-run", "report what would change, change nothing")
    .addOption(new Option("--batch-size <n>", "jobs per transaction").argParser(Number).default(500))
    .option("--json", "machine-readable output")
    .action(async (options: { dryRun?: boolean; batchSize: number; json?: boolean }) => {
      await withLedger(env, async (ledger) => {
        const report = await ledger.rebuild({ dryRun: options.dryRun ?? false, batchSize: options.batchSize });
        if (options.json) console.log(JSON.stringify(report));
        else {
          console.log(`${report.dryRun ? "would change" : "changed"} ${report.changedJobs} of ${report.jobs} jobs (${report.changedRows} step rows)`);
          for (const m of report.mismatches.slice(0, 50)) console.log(`  ${formatMismatch(m)}`);
        }
      });
    });
  steps
    .command("verify")
    .description("report every difference between job_steps and job_events; exit 1 if any")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      await withLedger(env, async (ledger) => {
        const mismatches = await ledger.verify();
        if (options.json) console.log(JSON.stringify({ mismatches }));
        else if (mismatches.length === 0) console.log("job_steps agrees with job_events");
        else {
          console.log(`${mismatches.length} mismatch(es):`);
          for (const m of mismatches) console.log(`  ${formatMismatch(m)}`);
        }
        if (mismatches.length > 0) process.exitCode = EXIT.jobFailed;
      });
    });

  program
    .command("config")
    .description("print the effective configuration (secrets masked)")
    .option("--json", "machine-readable output")
    .action((options: { json?: boolean }) => {
      const described = describeConfig(configFrom(env));
      if (options.json) console.log(JSON.stringify(described, null, 2));
      else for (const [key, value] of Object.entries(described)) console.log(`${key.padEnd(28)} ${String(value)}`);
    });

  return program;
}

function formatMismatch(m: { jobId: string; step: string; kind: string; field?: string; table?: unknown; events?: unknown }): string {
  return m.kind === "field"
    ? `job ${m.jobId} step ${m.step}: ${m.field} is ${JSON.stringify(m.table)} in job_steps, ${JSON.stringify(m.events)} by the events`
    : `job ${m.jobId} step ${m.step}: ${m.kind === "missing_row" ? "no row in job_steps" : "row with no events"}`;
}

async function withLedger(env: NodeJS.ProcessEnv, work: (ledger: StepLedger) => Promise<void>): Promise<void> {
  const config = configFrom(env);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    await work(new StepLedger(database));
  } finally {
    await database.close();
  }
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await buildProgram(env).parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof ConfigError) {
      console.error(`docket: invalid configuration\n${error.message}`);
      process.exitCode = EXIT.usage;
      return;
    }
    console.error(`docket: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT.usage;
  }
}

await run(process.argv.slice(2));
