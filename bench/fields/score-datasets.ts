/** Scoring one document's extracted fields against each dataset's truth (see scoring.ts for the measures). */
import { FIELD_KINDS, FIELD_NAMES, type Field, type FieldName } from "../../src/extraction/types.js";
import type { ReferenceInvoice } from "./invoice2data.js";
import type { DocumentModel } from "../../src/domain/document-model.js";
import { exactMatch, normalisedMatch, truthInText, type Scoreboard } from "./scoring.js";
import { SROIE_FIELDS, type SroieReceipt } from "./sroie.js";
import type { SyntheticInvoice } from "./synthetic.js";

export type FoundFields = Partial<Record<FieldName, Field>>;

/** SROIE: exact is the competition's (the printed text or the value equals the key); normalised compares the value. */
/** A model's words, lines on their own lines. */
export function modelText(model: DocumentModel): string {
  return model.pages
    .flatMap((p) => p.blocks.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" "))))
    .join("\n");
}

const readable = (ocrText: string | undefined, truth: string, field: FieldName): boolean | undefined =>
  ocrText === undefined ? undefined : truthInText(ocrText, truth, FIELD_KINDS[field]);

/** `ocrText`: the OCR text the fields were read from, to count how often the truth was readable at all. */
export function scoreSroie(board: Scoreboard, receipt: SroieReceipt, found: FoundFields, ocrText?: string): void {
  for (const [key, field] of Object.entries(SROIE_FIELDS) as Array<[keyof typeof SROIE_FIELDS, FieldName]>) {
    const truth = receipt.truth[key];
    const f = found[field];
    const exact = exactMatch(f?.raw, truth) || exactMatch(f?.value, truth);
    board.record(
      receipt.id,
      `${key} → ${field}`,
      truth,
      f?.value ?? null,
      exact,
      normalisedMatch(FIELD_KINDS[field], f?.value, truth),
      readable(ocrText, truth, field),
    );
  }
}

export const SROIE_ORDER = Object.entries(SROIE_FIELDS).map(([k, f]) => `${k} → ${f}`);

export function scoreInvoice2data(board: Scoreboard, invoice: ReferenceInvoice, found: FoundFields): void {
  for (const field of FIELD_NAMES) {
    const expected = invoice.expected[field];
    if (!expected) continue;
    const value = found[field]?.value;
    const exact = expected.values.some((v) => exactMatch(value, v));
    const normalised = expected.values.some((v) =>
      normalisedMatch(FIELD_KINDS[field], value, v, { containment: field === "seller_name" }),
    );
    board.record(invoice.name, field, expected.values[0]!, value ?? null, exact, normalised);
  }
}

export function scoreSynthetic(
  board: Scoreboard,
  invoice: SyntheticInvoice,
  found: FoundFields,
  ocrText?: string,
): void {
  for (const field of FIELD_NAMES) {
    const truth = invoice.truth[field];
    if (truth === null) continue;
    const value = found[field]?.value;
    board.record(
      invoice.name,
      field,
      truth,
      value ?? null,
      exactMatch(value, truth),
      normalisedMatch(FIELD_KINDS[field], value, truth),
      readable(ocrText, truth, field),
    );
  }
}
