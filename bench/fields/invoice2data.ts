/**
 * invoice2data's test invoices (../shared/data/invoice2data): each PDF (Orlen's is given as text
 * and is rendered to a PDF here) with the expected fields of its JSON, mapped to Docket's names:
 * issuer → seller_name, date → issue_date, invoice_number → document_number, amount →
 * total_gross, currency → currency, vat → seller_tax_id (every `vat` there is a VAT id, not an
 * amount; a number with decimals would be total_vat).
 *
 * The expected values come from invoice2data's per-vendor templates, and some are artefacts of
 * those templates rather than what the document says (the data README warns of this). Each
 * record was checked against its document; where one is wrong the truth used here is what the
 * document prints, and the correction and its reason are listed in the report.
 */
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FieldName } from "../../src/extraction/types.js";
import { A4, newInvoicePage } from "../../test/fixtures/invoices/page-kit.js";

export interface ExpectedField {
  /** Acceptable values (the first is the truth; others are equally right readings). */
  values: string[];
  /** Why the value differs from the record's, when it does. */
  correction?: string;
}

export interface ReferenceInvoice {
  name: string;
  file: string;
  bytes: Uint8Array;
  expected: Partial<Record<FieldName, ExpectedField>>;
}

interface Record2data {
  issuer?: string;
  date?: string;
  invoice_number?: string;
  amount?: number;
  currency?: string;
  vat?: string | number;
}

/** Records checked against their documents; see the module comment. */
const CORRECTIONS: Record<string, Partial<Record<FieldName, ExpectedField>>> = {
  Orlen: {
    document_number: {
      values: ["F 1234K20/1234/12"],
      correction: 'the record\'s "F" is the template\'s artefact; the invoice prints "Faktura nr: F 1234K20/1234/12"',
    },
    seller_name: {
      values: ["Polski Koncern Naftowy ORLEN S.A."],
      correction:
        'the record expands "S.A." to "spółka akcyjna"; the invoice prints "Polski Koncern Naftowy ORLEN S.A."',
    },
  },
  SammyMaystoneLinesTest: {
    seller_name: {
      values: ["Sammy Maystone"],
      correction:
        'the record\'s issuer "Sammy Maystone - For Lines testing" names the template; the invoice prints "Sammy Maystone"',
    },
  },
  FlipkartInvoice: {
    seller_name: {
      values: ["WS Retail Services Pvt. Ltd.", "Flipkart"],
      correction:
        'the seller printed is "Sold By : WS Retail Services Pvt. Ltd."; the record\'s "Flipkart" (the marketplace) is accepted too',
    },
  },
  oyo: {
    seller_name: {
      values: ["OYO", "Oravel Stays Pvt. Ltd."],
      correction:
        'the receipt is from "OYO 4189 Resort"; payments go to "Oravel Stays Pvt. Ltd." (OYO\'s company), accepted too',
    },
  },
};

function amountText(n: number): string {
  return n.toFixed(2);
}

function expectedOf(name: string, record: Record2data): Partial<Record<FieldName, ExpectedField>> {
  const out: Partial<Record<FieldName, ExpectedField>> = {};
  if (record.issuer) out.seller_name = { values: [record.issuer] };
  if (record.date) out.issue_date = { values: [record.date] };
  if (record.invoice_number) out.document_number = { values: [record.invoice_number] };
  if (typeof record.amount === "number") out.total_gross = { values: [amountText(record.amount)] };
  if (record.currency) out.currency = { values: [record.currency] };
  if (record.vat !== undefined) {
    const vat = String(record.vat);
    if (typeof record.vat === "number" && !Number.isInteger(record.vat))
      out.total_vat = { values: [amountText(record.vat)] };
    else out.seller_tax_id = { values: [vat.replace(/[\s-]/g, "").toUpperCase()] };
  }
  return { ...out, ...CORRECTIONS[name] };
}

/**
 * Plain text as a PDF with its columns kept: each run of text between two or more spaces is
 * drawn at its character column (a fixed pitch), in Liberation Sans (Polish letters).
 */
export async function textToPdf(text: string): Promise<Uint8Array> {
  const lines = text.replace(/\r/g, "").split("\n");
  const columns = Math.max(...lines.map((l) => l.length));
  const margin = 30;
  const pitch = (A4.width - 2 * margin) / columns;
  const size = Math.min(9, pitch / 0.62);
  const { doc, kit } = await newInvoicePage();
  lines.forEach((line, row) => {
    for (const m of line.matchAll(/\S+(?: \S+)*/g))
      kit.text(m[0], margin + m.index * pitch, margin + row * size * 1.45, { size });
  });
  doc.setCreationDate(new Date(Date.UTC(2024, 0, 1)));
  doc.setModificationDate(new Date(Date.UTC(2024, 0, 1)));
  return doc.save();
}

/** The invoices, or null when the shared data is absent. */
export async function loadInvoice2data(dataDir: string): Promise<ReferenceInvoice[] | null> {
  const root = join(dataDir, "invoice2data");
  if (!existsSync(root)) return null;
  const names = readdirSync(root)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
  const out: ReferenceInvoice[] = [];
  for (const name of names) {
    const [record] = JSON.parse(await readFile(join(root, `${name}.json`), "utf8")) as Record2data[];
    if (!record) continue;
    let bytes: Uint8Array;
    let file: string;
    if (existsSync(join(root, `${name}.pdf`))) {
      file = `${name}.pdf`;
      bytes = await readFile(join(root, file));
    } else if (existsSync(join(root, `${name}.txt`))) {
      file = `${name}.txt → PDF`;
      bytes = await textToPdf(await readFile(join(root, `${name}.txt`), "utf8"));
    } else continue;
    out.push({ name, file, bytes, expected: expectedOf(name, record) });
  }
  return out;
}
