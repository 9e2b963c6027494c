/**
 * The VAT summary ("stawka VAT / netto / VAT / brutto"): rows that hold a rate and amounts
 * that add up (net + VAT = gross, VAT ≈ rate × net) and nothing else — item rows carry a
 * description, sum rows no rate. Rates are normalised as printed: "23", "8", "5.5", "zw", "np".
 */
import type { LayoutWord, Row } from "../layout/index.js";
import { foldText } from "../normalize/text.js";
import type { VatBreakdownRow } from "../types.js";
import type { RuleContext } from "./context.js";
import { readAmounts, type ParsedValue } from "./values.js";

const PERCENT = /^(\d{1,2}(?:[.,]\d{1,2})?)\s?%$/;
const EXEMPT = /^(zw|np|oo|o\.o\.|ex|exempt|zr|z)\.?$/i;
/** Standard and reduced VAT rates across Europe, for a rate printed without "%". */
const KNOWN_RATES = new Set([
  "0",
  "3",
  "4",
  "5",
  "5.5",
  "6",
  "7",
  "8",
  "9",
  "10",
  "12",
  "13",
  "14",
  "15",
  "17",
  "19",
  "20",
  "21",
  "22",
  "23",
  "24",
  "25",
  "27",
]);
/** Words a summary row may print besides its numbers. */
const ROW_WORDS = /^(?:w|tym|stawka|vat|ptu|razem|pln|eur|usd|zl|zł|€|\$|rate|tax|tva|ust|mwst|btw|%|[:\-–|/])+$/i;

const cents = (v: string) => Math.round(Number(v) * 100);

export function extractVatBreakdown(ctx: RuleContext): VatBreakdownRow[] {
  const out: VatBreakdownRow[] = [];
  const seen = new Set<string>();
  for (const row of ctx.layout.rows) {
    const parsed = breakdownRow(row);
    if (!parsed) continue;
    const key = `${parsed.rate}|${parsed.net}|${parsed.vat}|${parsed.gross}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(parsed);
  }
  return out;
}

function breakdownRow(row: Row): VatBreakdownRow | null {
  const words: LayoutWord[] = row.segments.flatMap((s) => s.words);
  let rate: string | null = null;
  let rateWord: LayoutWord | null = null;
  for (const w of words) {
    const percent = PERCENT.exec(w.text);
    if (percent) {
      rate = percent[1]!.replace(",", ".");
      rateWord = w;
      break;
    }
    if (EXEMPT.test(w.text)) {
      rate = foldText(w.text).replace(/\.$/, "");
      rateWord = w;
      break;
    }
  }
  const amounts = readAmounts(words.filter((w) => w !== rateWord));
  const leftover = words.filter(
    (w) => w !== rateWord && !amounts.some((a) => a.words.includes(w)) && !/^[\d.,\s%]+$/.test(w.text),
  );
  if (leftover.some((w) => !ROW_WORDS.test(foldText(w.text)))) return null;
  if (rate === null) {
    // "w tym: 257,59 23 59,24 316,83": a whole number among the amounts may be the rate.
    const bare = amounts.find((a) => !/[.,]/.test(a.raw) && KNOWN_RATES.has(String(Number(a.value))));
    if (!bare) return null;
    rate = String(Number(bare.value));
    amounts.splice(amounts.indexOf(bare), 1);
  }
  return matchAmounts(rate, amounts);
}

function matchAmounts(rate: string, amounts: ParsedValue[]): VatBreakdownRow | null {
  const numeric = Number(rate);
  for (let i = 0; i < amounts.length; i++) {
    for (let j = i + 1; j < amounts.length; j++) {
      for (let k = j + 1; k < amounts.length; k++) {
        const [net, vat, gross] = [cents(amounts[i]!.value), cents(amounts[j]!.value), cents(amounts[k]!.value)];
        if (Math.abs(net + vat - gross) > 1 || gross === 0) continue;
        const expected = Number.isFinite(numeric) ? Math.round((net * numeric) / 100) : 0;
        if (Math.abs(expected - vat) > Math.max(2, Math.abs(expected) * 0.005)) continue;
        return { rate, net: amounts[i]!.value, vat: amounts[j]!.value, gross: amounts[k]!.value };
      }
    }
  }
  // An exempt row prints no VAT: net and gross alike.
  if (!Number.isFinite(numeric) && amounts.length >= 2) {
    const [a, b] = [amounts[0]!, amounts[amounts.length - 1]!];
    if (a.value === b.value) return { rate, net: a.value, vat: null, gross: b.value };
  }
  return null;
}
