/** `docket ls`, `status`, `result`, `cancel`, `retry`, `rm`: documents and their jobs. */
import { Option, type Command } from "commander";
import { DOCUMENT_STATUSES, OUTPUT_FORMATS, type DocumentStatus, type OutputFormat } from "../../domain/types.js";
import { FINAL_STATUSES, type DocumentJson, type JobJson, type UnifiedStatus } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { CliError, EXIT, perIdRefusal } from "../errors.js";
import { parseInteger } from "../options.js";
import { clean, describeStatus, formatBytes, formatDuration, table } from "../output/format.js";
import { writeOutput } from "../results.js";
import { waitForDocuments } from "../wait.js";
import {
  exitCodeFor,
  finalLine,
  interruptedMessage,
  isNotFound,
  progressBoard,
  resolveDocument,
  resolveJob,
  setExitCode,
} from "./shared.js";

const ID_NOTE = "<id> is a document id or a job id (a document stands for its latest job).";

export function documentCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);

  program
    .command("ls")
    .description("list documents with their status, newest first")
    .addOption(new Option("--status <status>", "only documents in this status").choices(DOCUMENT_STATUSES))
    .option("-s, --search <text>", "only documents whose file name contains this")
    .option("--page <n>", "page number", parseInteger(1, 1_000_000), 1)
    .option("-n, --limit <n>", "documents per page (at most 100)", parseInteger(1, 100), 20)
    .option("--json", "print the API's page object as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  docket ls --status failed\n  docket ls --search invoice --json | jq -r '.items[].id'",
    )
    .action(
      async (
        options: { status?: DocumentStatus; search?: string; page: number; limit: number; json?: boolean },
        command: Command,
      ) => {
        const ctx = context(command);
        await ctx.withClient(async (client) => {
          const page = await client.listDocuments({
            page: options.page,
            pageSize: options.limit,
            status: options.status,
            q: options.search,
          });
          if (options.json) return ctx.printJson(page);
          if (page.items.length === 0) {
            ctx.info(page.total === 0 ? "no documents" : `no documents on page ${page.page} (${page.total} in all)`);
            return;
          }
          const rows = [["ID", "STATUS", "PAGES", "SIZE", "CREATED", "FILE"]];
          for (const d of page.items)
            rows.push([
              d.id,
              d.status,
              d.num_pages === null ? "-" : String(d.num_pages),
              formatBytes(d.size_bytes),
              d.created_at.slice(0, 19).replace("T", " "),
              clean(d.filename),
            ]);
          for (const line of table(rows)) ctx.print(line);
          const pages = Math.max(1, Math.ceil(page.total / page.page_size));
          if (pages > 1) ctx.info(`page ${page.page} of ${pages} (${page.total} documents; --page N for more)`);
        });
      },
    );

  program
    .command("status")
    .description("the unified status of a document: step k of n, percent, elapsed, error, what you may do")
    .argument("<id>", "document id or job id")
    .option("-f, --follow", "follow live (progress bar) until the job ends")
    .option("--json", "print {document, status, job} as JSON")
    .addHelpText(
      "after",
      `\n${ID_NOTE}\nExit status: 0; 1 when the job failed or was cancelled; 2 not found or connection error; 130 interrupted.`,
    )
    .action(async (id: string, options: { follow?: boolean; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(
        async (client) => {
          let document = await resolveDocument(client, id);
          let status = await client.documentStatus(document.id);
          if (options.follow && !FINAL_STATUSES.has(status.status)) {
            const board = progressBoard(ctx);
            board.add(document.id, document.filename);
            const outcome = await waitForDocuments(
              client,
              [{ documentId: document.id, jobId: document.latest_job_id, label: document.filename }],
              board,
            );
            if (outcome.interrupted) {
              ctx.info(interruptedMessage(client));
              setExitCode(EXIT.interrupted);
            }
            document = await client.document(document.id);
            status = await client.documentStatus(document.id);
          }
          const job = document.latest_job_id ? await client.job(document.latest_job_id) : null;
          setExitCode(exitCodeFor([status]));
          if (options.json) return ctx.printJson({ document, status, job });
          printStatus(ctx, document, status, job);
        },
        {
          onWorkersStarted: (n) => ctx.info(`no worker picked the job up: running it in this process (${n} at a time)`),
        },
      );
    });

  program
    .command("result")
    .description("write a result of a completed job to stdout or a file")
    .argument("<id>", "job id or document id")
    .addOption(
      new Option("-f, --format <format>", "which result; pdf is the searchable PDF")
        .choices(OUTPUT_FORMATS)
        .default("txt"),
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .addHelpText(
      "after",
      `\n${ID_NOTE}\n\nExamples:\n  docket result 0198… > scan.txt\n  docket result 0198… --format pdf -o scan.ocr.pdf`,
    )
    .action(async (id: string, options: { format: OutputFormat; output?: string }, command: Command) => {
      const ctx = context(command);
      if (!options.output && options.format === "pdf" && ctx.streams.stdout.isTTY)
        throw new CliError("a PDF is binary: write it to a file with -o <file>");
      await ctx.withClient(async (client) => {
        const job = await resolveJob(client, id);
        if (job.status !== "completed") {
          throw new CliError(
            `job ${job.id} is ${job.status}${job.error ? ` (${job.error.code}: ${job.error.message})` : ""}; results exist once it completes`,
            job.status === "failed" || job.status === "cancelled" ? EXIT.jobFailed : EXIT.usage,
            "not_ready",
          );
        }
        const stream = await client.resultFile(job.id, options.format);
        await writeOutput(ctx, stream, options.output);
      });
    });

  program
    .command("cancel")
    .description("cancel jobs: a queued one at once, a running one within a second")
    .argument("<ids...>", "job ids or document ids")
    .option("--json", "print the jobs as JSON")
    .addHelpText("after", `\n${ID_NOTE}`)
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) =>
        forEach(ctx, ids, options.json ? "json" : "text", async (id) => {
          const job = await client.cancel((await resolveJob(client, id)).id);
          return {
            job,
            line:
              job.status === "cancelled"
                ? `cancelled job ${job.id}`
                : `cancel requested for job ${job.id} (${job.status}; it stops within a second)`,
          };
        }),
      );
    });

  program
    .command("retry")
    .description("retry failed or cancelled jobs from the first step that did not succeed")
    .argument("<ids...>", "job ids or document ids")
    .option("-w, --wait", "wait with live progress, then print the final status")
    .option("--json", "print the jobs (and with --wait the final statuses) as JSON")
    .addHelpText("after", `\n${ID_NOTE}\nExit status with --wait: as for \`docket add --wait\`.`)
    .action(async (ids: string[], options: { wait?: boolean; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(
        async (client) => {
          const retried = await forEach(
            ctx,
            ids,
            options.json ? (options.wait ? "quiet" : "json") : "text",
            async (id) => {
              const job = await client.retry((await resolveJob(client, id)).id);
              return { job, line: `retrying job ${job.id} (${job.status})` };
            },
          );
          if (!options.wait) return;
          const board = progressBoard(ctx);
          const documents = new Map<string, DocumentJson>();
          for (const job of retried) documents.set(job.document_id, await client.document(job.document_id));
          const tracked = retried.map((job) => ({
            documentId: job.document_id,
            jobId: job.id,
            label: documents.get(job.document_id)?.filename ?? job.document_id,
          }));
          for (const t of tracked) board.add(t.documentId, t.label);
          const { finals, latest, interrupted } = await waitForDocuments(client, tracked, board);
          if (interrupted) {
            ctx.info(interruptedMessage(client));
            setExitCode(EXIT.interrupted);
          }
          setExitCode(exitCodeFor(finals.values()));
          if (options.json) return ctx.printJson({ jobs: retried, statuses: Object.fromEntries(finals) });
          for (const t of tracked) {
            const status = latest.get(t.documentId);
            if (status) ctx.print(finalLine(t.label, status, t.documentId, t.jobId));
          }
        },
        {
          onWorkersStarted: (n) =>
            ctx.info(`no worker picked the jobs up: running them in this process (${n} at a time)`),
        },
      );
    });

  program
    .command("rm")
    .description("remove documents (their running jobs are cancelled) or finished jobs")
    .argument("<ids...>", "document ids (or job ids: removes that finished job and its results)")
    .option("--json", "print what was removed as JSON")
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const removed: { id: string; kind: "document" | "job" }[] = [];
        await forEach(ctx, ids, options.json ? "quiet" : "text", async (id) => {
          try {
            await client.deleteDocument(id);
            removed.push({ id, kind: "document" });
            return { job: null, line: `removed document ${id}` };
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
          try {
            await client.deleteJob(id);
          } catch (error) {
            if (isNotFound(error))
              throw new CliError(`no document or job ${id} (404 not_found)`, EXIT.usage, "not_found");
            throw error;
          }
          removed.push({ id, kind: "job" });
          return { job: null, line: `removed job ${id}` };
        });
        if (options.json) ctx.printJson({ removed });
      });
    });
}

