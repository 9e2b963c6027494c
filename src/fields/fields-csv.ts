import { FIELD_NAMES } from "../extraction/types.js";
import type { FieldsJson } from "./fields-types.js";

/** The CSV columns (API.md): document_id, filename, document_type, every field name, review_state. */
export const CSV_COLUMNS = ["document_id", "filename", "document_type", ...FIELD_NAMES, "review_state"] as const;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\r\n`;
}

export function csvRow(filename: string, f: FieldsJson): string {
  const cells = [
    f.document_id,
    filename,
    f.document_type,
    ...FIELD_NAMES.map((name) => f.fields[name]?.value ?? ""),
    f.review.state,
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * RFC 4180 quoting, and protection against formula injection: a spreadsheet runs a cell that
 * starts with = + - @ (or a tab or carriage return) as a formula, and a document's text is
 * whatever its author printed. Such cells get a leading apostrophe, except plain numbers such
 * as a negative amount, which a spreadsheet reads as numbers anyway.
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v) && !/^[-+]?\d+(\.\d+)?$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
