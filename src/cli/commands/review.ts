/** `docket review ls|approve|reject`: the documents waiting for a person, and the decision that ends the wait. */
import type { Command } from "commander";
import type { DocketClient, DocumentJson, FieldsJson, ReviewDecision } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { EXIT, perIdRefusal } from "../errors.js";
import { parseInteger } from "../options.js";
import { clean, formatDuration, table } from "../output/format.js";
import { resolveDocument, setExitCode } from "./shared.js";

const REVIEW_HELP = `
A document waits for review (status manual_review) when OCR was unsure, or a field its type
needs is missing, fails a check or has low confidence. Look at it with \`docket fields <id>\`,
correct it with \`docket fields set <id> name=value\`, then approve or reject it.

Examples:
  docket review ls
  docket fields 0198…
  docket fields set 0198… seller_tax_id=5260250274
  docket review approve 0198… --note "NIP checked by phone"
  docket review reject 0198… --note "not our invoice"`;

const DECISION_HELP: Record<ReviewDecision, string> = {
  approve: `
Approving makes the document's status completed (its fields as they are now).

Examples:
  docket review approve 0198…
  docket review approve $(docket review ls --json | jq -r '.items[].id')`,
  reject: `
Rejecting fails the document's job with the error review_rejected; \`docket retry <id>\` then
extracts the fields again (without running OCR again).

Examples:
  docket review reject 0198… --note "the scan is of another page"`,
};

/** A review queue entry: the document, since when it waits, and why. */
export interface QueueEntry extends DocumentJson {
  waiting_since: string | null;
  review_reason: string | null;
}

/** The queue page with each document's wait and reason (its job's end, its status message). */
async function queuePage(client: DocketClient, page: number, pageSize: number) {
  const queue = await client.reviewQueue(page, pageSize);
  const items = await Promise.all(
    queue.items.map(async (document): Promise<QueueEntry> => {
      const [status, job] = await Promise.all([
        client.documentStatus(document.id),
        document.latest_job_id ? client.job(document.latest_job_id) : null,
      ]);
      return {
        ...document,
        waiting_since: job?.completed_at ?? null,
        review_reason: status.status === "manual_review" ? status.message : null,
      };
    }),
  );
  return { ...queue, items };
}

function waitingSince(iso: string | null, now: number): string {
  if (!iso) return "-";
  return `${iso.slice(0, 16).replace("T", " ")} (${formatDuration(now - Date.parse(iso))})`;
}

export function reviewCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);
  const review = program
    .command("review")
    .description("the review queue: documents whose fields need a person, and approving or rejecting them")
    .addHelpText("after", REVIEW_HELP);

  review
    .command("ls")
    .description("documents waiting for review, the longest-waiting first")
    .option("--page <n>", "page number", parseInteger(1, 1_000_000), 1)
    .option("-n, --limit <n>", "documents per page (at most 100)", parseInteger(1, 100), 20)
    .option(
      "--json",
      "print the API's page object (GET /api/v1/review), each item with waiting_since and review_reason",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  docket review ls\n  docket review ls --json | jq -r '.items[] | [.id, .review_reason] | @tsv'",
    )
    .action(async (options: { page: number; limit: number; json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const page = await queuePage(client, options.page, options.limit);
        if (options.json) return ctx.printJson(page);
        if (page.items.length === 0) {
          ctx.info(
            page.total === 0 ? "nothing to review" : `no documents on page ${page.page} (${page.total} waiting)`,
          );
          return;
        }
        const now = Date.now();
        const rows = [["ID", "WAITING SINCE", "FILE", "REASON"]];
        for (const d of page.items)
          rows.push([d.id, waitingSince(d.waiting_since, now), clean(d.filename), clean(d.review_reason ?? "-")]);
        for (const line of table(rows)) ctx.print(line);
        const pages = Math.max(1, Math.ceil(page.total / page.page_size));
        if (pages > 1) ctx.info(`page ${page.page} of ${pages} (${page.total} waiting; --page N for more)`);
      });
    });

  for (const decision of ["approve", "reject"] as const) {
    review
      .command(decision)
      .description(
        decision === "approve"
          ? "approve documents' fields: their status becomes completed"
          : "reject documents' fields: their job fails with review_rejected (retry allowed)",
      )
      .argument("<ids...>", "document ids (or job ids)")
      .option("--note <text>", "why (kept in the document's history)")
      .option("--json", "print {results: [the fields objects], errors} as JSON")
      .addHelpText("after", DECISION_HELP[decision])
      .action(async (ids: string[], options: { note?: string; json?: boolean }, command: Command) => {
        const ctx = context(command);
        await ctx.withClient((client) =>
          decide(ctx, client, decision, ids, options.note?.trim() || null, options.json === true),
        );
      });
  }
}

/** Decides on every id; one refusal does not stop the others (the command then exits 2). */
async function decide(
  ctx: CliContext,
  client: DocketClient,
  decision: ReviewDecision,
  ids: string[],
  note: string | null,
  json: boolean,
): Promise<void> {
  const results: FieldsJson[] = [];
  const errors: { id: string; error: string; code: string | null }[] = [];
  for (const id of ids) {
    try {
      const document = await resolveDocument(client, id);
      const fields = await client.decideReview(document.id, decision, note);
      results.push(fields);
      if (json) continue;
      if (decision === "approve") ctx.print(`approved ${document.id} (${clean(document.filename)}): completed`);
      else
        ctx.print(
          `rejected ${document.id} (${clean(document.filename)}): failed (review_rejected); \`docket retry ${document.id}\` extracts the fields again`,
        );
    } catch (error) {
      const refusal = perIdRefusal(error);
      errors.push({ id, error: refusal.message, code: refusal.code });
      ctx.info(`docket: ${id}: ${refusal.message}`);
    }
  }
  if (json) ctx.printJson({ results, errors });
  if (errors.length > 0) setExitCode(EXIT.usage);
}
