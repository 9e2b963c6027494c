/** Scoring one document's extracted fields against each dataset's truth (see scoring.ts for the measures). */
import { FIELD_KINDS, FIELD_NAMES, type Field, type FieldName } from "../../src/extraction/types.js";
import type { ReferenceInvoice } from "./invoice2data.js";
import { exactMatch, normalisedMatch, type Scoreboard } from "./scoring.js";
import { SROIE_FIELDS, type SroieReceipt } from "./sroie.js";
import type { SyntheticInvoice } from "./synthetic.js";

export type FoundFields = Partial<Record<FieldName, Field>>;

/** SROIE: exact is the competition's (the printed text or the value equals the key); normalised compares the value. */
export function scoreSroie(board: Scoreboard, receipt: SroieReceipt, found: FoundFields): void {
  for (const [key, field] of Object.entries(SROIE_FIELDS) as Array<[keyof typeof SROIE_FIELDS, FieldName]>) {
    const truth = receipt.truth[key];
    const f = found[field];
    const exact = exactMatch(f?.raw, truth) || exactMatch(f?.value, truth);
    board.record(receipt.id, `${key} → ${field}`, truth, f?.value ?? null, exact, normalisedMatch(FIELD_KINDS[field], f?.value, truth));
  }
}

export const SROIE_ORDER = Object.entries(SROIE_FIELDS).map(([k, f]) => `${k} → ${f}`);

export function scoreInvoice2data(board: Scoreboard, invoice: ReferenceInvoice, found: FoundFields): void {
  for (const field of FIELD_NAMES) {
    const expected = invoice.expected[field];
    if (!expected) continue;
    const value = found[field]?.value;
    const exact = expected.values.some((v) => exactMatch(value, v));
    const normalised = expected.values.some((v) => normalisedMatch(FIELD_KINDS[field], value, v, { containment: field === "seller_name" }));
    board.record(invoice.name, field, expected.values[0]!, value ?? null, exact, normalised);
  }
}

export function scoreSynthetic(board: Scoreboard, invoice: SyntheticInvoice, found: FoundFields, label = invoice.name): void {
  for (const field of FIELD_NAMES) {
    const truth = invoice.truth[field];
    if (truth === null) continue;
    const value = found[field]?.value;
    board.record(label, field, truth, value ?? null, exactMatch(value, truth), normalisedMatch(FIELD_KINDS[field], value, truth));
  }
}
