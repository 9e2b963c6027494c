/** `docket fields <id>`, `docket fields set <id> name=value…` and `docket export fields --csv`: extracted fields. */
import { Option, type Command } from "commander";
import { DOCUMENT_STATUSES, type DocumentStatus } from "../../domain/types.js";
import { DOCUMENT_TYPES, FIELD_NAMES, isFieldName, type DocumentType } from "../../extraction/types.js";
import type { FieldsJson } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { CliError } from "../errors.js";
import { fieldsLines } from "../output/fields-table.js";
import { writeOutput } from "../results.js";
import { resolveDocument } from "./shared.js";

const ID_NOTE = "<id> is a document id (or a job id, standing for its document).";

const FIELDS_HELP = `
${ID_NOTE}

The table shows each field's normalised value, its confidence, where it came from (rule,
template, llm or manual) and whether the checks that judged it passed (✓) or failed (✗); a
required field the document lacks is listed as (missing). Then every check with its message.

Examples:
  docket fields 0198…                       the fields, checks and review state
  docket fields 0198… --json | jq -r .fields.total_gross.value
  docket fields set 0198… seller_tax_id=5260250274 due_date=2024-03-19
  docket review ls                          documents waiting for a person

Exit status: 0; 2 when the document is unknown, has no fields yet (409 not_ready), or on a
connection or authentication error.`;

const SET_HELP = `
${ID_NOTE}
Field names: ${FIELD_NAMES.join(", ")}.
Values are normalised as the API does (dates to YYYY-MM-DD, amounts to 1234.56, tax ids and
IBANs without spaces); \`name=\` clears a field. Changed fields become origin manual with
confidence 1, and the checks run again. The change applies only to the version just read: if
someone changed the fields meanwhile, nothing is written (412 version_mismatch) — run it again.

Examples:
  docket fields set 0198… issue_date=05.03.2024 total_gross="1 230,00"
  docket fields set 0198… payment_method=            clear a field
  docket fields set 0198… --type invoice document_number=FV/1/2024
  docket fields set 0198… buyer_tax_id=PL5260250274 && docket review approve 0198…`;

const EXPORT_HELP = `
One row per document with extracted fields: document_id, filename, document_type, the field
names (${FIELD_NAMES.length} columns), review_state. UTF-8 with CRLF line ends (RFC 4180); cells a
spreadsheet would run as formulas start with an apostrophe. Streamed: any number of documents.

Examples:
  docket export fields --csv > fields.csv
  docket export fields --csv --status completed -o approved.csv
  docket export fields --csv --status manual_review | column -s, -t`;

const valueOf = (fields: FieldsJson, name: string): string | null =>
  isFieldName(name) ? (fields.fields[name]?.value ?? null) : null;

/** `name=value` arguments as the PATCH body's fields (empty value → null: clear it). */
export function parseAssignments(args: readonly string[]): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const arg of args) {
    const at = arg.indexOf("=");
    if (at <= 0)
      throw new CliError(
        `expected name=value (or name= to clear), got ${JSON.stringify(arg)}; fields are ${FIELD_NAMES.join(", ")}`,
      );
    const value = arg.slice(at + 1);
    changes[arg.slice(0, at).trim()] = value.trim() === "" ? null : value;
  }
  return changes;
}

export function fieldsCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);

  const fields = program
    .command("fields")
    .description("a document's extracted fields (invoice and receipt data), their checks and review state")
    .argument("<id>", "document id (or job id)")
    .option("--json", "print the API's fields object (GET /api/v1/documents/:id/fields)")
    .addHelpText("after", FIELDS_HELP)
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const document = await resolveDocument(client, id);
        const result = await client.documentFields(document.id);
        if (options.json) return ctx.printJson(result);
        for (const line of fieldsLines(result, document)) ctx.print(line);
      });
    });

  fields
    .command("set")
    .description("correct fields by hand (name=value; name= clears); the checks run again")
    .argument("<id>", "document id (or job id)")
    .argument("<assignments...>", "name=value pairs")
    .addOption(new Option("--type <type>", "also correct the document type").choices(DOCUMENT_TYPES))
    .option("--json", "print the API's fields object after the change")
    .addHelpText("after", SET_HELP)
    .action(async (id: string, assignments: string[], _options: unknown, command: Command) => {
      const ctx = context(command);
      // Commander gives `--json` to `fields` (it has one too) wherever it appears: read both.
      const options = command.optsWithGlobals<{ type?: DocumentType; json?: boolean }>();
      const changes = parseAssignments(assignments);
      await ctx.withClient(async (client) => {
        const document = await resolveDocument(client, id);
        // If-Match with the version just read: a change someone made meanwhile is never overwritten.
        const current = await client.documentFields(document.id);
        const result = await client.correctFields(document.id, current.version, changes, options.type);
        const changed = Object.keys(changes).filter((name) => valueOf(current, name) !== valueOf(result, name));
        if (result.document_type !== current.document_type) changed.push("document_type");
        ctx.info(
          changed.length > 0
            ? `changed ${changed.join(", ")} (version ${result.version})`
            : "nothing changed: the fields already had these values",
        );
        if (options.json) return ctx.printJson(result);
        for (const line of fieldsLines(result, await client.document(document.id))) ctx.print(line);
      });
    });

  const exports = program.command("export").description("export data across documents (the fields table as CSV)");
  exports
    .command("fields")
    .description("the fields of every document as CSV, to stdout or a file")
    .option("--csv", "CSV (the format; the default)")
    .option("-o, --output <file>", "write to this file (atomically) instead of stdout")
    .addOption(new Option("--status <status>", "only documents in this status").choices(DOCUMENT_STATUSES))
    .addHelpText("after", EXPORT_HELP)
    .action(async (options: { csv?: boolean; output?: string; status?: DocumentStatus }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const stream = await client.fieldsCsv({ status: options.status });
        await writeOutput(ctx, stream, options.output);
      });
    });
}
