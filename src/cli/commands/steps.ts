/** `docket steps rebuild|verify`: the step table against the append-only event history. */
import type { Command } from "commander";
import type { StepLedger } from "../../engine/step-ledger.js";
import { CliContext, type Streams } from "../context.js";
import { EXIT } from "../errors.js";
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

export function stepsCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);
  const steps = program
    .command("steps")
    .description("the step table: rebuild it from the event history, or verify they agree")
    .addHelpText("after", "\nBoth work on the database directly (local mode) and are safe on a running system.");

  steps
    .command("rebuild")
    .description("rewrite job_steps from job_events")
    .option("--dry-run", "report what would change, change nothing")
    .option("--batch-size <n>", "jobs per transaction", parseInteger(1, 100_000), 500)
    .option("--json", "machine-readable output")
    .action(async (options: { dryRun?: boolean; batchSize: number; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await withLedger(ctx, async (ledger) => {
        const report = await ledger.rebuild({ dryRun: options.dryRun ?? false, batchSize: options.batchSize });
        if (options.json) return ctx.printJson(report);
        ctx.print(
          `${report.dryRun ? "would change" : "changed"} ${report.changedJobs} of ${report.jobs} jobs (${report.changedRows} step rows)`,
        );
        for (const m of report.mismatches.slice(0, 50)) ctx.print(`  ${formatMismatch(m)}`);
        if (report.mismatches.length > 50)
          ctx.print(`  … and ${report.mismatches.length - 50} more (--json lists them all)`);
      });
    });

  steps
    .command("verify")
    .description("report every difference between job_steps and job_events; exit 1 if any")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await withLedger(ctx, async (ledger) => {
        const mismatches = await ledger.verify();
        if (options.json) ctx.printJson({ mismatches });
        else if (mismatches.length === 0) ctx.print("job_steps agrees with job_events");
        else {
          ctx.print(`${mismatches.length} mismatch(es):`);
          for (const m of mismatches) ctx.print(`  ${formatMismatch(m)}`);
        }
        if (mismatches.length > 0) setExitCode(EXIT.jobFailed);
      });
    });
}
