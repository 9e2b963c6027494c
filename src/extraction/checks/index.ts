/**
 * Every check that applies to a set of candidates, whoever produced them. Names are stable
 * (the UI and API show them): seller_tax_id, buyer_tax_id, iban, totals, vat_breakdown, dates,
 * required.
 */
import { REQUIRED_FIELDS, type CheckResult, type DocumentType, type ExtractionCandidates } from "../types.js";
import { checkDates } from "./dates.js";
import { checkIban, checkTaxId } from "./identifiers.js";
import { checkTotals, checkVatBreakdown } from "./sums.js";

export { isValidIban } from "./iban.js";
export { isValidNip } from "./nip.js";
export { isValidEuVatId } from "./vat-id.js";

export const CHECK_NAMES = [
  "seller_tax_id",
  "buyer_tax_id",
  "iban",
  "totals",
  "vat_breakdown",
  "dates",
  "required",
] as const;

export function runChecks(c: ExtractionCandidates, type: DocumentType): CheckResult[] {
  const f = c.fields;
  const results: Array<CheckResult | null> = [
    checkTaxId("seller_tax_id", f.seller_tax_id),
    checkTaxId("buyer_tax_id", f.buyer_tax_id),
    checkIban(f.iban),
    checkTotals(f, c.vat_breakdown),
    checkVatBreakdown(f, c.vat_breakdown),
    ...checkDates(f),
    checkRequired(c, type),
  ];
  return results.filter((r): r is CheckResult => r !== null);
}

function checkRequired(c: ExtractionCandidates, type: DocumentType): CheckResult | null {
  const required = REQUIRED_FIELDS[type];
  if (required.length === 0) return null;
  const missing = required.filter((name) => !c.fields[name] || c.fields[name].value.trim() === "");
  return missing.length === 0
    ? {
        name: "required",
        ok: true,
        fields: [...required],
        message: `Every field a${type === "invoice" ? "n" : ""} ${type} needs is present`,
      }
    : {
        name: "required",
        ok: false,
        fields: missing,
        message: `Required field${missing.length > 1 ? "s" : ""} missing: ${missing.join(", ")}`,
      };
}
