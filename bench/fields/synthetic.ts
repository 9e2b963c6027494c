/**
 * The synthetic Polish invoices bench:fields runs: every layout × seeds 1..N, each as its
 * text-layer PDF, and those of seeds 1..M also as a scan (JPEG at 150, 200 or 300 dpi, rotated,
 * noisy, blurred, JPEG quality 50–80; OCR makes scans the slow part of the run). A quarter of the ids are printed with a wrong check digit; every fifth
 * invoice prints a gross total that is not net + VAT.
 */
import type { CheckResult, FieldName } from "../../src/extraction/types.js";
import {
  INVOICE_LAYOUTS,
  generateInvoice,
  scanInvoice,
  scanSettings,
  type InvoiceLayout,
  type InvoiceTruth,
  type ScanOptions,
} from "../../test/fixtures/invoices/index.js";

export interface SyntheticInvoice {
  name: string;
  layout: InvoiceLayout;
  seed: number;
  pdf: Uint8Array;
  /** Null for seeds beyond the scanned ones. */
  scan: Buffer | null;
  scanSettings: ScanOptions;
  truth: InvoiceTruth;
  invalid: { seller_tax_id: boolean; buyer_tax_id: boolean; iban: boolean };
  inconsistentTotals: boolean;
}

export async function buildSyntheticSet(
  seeds: number,
  scanSeeds: number,
  layouts: readonly InvoiceLayout[] = INVOICE_LAYOUTS,
): Promise<SyntheticInvoice[]> {
  const out: SyntheticInvoice[] = [];
  for (const layout of layouts) {
    for (let seed = 1; seed <= seeds; seed++) {
      const inconsistent = seed % 5 === 0;
      const invoice = await generateInvoice(seed, layout, { invalidShare: 0.25, inconsistentTotals: inconsistent });
      const settings = scanSettings(seed * 101 + layouts.indexOf(layout));
      out.push({
        name: `${layout}-${seed}`,
        layout,
        seed,
        pdf: invoice.pdf,
        scan: seed <= scanSeeds ? await scanInvoice(invoice.pdf, settings) : null,
        scanSettings: settings,
        truth: invoice.truth,
        invalid: invoice.invalid,
        inconsistentTotals: invoice.inconsistentTotals,
      });
    }
  }
  return out;
}

/** Flags: did a failing check name the field? Counted over the ids printed invalid (and, as false alarms, valid). */
export interface FlagTally {
  invalid: number;
  flagged: number;
  /** Invalid ids the extraction did not find at all (so nothing could flag them). */
  missing: number;
  valid: number;
  falseAlarms: number;
  /** Invoices printed with gross ≠ net + VAT, and how many a failing check caught. */
  inconsistent: number;
  inconsistentFlagged: number;
}

export function emptyFlags(): FlagTally {
  return { invalid: 0, flagged: 0, missing: 0, valid: 0, falseAlarms: 0, inconsistent: 0, inconsistentFlagged: 0 };
}

const failingFor = (checks: readonly CheckResult[], field: FieldName) =>
  checks.some((c) => !c.ok && c.fields.includes(field));

export function recordFlags(
  tally: FlagTally,
  invoice: SyntheticInvoice,
  found: Partial<Record<FieldName, { value: string }>>,
  checks: readonly CheckResult[],
): void {
  for (const field of ["seller_tax_id", "buyer_tax_id", "iban"] as const) {
    // Only a field read right can say whether its checksum was judged right.
    const readRight = found[field]?.value === invoice.truth[field];
    if (invoice.invalid[field]) {
      tally.invalid++;
      if (failingFor(checks, field)) tally.flagged++;
      else if (!found[field]) tally.missing++;
    } else if (readRight) {
      tally.valid++;
      if (failingFor(checks, field)) tally.falseAlarms++;
    }
  }
  if (invoice.inconsistentTotals) {
    tally.inconsistent++;
    if (failingFor(checks, "total_gross") || failingFor(checks, "total_net") || failingFor(checks, "total_vat"))
      tally.inconsistentFlagged++;
  }
}
