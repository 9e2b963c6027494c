/** Helpers the document and job commands share. */
import {
  UNSUCCESSFUL_STATUSES,
  type DocketClient,
  type DocumentJson,
  type JobJson,
  type UnifiedStatus,
} from "../client/client.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { clean, describeStatus, formatDuration } from "../output/format.js";
import { ProgressBoard } from "../output/progress.js";

export function isNotFound(error: unknown): boolean {
  return error instanceof CliError && error.code === "not_found";
}

/** A job id, or a document id standing for its latest job. */
export async function resolveJob(client: DocketClient, id: string): Promise<JobJson> {
  try {
    return await client.job(id);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  let document: DocumentJson;
  try {
    document = await client.document(id);
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`no job or document ${id} (404 not_found)`, EXIT.usage, "not_found");
    throw error;
  }
  if (!document.latest_job_id)
    throw new CliError(`document ${id} (${document.filename}) has never been processed`, EXIT.usage, "not_found");
  return client.job(document.latest_job_id);
}

/** A document id, or a job id standing for its document. */
export async function resolveDocument(client: DocketClient, id: string): Promise<DocumentJson> {
  try {
    return await client.document(id);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    return await client.document((await client.job(id)).document_id);
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`no document or job ${id} (404 not_found)`, EXIT.usage, "not_found");
    throw error;
  }
}

/** Progress on stderr: bars in a terminal, plain lines otherwise. */
export function progressBoard(ctx: CliContext): ProgressBoard {
  return new ProgressBoard(ctx.streams.stderr, ctx.streams.stderr.isTTY ? "tty" : "lines");
}

/** The last line about a document: "scan.pdf: completed in 3.2 s (document …, job …)". */
export function finalLine(label: string, status: UnifiedStatus, documentId: string, jobId: string | null): string {
  const ids = `document ${documentId}${jobId ? `, job ${jobId}` : ""}`;
  if (status.status === "completed" || status.status === "manual_review") {
    const review = status.status === "manual_review" ? ` — needs review: ${status.message ?? "see the document"}` : "";
    return `${clean(label)}: ${status.status} in ${formatDuration(status.elapsed_ms)}${review} (${ids})`;
  }
  return `${clean(label)}: ${describeStatus(status)} (${ids})`;
}

/** 1 when any status is failed or cancelled, else 0. */
export function exitCodeFor(statuses: Iterable<UnifiedStatus>): number {
  for (const s of statuses) if (UNSUCCESSFUL_STATUSES.has(s.status)) return EXIT.jobFailed;
  return EXIT.ok;
}

export function setExitCode(code: number): void {
  // The worst outcome wins: 130 (interrupted) > 2 > 1 > 0.
  const current = typeof process.exitCode === "number" ? process.exitCode : 0;
  if (code > current) process.exitCode = code;
}

/** What Ctrl-C during a wait means for the jobs. */
export function interruptedMessage(client: DocketClient): string {
  return client.mode === "remote"
    ? "interrupted: the jobs go on on the server; follow them with `docket status <id> --follow`"
    : "interrupted: jobs this process was running went back to the queue (a server or `docket worker` takes them, or `docket status <id> --follow` runs them here)";
}
