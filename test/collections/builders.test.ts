/**
 * The compile stage's table, archive and summary builders on their own, each read back by an
 * independent reader: the CSV parsed as RFC 4180, the XLSX by exceljs's reader, the ZIP by
 * JSZip; the summary's totals exact to the cent by currency and VAT rate.
 */
import assert from "node:assert/strict";
import { PassThrough, Readable, type Writable } from "node:stream";
import { describe, it } from "node:test";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { formatAmount, parseAmount } from "../../src/collections/compile/decimal.js";
import { writeFieldsCsv, writeFieldsXlsx } from "../../src/collections/compile/fields-table.js";
import type { CompileMember } from "../../src/collections/compile/member.js";
import { writeOutputsZip } from "../../src/collections/compile/outputs-zip.js";
import { summarize } from "../../src/collections/compile/summary.js";
import type { FieldsJson } from "../../src/fields/fields-types.js";

function fieldsOf(
  documentId: string,
  values: Record<string, string>,
  vat: { rate: string; net: string; vat: string; gross: string }[] = [],
): FieldsJson {
  const fields = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { value: v, raw: v, confidence: 0.9, source: null, origin: "rule" }]),
  );
  return {
    document_id: documentId,
    job_id: `job-${documentId}`,
    document_type: "invoice",
    type_confidence: 0.9,
    fields,
    line_items: [],
    vat_breakdown: vat,
    checks: [],
    template: null,
    needs_review: false,
    review_reasons: [],
    review: { state: "approved", by: null, at: null, note: null },
    version: 1,
  } as FieldsJson;
}

function member(index: number, fields: FieldsJson | null, artifacts: CompileMember["artifacts"] = []): CompileMember {
  return {
    index,
    documentId: `doc-${index}`,
    filename: `Faktura ${index}, "marzec".pdf`,
    safeFilename: `Faktura_${index}.pdf`,
    mimeType: "application/pdf",
    blobKey: `uploads/${index}`,
    numPages: 2,
    jobId: `job-${index}`,
    artifacts,
    fields,
  };
}

