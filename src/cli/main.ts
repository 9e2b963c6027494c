/**
 * The `docket` command line. Each command is its own composition root: it reads the
 * configuration once, builds what it needs and nothing more, and exits with 0 (success),
 * 1 (a job failed or was cancelled), 2 (usage, configuration, connection or authentication
 * error) or 130 (interrupted while waiting).
 *
 * Client commands (add, ls, status, …) run in one of two modes: remote with --url /
 * DOCKET_URL (any server, over the HTTP API) or local (the data dir's database directly).
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.js";
import { DocketError } from "../errors.js";
import { accountCommands } from "./commands/accounts.js";
import { addCommand } from "./commands/add.js";
import { collectionCommands } from "./commands/collection.js";
import { destinationCommands } from "./commands/destinations.js";
import { configCommand } from "./commands/config.js";
import { documentCommands } from "./commands/documents.js";
import { fieldsCommands } from "./commands/fields.js";
import { reviewCommands } from "./commands/review.js";
import { serverCommands } from "./commands/server.js";
import { stepsCommands } from "./commands/steps.js";
import type { Streams } from "./context.js";
import { CliError, EXIT, toCliError } from "./errors.js";

export { EXIT } from "./errors.js";

const MODES = `
Modes:
  local   (default) works on the data dir's database directly (DOCKET_DATA_DIR / DATABASE_URL),
          acting as --as <email> or the first admin; \`add --wait\` runs the jobs in this process
          when no server or worker picks them up.
  remote  --url <url> / DOCKET_URL with --token / DOCKET_TOKEN: talks to any Docket server.

Exit status: 0 success; 1 a job failed or was cancelled (or \`steps verify\` found a mismatch);
2 usage, configuration, connection or authentication error; 130 interrupted while waiting.

Run \`docket <command> --help\` for a command's options and examples.`;

/** The package version (src/cli and dist/cli are both two levels below package.json). */
function version(): string {
  try {
    return (
      (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string })
        .version ?? "unknown"
    );
  } catch {
    return "unknown";
  }
}

export function buildProgram(
  env: NodeJS.ProcessEnv = process.env,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Command {
  const program = new Command("docket")
    .description("Docket: a self-hosted document-processing server (OCR, exports) whose status never lies.")
    .version(version(), "-V, --version", "print the version")
    .option("--url <url>", "remote mode: the Docket server to talk to (env DOCKET_URL)")
    .option(
      "--token <token>",
      "remote mode: API or login token (env DOCKET_TOKEN; prefer the variable: options show in `ps`)",
    )
    .option("--as <user>", "local mode: act as this user (email or id; default: the first admin)")
    .option(
      "--config <file>",
      "config file: JSON or NAME=value lines with the names of `docket config` (env DOCKET_CONFIG)",
    )
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText("after", MODES);

  serverCommands(program, env, streams);
  addCommand(program, env, streams);
  documentCommands(program, env, streams);
  fieldsCommands(program, env, streams);
  reviewCommands(program, env, streams);
  collectionCommands(program, env, streams);
  stepsCommands(program, env, streams);
  accountCommands(program, env, streams);
  destinationCommands(program, env, streams);
  configCommand(program, env, streams);
  return program;
}

/** Parses and runs one command line; sets process.exitCode (never calls process.exit). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const streams: Streams = { stdout: process.stdout, stderr: process.stderr };
  // `docket ls | head`: the reader went away; that is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : EXIT.ok);
  });
  try {
    await buildProgram(env, streams).parseAsync(argv, { from: "user" });
  } catch (thrown) {
    const error = toCliError(thrown);
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error (unknown option, missing argument) exits 2.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof ConfigError) {
      streams.stderr.write(`docket: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (error instanceof CliError) {
      streams.stderr.write(`docket: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof DocketError || error instanceof Error ? error.message : String(error);
    streams.stderr.write(`docket: ${message}\n`);
    if (env.DOCKET_DEBUG && error instanceof Error && error.stack) streams.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.usage;
  }
}

await run(process.argv.slice(2));
