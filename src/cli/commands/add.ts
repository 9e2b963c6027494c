/** `docket add <files…>`: upload, process, optionally wait with live progress and save the results. */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { OCR_MODES, OCR_POLICIES, RESOLUTION_MODES, type OutputFormat } from "../../domain/types.js";
import { EXTRACT_MODES } from "../../extraction/types.js";
import { SubmitOptionsSchema } from "../../jobs/options.js";
import type { DocketClient, DocumentJson, JobJson, SubmitOptions, UnifiedStatus } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { parseLanguages, parseOutputs, parsePriority } from "../options.js";
import { clean, formatBytes } from "../output/format.js";
import { saveResults, uniqueStem } from "../results.js";
import { waitForDocuments } from "../wait.js";
import { exitCodeFor, finalLine, interruptedMessage, progressBoard, setExitCode } from "./shared.js";

interface AddOptions {
  wait?: boolean;
  outputDir?: string;
  lang?: string[];
  mode?: SubmitOptions["ocr_mode"];
  resolution?: SubmitOptions["resolution_mode"];
  priority?: number;
  outputs?: OutputFormat[];
  ocr?: SubmitOptions["ocr"];
  extract?: SubmitOptions["extract"];
  destinations?: string;
  process: boolean;
  json?: boolean;
}

/** One file's outcome, as `--json` prints it. */
interface FileOutcome {
  file: string;
  document: DocumentJson | null;
  duplicate: boolean;
  job: JobJson | null;
  /** The unified status: final with --wait, else as it was just after adding. */
  status: UnifiedStatus | null;
  saved: string[];
  /** Why the file was refused (it has no document then). */
  error: { code: string | null; message: string } | null;
}

/** Refusals that concern one file (too large, wrong type, …): the other files still go. */
const FILE_REFUSALS = new Set([
  "file_too_large",
  "unsupported_type",
  "no_file",
  "empty_file",
  "corrupt_file",
  "encrypted_pdf",
  "too_many_pages",
  "image_too_large",
]);

const EXAMPLES = `
Examples:
  docket add scan.pdf                       upload and queue; prints the document and job ids
  docket add *.pdf --wait                   live progress per file, then the final status
  docket add scan.pdf -o out/ --lang eng,pol  wait, then save out/scan.txt, .md, .json, .hocr, .ocr.pdf
  docket add scan.pdf --json --wait | jq .files[0].status.status
  docket add faktura.pdf --wait --extract invoice   then \`docket fields <document id>\` shows its fields

Exit status: 0 all done (or queued, without --wait); 1 a file was refused or a job failed or was
cancelled; 2 usage, connection or authentication error; 130 interrupted while waiting (the jobs go on).
A job that completed but needs manual review counts as done (0); its status says manual_review.`;

export function addCommand(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  program
    .command("add")
    .description("upload files and process them (OCR and exports); --wait shows live progress")
    .argument("<files...>", "PDFs or images (PNG, JPEG, TIFF, WebP)")
    .option("-w, --wait", "wait with a live progress bar per file, then print the final status")
    .option("-o, --output-dir <dir>", "when done, save the results in <dir> (implies --wait)")
    .option(
      "--lang <codes>",
      "OCR languages, e.g. eng or eng,pol (default: the server's DOCKET_OCR_LANGS)",
      parseLanguages,
    )
    .addOption(new Option("--mode <mode>", "OCR mode (default document)").choices(OCR_MODES))
    .addOption(new Option("--resolution <preset>", "resolution preset (default base)").choices(RESOLUTION_MODES))
    .option("--priority <n>", "0–10, higher runs first (default 5)", parsePriority)
    .option("--outputs <formats>", "results to produce: txt,md,json,hocr,pdf (default all)", parseOutputs)
    .addOption(
      new Option("--ocr <policy>", "auto: OCR only pages without a usable text layer (default); force; skip").choices(
        OCR_POLICIES,
      ),
    )
    .addOption(
      new Option(
        "--extract <mode>",
        "field extraction: auto (classify, then extract; default), invoice, receipt or off",
      ).choices(EXTRACT_MODES),
    )
    .option(
      "--destinations <ids>",
      "deliver to these destinations (comma-separated ids; `none` for none; default: your default destinations)",
    )
    .option("--no-process", "upload only, start no job")
    .option("--json", "print one JSON document on stdout (progress stays on stderr)")
    .addHelpText("after", EXAMPLES)
    .action(async (files: string[], options: AddOptions, command: Command) => {
      await add(CliContext.of(command, env, streams), files, options);
    });
}