const MEMBERS = [
  member(
    1,
    fieldsOf(
      "doc-1",
      {
        currency: "PLN",
        total_net: "1000.00",
        total_vat: "230.00",
        total_gross: "1230.00",
        seller_name: "=HYPERLINK()",
      },
      [{ rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" }],
    ),
  ),
  member(
    2,
    fieldsOf("doc-2", { currency: "PLN", total_net: "0.10", total_vat: "0.01", total_gross: "0.11" }, [
      { rate: "8", net: "0.10", vat: "0.01", gross: "0.11" },
    ]),
  ),
  member(3, fieldsOf("doc-3", { currency: "EUR", total_net: "99.99", total_vat: "0.00", total_gross: "99.99" })),
  member(4, null),
];

async function* iterate(members: CompileMember[]) {
  yield* members;
}

async function collect(write: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

describe("compile builders", () => {
  it("writes the fields table as CSV in collection order, quoted, formula-safe, with a BOM", async () => {
    const bytes = await collect((out) => writeFieldsCsv(iterate(MEMBERS), out));
    const text = bytes.toString("utf8");
    assert.ok(text.startsWith("\ufeffdocument_id,filename,document_type,"));
    const rows = parseCsv(text.slice(1));
    assert.equal(rows.length, 5);
    const header = rows[0]!;
    const col = (name: string) => header.indexOf(name);
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ["doc-1", "doc-2", "doc-3", "doc-4"],
    );
    assert.equal(rows[1]![col("filename")], 'Faktura 1, "marzec".pdf');
    assert.equal(rows[1]![col("total_gross")], "1230.00");
    assert.equal(rows[1]![col("seller_name")], "'=HYPERLINK()");
    assert.equal(rows[4]![col("document_type")], "");
    assert.equal(rows[4]!.length, header.length);
  });

  it("writes the same table as XLSX with amounts as numbers, read back by exceljs", async () => {
    const bytes = await collect((out) => writeFieldsXlsx(iterate(MEMBERS), out));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Fields")!;
    assert.equal(sheet.rowCount, 5);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const cell = (row: number, name: string) => sheet.getRow(row).getCell(header.indexOf(name) + 1).value;
    assert.equal(cell(2, "document_id"), "doc-1");
    assert.equal(cell(2, "total_gross"), 1230);
    assert.equal(cell(3, "total_vat"), 0.01);
    assert.equal(cell(2, "seller_name"), "=HYPERLINK()", "text stays text, never a formula");
    assert.equal(cell(5, "position"), 4);
    assert.equal(cell(5, "document_type"), null);
  });

  it("zips every document's outputs in a folder per document, in order, opening one blob at a time", async () => {
    const blobs = new Map([
      ["k/1.pdf", Buffer.from("%PDF one")],
      ["k/1.txt", Buffer.from("text one")],
      ["k/2.txt", Buffer.from("text two")],
    ]);
    let open = 0;
    let maxOpen = 0;
    const openBlob = async (key: string) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      const stream = Readable.from([blobs.get(key)!]);
      stream.on("end", () => open--);
      return stream;
    };
    const members = [
      member(1, MEMBERS[0]!.fields, [
        { kind: "pdf", blobKey: "k/1.pdf", mimeType: "application/pdf", sizeBytes: 8 },
        { kind: "txt", blobKey: "k/1.txt", mimeType: "text/plain", sizeBytes: 8 },
      ]),
      member(2, null, [{ kind: "txt", blobKey: "k/2.txt", mimeType: "text/plain", sizeBytes: 8 }]),
    ];
    let report: { entries: number } | undefined;
    const bytes = await collect(async (out) => (report = await writeOutputsZip(iterate(members), out, openBlob)));
    assert.equal(report!.entries, 4);
    assert.equal(maxOpen, 1);
    const zip = await JSZip.loadAsync(bytes);
    const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
    assert.deepEqual(names, [
      "0001-Faktura_1/Faktura_1.pdf",
      "0001-Faktura_1/Faktura_1.txt",
      "0001-Faktura_1/fields.json",
      "0002-Faktura_2/Faktura_2.txt",
    ]);
    assert.equal(await zip.file("0002-Faktura_2/Faktura_2.txt")!.async("string"), "text two");
    const fields = JSON.parse(await zip.file("0001-Faktura_1/fields.json")!.async("string"));
    assert.equal(fields.fields.total_gross.value, "1230.00");
  });

  it("sums totals by currency and VAT rate exactly, and counts what it saw", async () => {
    const summary = await summarize({ id: "c1", name: "March" }, iterate(MEMBERS), new Date(0));
    assert.deepEqual(summary.counts, {
      documents: 4,
      pages: 8,
      with_fields: 3,
      without_fields: 1,
      by_document_type: { invoice: 3 },
      by_review_state: { approved: 3 },
    });
    assert.deepEqual(summary.totals_by_currency, [
      { currency: "EUR", documents: 1, net: "99.99", vat: "0.00", gross: "99.99" },
      { currency: "PLN", documents: 2, net: "1000.10", vat: "230.01", gross: "1230.11" },
    ]);
    assert.deepEqual(summary.totals_by_vat_rate, [
      { currency: "EUR", rate: "unspecified", documents: 1, net: "99.99", vat: "0.00", gross: "99.99" },
      { currency: "PLN", rate: "8", documents: 1, net: "0.10", vat: "0.01", gross: "0.11" },
      { currency: "PLN", rate: "23", documents: 1, net: "1000.00", vat: "230.00", gross: "1230.00" },
    ]);
  });

  it("adds decimal amounts without floating-point error", () => {
    let sum = 0n;
    for (let i = 0; i < 300; i++) sum += parseAmount("0.10")!;
    assert.equal(formatAmount(sum), "30.00");
    assert.equal(formatAmount(parseAmount("-12.5")!), "-12.50");
    assert.equal(formatAmount(parseAmount("1.23456")!), "1.2345");
    assert.equal(parseAmount("1,00"), null);
  });
});
