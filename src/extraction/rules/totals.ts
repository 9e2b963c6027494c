/**
 * The totals of an invoice: labelled amounts ("Do zapłaty", "Razem netto", "Montant TTC"), and
 * sum rows ("Razem: 257,59 59,24 316,83") whose three amounts add up as net + VAT = gross.
 */
import type { LayoutWord, Row } from "../layout/index.js";
import { candidatesFromLabels, ocrFactor, type Candidate, type RuleContext } from "./context.js";
import { readAmounts, type ParsedValue } from "./values.js";

export interface TotalsCandidates {
  net: Candidate[];
  vat: Candidate[];
  gross: Candidate[];
}

const cents = (v: string) => Math.round(Number(v) * 100);

/** The first amount of a region, when nothing but a currency or punctuation stands before it. */
export function leadingAmount(words: readonly LayoutWord[]): ParsedValue | null {
  const amounts = readAmounts(words);
  const first = amounts[0];
  if (!first) return null;
  const before = words.slice(0, words.indexOf(first.words[0]!));
  const noise = before.filter(
    (w) =>
      !/^(?:[:=\-–(),.*%]+|[A-Z]{3}|zł|zl|rm|€|\$|£|brutto|netto|gross|net|incl\.?|excl\.?|\(?[a-z]{2,3}\)?:?)$/i.test(
        w.text,
      ),
  );
  return noise.length === 0 ? first : { ...first, quality: first.quality * 0.5 };
}

/** A gross total: the sum when the region prints net, VAT and gross in a row, else its first amount. */
export function grossAmount(words: readonly LayoutWord[]): ParsedValue | null {
  const triple = addingTriple(readAmounts(words));
  return triple ? triple[2] : leadingAmount(words);
}

export function totalsFromLabels(ctx: RuleContext): TotalsCandidates {
  return {
    gross: candidatesFromLabels(ctx, {
      kinds: ["total_gross", "receipt_total"],
      read: grossAmount,
      kindWeight: { receipt_total: 0.8 },
    }),
    net: candidatesFromLabels(ctx, { kinds: ["total_net"], read: leadingAmount }),
    vat: candidatesFromLabels(ctx, {
      kinds: ["total_vat"],
      read: leadingAmount,
      accept: (hit) => !isRateHeader(hit.row),
    }),
  };
}

/** A row like "VAT 23%" with a percentage is a rate line; its amount is still VAT, but "VAT %" alone is a header. */
function isRateHeader(row: Row): boolean {
  return (
    row.segments.length === 1 && /%\s*$/.test(row.segments[0]!.text) && readAmounts(row.segments[0]!.words).length === 0
  );
}

/**
 * Rows holding three amounts where two add up to the third: net, VAT, gross. A sum row
 * ("Razem", "Total") makes it the totals; the last such row of the document wins otherwise.
 */
export function totalsFromSumRows(ctx: RuleContext): TotalsCandidates {
  const out: TotalsCandidates = { net: [], vat: [], gross: [] };
  for (const hit of ctx.labels.hits) {
    if (hit.kind !== "sum_row" && hit.kind !== "total_net" && hit.kind !== "total_gross") continue;
    const words = hit.row.segments.slice(hit.segment).flatMap((s, i) => (i === 0 ? s.words.slice(hit.end) : s.words));
    const triple = addingTriple(readAmounts(words));
    if (!triple) continue;
    const [net, vat, gross] = triple;
    const base = 0.9 * hit.strength;
    const page = hit.row.page;
    out.net.push({ ...net, confidence: base * ocrFactor(net.words), page, hit });
    out.vat.push({ ...vat, confidence: base * ocrFactor(vat.words), page, hit });
    out.gross.push({ ...gross, confidence: base * ocrFactor(gross.words), page, hit });
  }
  return out;
}

/** The last run of amounts (a, b, c) in order with a + b = c within a cent, c not zero. */
function addingTriple(amounts: ParsedValue[]): [ParsedValue, ParsedValue, ParsedValue] | null {
  for (let i = amounts.length - 3; i >= 0; i--) {
    for (let j = i + 1; j < amounts.length - 1; j++) {
      const a = amounts[i]!;
      const b = amounts[j]!;
      const c = amounts[amounts.length - 1]!;
      if (cents(c.value) !== 0 && Math.abs(cents(a.value) + cents(b.value) - cents(c.value)) <= 1) return [a, b, c];
    }
  }
  return null;
}
