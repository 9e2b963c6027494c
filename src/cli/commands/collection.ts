/** `docket collection create|ls|add|process|compile|status|result`: collections and their two gated stages. */
import { Argument, type Command } from "commander";
import { COMPILE_OUTPUTS, type CompileOutput } from "../../collections/compile/outputs.js";
import type { CollectionStatus } from "../client/collections.js";
import { CliContext, type Streams } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { clean, formatDuration, table } from "../output/format.js";
import { writeOutput } from "../results.js";
import { setExitCode } from "./shared.js";

const HELP = `
A collection is a named, ordered set of your documents, worked in two stages:
  process   a job per document (OCR and extraction); documents with an active or completed
            job are skipped and listed with why
  compile   one job that builds a merged PDF (a bookmark per document), the fields as CSV and
            XLSX, a ZIP of every document's outputs and a JSON summary; it unlocks when every
            document's latest job has completed (an approved review counts, manual_review not)

Examples:
  docket collection create "March invoices"            prints the collection id
  docket collection add <collection> <document ids…>
  docket collection process <collection>
  docket collection status <collection> --follow       live "Phase k of n" until it settles
  docket collection compile <collection>
  docket collection result <collection> pdf -o march.pdf

Exit status: 0 done; 1 the compile job failed or was cancelled (status --follow); 2 usage,
connection or authentication error, or a refused request (e.g. 409 stage_locked).`;

function parseOutputs(value: string): CompileOutput[] {
  const outputs = value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = outputs.filter((o) => !(COMPILE_OUTPUTS as readonly string[]).includes(o));
  if (unknown.length > 0 || outputs.length === 0)
    throw new CliError(`--outputs takes ${COMPILE_OUTPUTS.join(",")} (got ${value})`);
  return outputs as CompileOutput[];
}

/** "Phase 1 of 2: 3 of 4 documents finished 75% (12 s)"; the compile stage's lock reason when locked. */
export function describeCollection(status: CollectionStatus): string {
  const p = status.progress;
  const [process, compile] = status.stages;
  const line = `Phase ${p.phase_index} of ${p.phase_total}: ${p.message} ${p.percentage}% (${formatDuration(p.elapsed_ms)})`;
  const gate =
    compile.status === "locked"
      ? `compile locked: ${compile.reason ?? ""}`
      : compile.status === "ready"
        ? "compile ready"
        : `compile ${compile.status}`;
  return `${line}; process ${process.status}; ${clean(gate)}`;
}

/** Nothing more happens without someone acting: no member queued or running, no compile job running. */
function settled(status: CollectionStatus): boolean {
  const [process, compile] = status.stages;
  return (
    process.counts.queued + process.counts.processing === 0 &&
    compile.status !== "queued" &&
    compile.status !== "processing"
  );
}

export function collectionCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);
  const collection = program
    .command("collection")
    .description("collections of documents: process them, then compile one PDF, a fields table, a ZIP and a summary")
    .addHelpText("after", HELP);

  collection
    .command("create")
    .description("create a collection; prints its id")
    .argument("<name>", "its name")
    .option("--json", "print the collection as JSON")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const created = await client.collections.create(name);
        if (options.json) ctx.printJson(created);
        else ctx.print(created.id);
      });
    });

  collection
    .command("ls")
    .description("your collections, newest first")
    .option("--json", "print them as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const items = await client.collections.list();
        if (options.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.info("no collections yet (`docket collection create <name>`)");
        const rows = [["ID", "NAME", "DOCUMENTS", "CREATED"]];
        for (const c of items)
          rows.push([c.id, clean(c.name), String(c.document_ids.length), c.created_at.slice(0, 16).replace("T", " ")]);
        for (const line of table(rows)) ctx.print(line);
      });
    });

  collection
    .command("add")
    .description("append documents to a collection, in the order given")
    .argument("<collection>", "collection id")
    .argument("<documents...>", "document ids")
    .option("--json", "print the collection as JSON")
    .action(async (id: string, documents: string[], options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const updated = await client.collections.add(id, documents);
        if (options.json) ctx.printJson(updated);
        else ctx.print(`${clean(updated.name)}: ${updated.document_ids.length} documents`);
      });
    });

  collection
    .command("process")
    .description("the process stage: a job per document without an active or completed job")
    .argument("<collection>", "collection id")
    .option("--json", "print {batch_id, jobs, skipped} as JSON")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const result = await client.collections.process(id, {});
        if (options.json) return ctx.printJson(result);
        ctx.print(
          `queued ${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"}${result.batch_id ? ` (batch ${result.batch_id})` : ""}`,
        );
        for (const s of result.skipped) ctx.print(`skipped ${s.document_id}: ${s.reason} (${clean(s.message)})`);
      });
    });

  collection
    .command("compile")
    .description("the compile stage: one job building the collection's outputs (refused while locked)")
    .argument("<collection>", "collection id")
    .option("--outputs <formats>", `outputs to build: ${COMPILE_OUTPUTS.join(",")} (default all)`, parseOutputs)
    .option("--json", "print the collection job as JSON")
    .action(async (id: string, options: { outputs?: CompileOutput[]; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const job = await client.collections.compile(id, options.outputs);
        if (options.json) ctx.printJson(job);
        else ctx.print(`compile job ${job.id} ${job.status} (${job.progress.total_steps} steps)`);
      });
    });

  collection
    .command("status")
    .description("both stages and the aggregate progress; --follow until nothing more happens")
    .argument("<collection>", "collection id")
    .option("-f, --follow", "print each change until no document and no compile job is queued or running")
    .option("--json", "print the status as JSON (with --follow: the final one)")
    .action(async (id: string, options: { follow?: boolean; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        let status = await client.collections.status(id);
        if (options.follow) {
          let last = "";
          for (;;) {
            const line = describeCollection(status);
            if (line !== last && !options.json) ctx.info(line);
            last = line;
            if (settled(status)) break;
            status = await client.collections.status(id, { version: status.version, seconds: 25 });
          }
        }
        const compile = status.stages[1];
        if (options.json) ctx.printJson(status);
        else if (!options.follow) ctx.print(describeCollection(status));
        if (options.follow && (compile.status === "failed" || compile.status === "cancelled"))
          setExitCode(EXIT.jobFailed);
      });
    });

  collection
    .command("result")
    .description("download an output of the compile stage")
    .argument("<collection>", "collection id")
    .addArgument(new Argument("<format>", "pdf, csv, xlsx, zip or json").choices(COMPILE_OUTPUTS))
    .option("-o, --output <file>", "write to this file (default stdout; needed for binary formats on a terminal)")
    .action(async (id: string, format: CompileOutput, options: { output?: string }, command: Command) => {
      const ctx = context(command);
      if (!options.output && (format === "pdf" || format === "xlsx" || format === "zip") && ctx.streams.stdout.isTTY)
        throw new CliError(`${format} is binary: write it to a file with -o <file>`);
      await ctx.withClient(async (client) => {
        const stream = await client.collections.result(id, format);
        await writeOutput(ctx, stream, options.output);
      });
    });
}
