/** `docket steps rebuild|verify`: the step table against the append-only event history. */
import type { Command } from "commander";
import type { StepLedger } from "../../engine/step-ledger.js";
import { CliContext, type Streams } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { parseInteger } from "../options.js";
import { setExitCode } from "./shared.js";

function formatMismatch(m: {
  jobId: string;
  step: string;
  kind: string;
  field?: string;
  table?: unknown;
  events?: unknown;
}): string {
  return m.kind === "field"
    ? `job ${m.jobId} step ${m.step}: ${m.field} is ${JSON.stringify(m.table)} in job_steps, ${JSON.stringify(m.events)} by the events`
    : `job ${m.jobId} step ${m.step}: ${m.kind === "missing_row" ? "no row in job_steps" : "row with no events"}`;
}

async function withLedger(ctx: CliContext, work: (ledger: StepLedger) => Promise<void>): Promise<void> {
  const config = ctx.config();
  const [{ openDatabase }, { migrate }, { StepLedger }] = await Promise.all([
    import("../../db/database.js"),
    import("../../db/migrator.js"),
    import("../../engine/step-ledger.js"),
  ]);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    await work(new StepLedger(database));
  } finally {
    await database.close();
  }
}

const IDS_HELP = "job or document ids (a document stands for every job of it); none: every job in the database";

/** The jobs `ids` name (all jobs when none are given); an id that is neither a job nor a document is a usage error. */
async function selectJobs(ledger: StepLedger, ids: readonly string[]): Promise<string[] | undefined> {
  if (ids.length === 0) return undefined;
  const { jobIds, unknown } = await ledger.jobsOf(ids);
  if (unknown.length > 0)
    throw new CliError(`no job or document with id ${unknown.join(", ")} (a deleted job has no step rows to check)`);
  return jobIds;
}

const EXAMPLES = `
Examples:
  docket steps verify                         every job in the database
  docket steps verify 0193… 0194…             these jobs, or every job of these documents
  docket steps rebuild --dry-run 0193…        what a rebuild of that job would change
  docket steps rebuild 0193…                  rebuild that job's rows, in one transaction; no other job is touched`;

export function stepsCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);
  const steps = program
    .command("steps")
    .description("the step table: rebuild it from the event history, or verify they agree")
    .addHelpText(
      "after",
      `\nBoth work on the database directly (local mode) and are safe on a running system.\n${EXAMPLES}`,
    );

  steps
    .command("rebuild")
    .description("rewrite job_steps from job_events, for every job or the jobs named")
    .argument("[ids...]", IDS_HELP)
    .option("--dry-run", "report what would change, change nothing")
    .option("--batch-size <n>", "jobs per transaction", parseInteger(1, 100_000), 500)
    .option("--json", "machine-readable output")
    .addHelpText("after", EXAMPLES)
    .action(
      async (ids: string[], options: { dryRun?: boolean; batchSize: number; json?: boolean }, command: Command) => {
        const ctx = context(command);
        await withLedger(ctx, async (ledger) => {
          const jobIds = await selectJobs(ledger, ids);
          const report = await ledger.rebuild({
            dryRun: options.dryRun ?? false,
            batchSize: options.batchSize,
            ...(jobIds ? { jobIds } : {}),
          });
          if (options.json) return ctx.printJson(report);
          ctx.print(
            `${report.dryRun ? "would change" : "changed"} ${report.changedJobs} of ${report.jobs} jobs (${report.changedRows} step rows)`,
          );
          for (const m of report.mismatches.slice(0, 50)) ctx.print(`  ${formatMismatch(m)}`);
          if (report.mismatches.length > 50)
            ctx.print(`  … and ${report.mismatches.length - 50} more (--json lists them all)`);
        });
      },
    );

  steps
    .command("verify")
    .description(
      "report every difference between job_steps and job_events (every job, or the jobs named); exit 1 if any",
    )
    .argument("[ids...]", IDS_HELP)
    .option("--json", "machine-readable output")
    .addHelpText("after", EXAMPLES)
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await withLedger(ctx, async (ledger) => {
        const jobIds = await selectJobs(ledger, ids);
        const mismatches = await ledger.verify(jobIds ? { jobIds } : {});
        const scope = jobIds ? ` (${jobIds.length} job${jobIds.length === 1 ? "" : "s"})` : "";
        if (options.json) ctx.printJson({ jobs: jobIds ?? null, mismatches });
        else if (mismatches.length === 0) ctx.print(`job_steps agrees with job_events${scope}`);
        else {
          ctx.print(`${mismatches.length} mismatch(es)${scope}:`);
          for (const m of mismatches) ctx.print(`  ${formatMismatch(m)}`);
        }
        if (mismatches.length > 0) setExitCode(EXIT.jobFailed);
      });
    });
}
