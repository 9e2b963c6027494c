import type { Writable } from "node:stream";
import { FIELD_NAMES } from "../../extraction/types.js";
import { csvCell, csvHeader, csvRow } from "../../fields/fields-csv.js";
import type { CompileMember } from "./member.js";
import { StreamSink } from "./stream-sink.js";

/** Fields a spreadsheet should sum: written to XLSX as numbers, not text. */
const AMOUNTS = new Set<string>(["total_net", "total_vat", "total_gross"]);

/**
 * The fields table as CSV: the columns of GET /api/v1/fields.csv (one row per document, in
 * collection order; a document without extracted fields has only its id and file name).
 */
export async function writeFieldsCsv(
  members: AsyncIterable<CompileMember>,
  out: Writable,
  options: { bom?: boolean; onlyWithFields?: boolean } = {},
): Promise<number> {
  const sink = new StreamSink(out);
  // A byte order mark so spreadsheet programs read the file as UTF-8 (Polish names).
  await sink.write(Buffer.from(`${options.bom === false ? "" : "\ufeff"}${csvHeader()}`, "utf8"));
  let rows = 0;
  for await (const m of members) {
    if (options.onlyWithFields && !m.fields) continue;
    const line = m.fields
      ? csvRow(m.filename, m.fields)
      : `${[m.documentId, m.filename, "", ...FIELD_NAMES.map(() => ""), ""].map(csvCell).join(",")}\r\n`;
    await sink.write(Buffer.from(line, "utf8"));
    rows++;
  }
  await sink.end();
  return rows;
}

/**
 * The same table as XLSX with exceljs's streaming writer: each row is committed (serialised
 * and released) as soon as it is added, so memory does not grow with the number of documents.
 * Cells are typed values, never formulas, so text from a document cannot run as one.
 */
export async function writeFieldsXlsx(members: AsyncIterable<CompileMember>, out: Writable): Promise<number> {
  // Loaded here, not at start-up: exceljs and its zip libraries cost every process about half
  // a second of CPU to load, and only a collection compiled to XLSX needs them.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet("Fields", { views: [{ state: "frozen", ySplit: 1 }] });
  const columns = ["position", "document_id", "filename", "document_type", ...FIELD_NAMES, "review_state"];
  sheet.columns = columns.map((name) => ({
    header: name,
    key: name,
    width: name === "filename" || name.endsWith("_name") || name.endsWith("_address") ? 32 : 16,
    ...(AMOUNTS.has(name) ? { style: { numFmt: "0.00" } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let rows = 0;
  for await (const m of members) {
    const values: Record<string, string | number | null> = {
      position: m.index,
      document_id: m.documentId,
      filename: m.filename,
      document_type: m.fields?.document_type ?? null,
      review_state: m.fields?.review.state ?? null,
    };
    for (const name of FIELD_NAMES) {
      const value = m.fields?.fields[name]?.value ?? null;
      values[name] = value !== null && AMOUNTS.has(name) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
    sheet.addRow(values).commit();
    rows++;
  }
  sheet.commit();
  await workbook.commit();
  return rows;
}