async function add(ctx: CliContext, files: string[], options: AddOptions): Promise<void> {
  const wait = options.wait === true || options.outputDir !== undefined;
  if (wait && !options.process) throw new CliError("--wait and --output-dir need processing; drop --no-process");
  const missing: string[] = [];
  const sizes = new Map<string, number>();
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) missing.push(file);
    else sizes.set(file, info.size);
  }
  if (missing.length > 0) throw new CliError(`not a readable file: ${missing.join(", ")}`);
  const parsed = SubmitOptionsSchema.safeParse({
    ...(options.mode ? { ocr_mode: options.mode } : {}),
    ...(options.resolution ? { resolution_mode: options.resolution } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.lang ? { languages: options.lang } : {}),
    ...(options.outputs ? { outputs: options.outputs } : {}),
    ...(options.ocr ? { ocr: options.ocr } : {}),
    ...(options.extract ? { extract: options.extract } : {}),
    ...(options.destinations !== undefined
      ? { destinations: options.destinations === "none" ? [] : options.destinations.split(",").filter(Boolean) }
      : {}),
  });
  if (!parsed.success)
    throw new CliError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const submit = parsed.data;
  const outputDir = options.outputDir ? resolve(options.outputDir) : null;

  const board = wait ? progressBoard(ctx) : null;
  const say = (text: string) => (board ? board.note(text) : ctx.info(text));
  await ctx.withClient(
    async (client) => {
      // Credentials first: a server refuses an unauthenticated upload before reading it,
      // which a client still sending the body sees as a broken connection, not as the 401.
      await client.me();
      const outcomes: FileOutcome[] = [];
      for (const file of files)
        outcomes.push(await addOne(client, file, sizes.get(file) ?? 0, options.process, submit, say));

      if (wait && board) {
        const tracked = outcomes
          .filter((o) => o.document && o.job)
          .map((o) => ({ documentId: o.document!.id, jobId: o.job!.id, label: o.file }));
        for (const t of tracked) board.add(t.documentId, t.label);
        const { finals, latest, interrupted } = await waitForDocuments(client, tracked, board);
        for (const o of outcomes) if (o.document && latest.has(o.document.id)) o.status = latest.get(o.document.id)!;
        if (interrupted) {
          ctx.info(interruptedMessage(client));
          setExitCode(EXIT.interrupted);
        }
        // The job as it ended (its steps and outputs), and its results when asked.
        const stems = new Set<string>();
        for (const o of outcomes) {
          if (!o.document || !o.job || !finals.has(o.document.id)) continue;
          o.job = await client.job(o.job.id);
          if (outputDir && (o.status?.status === "completed" || o.status?.status === "manual_review")) {
            o.saved = await saveResults(client, o.job, outputDir, uniqueStem(o.file, stems));
          }
        }
      } else {
        for (const o of outcomes) if (o.document) o.status = await client.documentStatus(o.document.id);
      }

      const failedFiles = outcomes.some((o) => o.error !== null);
      const code = Math.max(
        failedFiles ? EXIT.jobFailed : EXIT.ok,
        exitCodeFor(outcomes.flatMap((o) => (wait && o.status ? [o.status] : []))),
      );
      setExitCode(code);
      if (options.json) {
        ctx.printJson({ ok: code === EXIT.ok, files: outcomes });
        return;
      }
      for (const o of outcomes) {
        if (o.error) ctx.print(`${clean(o.file)}: refused — ${o.error.message}`);
        else if (!o.document) continue;
        else if (wait && o.status) {
          ctx.print(finalLine(o.file, o.status, o.document.id, o.job?.id ?? null));
          for (const path of o.saved) ctx.print(`  saved ${path}`);
        } else {
          const job = o.job ? `job ${o.job.id}` : "no job";
          ctx.print(
            `${clean(o.file)}: ${o.status?.status ?? o.document.status}${o.duplicate ? " (duplicate of an existing document)" : ""} — document ${o.document.id}, ${job}`,
          );
        }
      }
    },
    { onWorkersStarted: (n) => say(`no worker picked the jobs up: running them in this process (${n} at a time)`) },
  );
}

async function addOne(
  client: DocketClient,
  file: string,
  size: number,
  process: boolean,
  submit: SubmitOptions,
  say: (text: string) => void,
): Promise<FileOutcome> {
  const outcome: FileOutcome = {
    file,
    document: null,
    duplicate: false,
    job: null,
    status: null,
    saved: [],
    error: null,
  };
  if (size > 5 * 1024 * 1024) say(`uploading ${clean(file)} (${formatBytes(size)})…`);
  try {
    const uploaded = await client.upload(file, process, submit);
    outcome.document = uploaded.document;
    outcome.duplicate = uploaded.duplicate;
    outcome.job = uploaded.job;
    // A duplicate answers with the existing document and its latest job; one never processed gets a job now.
    if (uploaded.duplicate && !uploaded.job && process) outcome.job = await client.submit(uploaded.document.id, submit);
    if (uploaded.duplicate)
      say(
        `${clean(file)}: already added as document ${uploaded.document.id}${uploaded.job ? ` (its latest job ${uploaded.job.id} is ${uploaded.job.status})` : ""}`,
      );
  } catch (error) {
    // One active job per document: a file already being processed (with other options, or
    // submitted by someone else just now) is refused on its own; the message names the job.
    const refused = error instanceof CliError && error.code !== null;
    if (!(refused && (FILE_REFUSALS.has(error.code!) || error.code === "job_active"))) throw error;
    outcome.error = { code: error.code, message: error.message };
  }
  return outcome;
}