/**
 * Runs `act` for every id, reporting each outcome; one id's refusal does not stop the
 * others (the command then exits 2). Returns the jobs acted on.
 */
async function forEach(
  ctx: CliContext,
  ids: string[],
  output: "text" | "json" | "quiet",
  act: (id: string) => Promise<{ job: JobJson | null; line: string }>,
): Promise<JobJson[]> {
  const jobs: JobJson[] = [];
  const errors: { id: string; error: string; code: string | null }[] = [];
  for (const id of ids) {
    try {
      const { job, line } = await act(id);
      if (job) jobs.push(job);
      if (output === "text") ctx.print(line);
    } catch (error) {
      const refusal = perIdRefusal(error);
      errors.push({ id, error: refusal.message, code: refusal.code });
      ctx.info(`docket: ${id}: ${refusal.message}`);
    }
  }
  if (output === "json") ctx.printJson({ jobs, errors });
  if (errors.length > 0) setExitCode(EXIT.usage);
  return jobs;
}

function printStatus(ctx: CliContext, document: DocumentJson, status: UnifiedStatus, job: JobJson | null): void {
  const rows: string[][] = [
    [
      "document",
      `${document.id}  ${clean(document.filename)} (${formatBytes(document.size_bytes)}${document.num_pages === null ? "" : `, ${document.num_pages} page${document.num_pages === 1 ? "" : "s"}`})`,
    ],
    ["status", describeStatus(status)],
  ];
  if (job) {
    rows.push(["elapsed", formatDuration(status.elapsed_ms)]);
    rows.push([
      "job",
      `${job.id}  attempt ${job.attempts} of ${job.max_attempts}, priority ${job.priority}, ${job.ocr_mode}/${job.resolution_mode}, ${job.languages.join("+")}`,
    ]);
    const marks: Record<string, string> = {
      success: "✓",
      skipped: "–",
      failure: "✗",
      cancelled: "✗",
      in_progress: "▸",
      pending: "·",
    };
    rows.push(["steps", job.steps.map((s) => `${marks[s.status] ?? "?"} ${s.name}`).join("  ")]);
    const actions = [status.can_cancel ? "cancel" : null, status.can_retry ? "retry" : null].filter(Boolean);
    rows.push(["actions", actions.length > 0 ? actions.join(", ") : "none"]);
  }
  for (const line of table(rows)) ctx.print(line);
}
