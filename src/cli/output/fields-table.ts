/** The extracted fields of a document, for people: what was read, how sure, from where, and what the checks say. */
import { FIELD_NAMES, REQUIRED_FIELDS, type FieldName } from "../../extraction/types.js";
import type { DocumentJson, FieldsJson } from "../client/client.js";
import { clean, table } from "./format.js";

const OK = "✓";
const FAILED = "✗";

const percent = (n: number) => `${Math.round(n * 100)}%`;

/** A VAT rate as printed on invoices: "23" → "23%"; "zw", "np" stay words. */
const rate = (r: string) => (/^\d[\d.,]*$/.test(r) ? `${r}%` : clean(r));

/** A field's mark: ✗ when a check that judged it failed, ✓ when every one passed, blank when none judged it. */
function fieldMark(fields: FieldsJson, name: FieldName): string {
  const judged = fields.checks.filter((c) => (c.fields as readonly string[]).includes(name));
  if (judged.length === 0) return "";
  return judged.every((c) => c.ok) ? OK : FAILED;
}

/** "pending — needs review: …", "approved by a@b.c at 2024-05-06 07:08:09: looks fine". */
export function describeReview(fields: FieldsJson): string {
  const { state, by, at, note } = fields.review;
  if (state === "pending")
    return fields.needs_review
      ? `pending — needs review: ${clean(fields.review_reasons.join("; "))}`
      : "pending — nothing to review";
  const when = at ? ` at ${at.slice(0, 19).replace("T", " ")}` : "";
  return `${state}${by ? ` by ${clean(by)}` : ""}${when}${note ? `: ${clean(note)}` : ""}`;
}

/** The lines `docket fields <id>` prints: a header, the field table, the checks, line items and the VAT summary. */
export function fieldsLines(fields: FieldsJson, document: DocumentJson | null): string[] {
  const header: string[][] = [];
  if (document) header.push(["document", `${document.id}  ${clean(document.filename)} (${document.status})`]);
  header.push(["type", `${fields.document_type} (${percent(fields.type_confidence)})`]);
  if (fields.template) header.push(["template", clean(fields.template)]);
  header.push(["review", describeReview(fields)]);
  header.push(["version", `${fields.version} (job ${fields.job_id})`]);
  const lines = table(header);

  const rows: string[][] = [["FIELD", "VALUE", "CONF", "ORIGIN", "CHECK"]];
  const required = new Set<FieldName>(REQUIRED_FIELDS[fields.document_type]);
  for (const name of FIELD_NAMES) {
    const field = fields.fields[name];
    if (field)
      rows.push([
        name,
        clean(field.value),
        percent(field.confidence).padStart(4),
        field.origin,
        fieldMark(fields, name),
      ]);
    else if (required.has(name))
      rows.push([name, "(missing)", "   -", "-", `${FAILED} required for ${fields.document_type}`]);
  }
  lines.push("");
  if (rows.length === 1) lines.push("no fields found");
  else lines.push(...table(rows));

  if (fields.checks.length > 0) {
    lines.push("", "checks");
    const checks = fields.checks.map((c) => [`  ${c.ok ? OK : FAILED} ${c.name}`, clean(c.message)]);
    lines.push(...table(checks));
  }

  if (fields.line_items.length > 0) {
    lines.push("", "line items");
    const items: string[][] = [["  #", "DESCRIPTION", "QTY", "UNIT PRICE", "NET", "VAT", "GROSS"]];
    fields.line_items.forEach((item, i) => {
      items.push([
        `  ${i + 1}`,
        clean(item.description),
        item.quantity ?? "-",
        item.unit_price ?? "-",
        item.net ?? "-",
        item.vat_rate ? rate(item.vat_rate) : "-",
        item.gross ?? "-",
      ]);
    });
    lines.push(...table(items));
  }

  if (fields.vat_breakdown.length > 0) {
    lines.push("", "VAT summary");
    const vat: string[][] = [["  RATE", "NET", "VAT", "GROSS"]];
    for (const row of fields.vat_breakdown)
      vat.push([`  ${rate(row.rate)}`, row.net ?? "-", row.vat ?? "-", row.gross ?? "-"]);
    lines.push(...table(vat));
  }
  return lines;
}
