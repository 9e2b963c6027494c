/** `docket config`: the effective configuration, where each value came from, secrets masked. */
import type { Command } from "commander";
import { CliContext, type Streams } from "../context.js";
import { describeConfig } from "../describe-config.js";
import { table } from "../output/format.js";

export function configCommand(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  program
    .command("config")
    .description("print the effective configuration (secrets masked) and where each value comes from")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
Sources, strongest first: the environment, the config file (--config <file> or DOCKET_CONFIG:
JSON, or NAME=value lines), the defaults. Invalid values are listed one per line (exit 2).`,
    )
    .action((options: { json?: boolean }, command: Command) => {
      const ctx = CliContext.of(command, env, streams);
      const settings = ctx.settings();
      const rows = describeConfig(ctx.config(), settings);
      if (options.json) return ctx.printJson({ file: settings.file, settings: rows });
      if (settings.file) ctx.print(`config file: ${settings.file}`);
      for (const line of table(rows.map((r) => [r.name, String(r.value), `(${r.source})`]))) ctx.print(line);
    });
}
