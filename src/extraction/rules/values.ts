/**
 * Reading one kind of value out of a run of words: which words hold it, its normalised value
 * and how well it parsed (1 a clean, checksum-valid or unambiguous value; less when it only
 * looks plausible).
 */
import { isValidIban } from "../checks/iban.js";
import { isValidNip } from "../checks/nip.js";
import { isValidEuVatId, vatIdCountry } from "../checks/vat-id.js";
import type { LayoutWord } from "../layout/build.js";
import { parseAmount } from "../normalize/amount.js";
import { parseCurrency } from "../normalize/currency.js";
import { findDates, parseDate } from "../normalize/date.js";
import { normalizeIban } from "../normalize/iban.js";
import { parsePaymentMethod } from "../normalize/payment-method.js";
import { normalizeTaxId } from "../normalize/tax-id.js";
import { foldText, normalizeText } from "../normalize/text.js";

export interface ParsedValue {
  value: string;
  raw: string;
  words: LayoutWord[];
  quality: number;
}

const join = (words: readonly LayoutWord[]) => words.map((w) => w.text).join(" ");

/** The first date in the words. */
export function readDate(words: readonly LayoutWord[]): ParsedValue | null {
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= 5 && i + n <= words.length; n++) {
      let slice = words.slice(i, i + n);
      const value = parseDate(join(slice));
      if (!value) continue;
      // The date's own words only: "DATE: 25/12/2018 8:13" reads as "25/12/2018".
      while (slice.length > 1 && parseDate(join(slice.slice(1))) === value) slice = slice.slice(1);
      while (slice.length > 1 && parseDate(join(slice.slice(0, -1))) === value) slice = slice.slice(0, -1);
      return { value, raw: join(slice), words: slice, quality: 1 };
    }
  }
  return null;
}

const CURRENCY_WORD = /^(?:[A-Z]{3}|zł|zl|RM|€|\$|£|Kč|Ft|CHF|EUR|PLN|USD|GBP)\.?:?$/iu;
const NUMBERISH = /^[-−(]?[\d.,'’]+[-)]?$|^[-−]?[€$£]?\d[\d.,'’]*$|^\d[\d.,'’]*(?:zł|zl|€|\$|£|PLN|EUR|RM)?$/u;

/** Every amount in the words in order, each from the longest run of words that reads as one ("1 234,56 zł"). */
export function readAmounts(words: readonly LayoutWord[]): ParsedValue[] {
  const out: ParsedValue[] = [];
  let i = 0;
  while (i < words.length) {
    let best: ParsedValue | null = null;
    for (let n = 1; n <= 5 && i + n <= words.length; n++) {
      const slice = words.slice(i, i + n);
      const last = slice[slice.length - 1]!.text;
      if (n > 1 && !NUMBERISH.test(last) && !CURRENCY_WORD.test(last)) break;
      const digits = slice.filter((w) => /\d/.test(w.text));
      if (digits.length === 0) continue;
      const value = parseAmount(join(slice));
      if (value)
        best = { value, raw: join(slice), words: digits, quality: /[.,]\d{2}(?!\d)/.test(join(slice)) ? 1 : 0.8 };
    }
    if (best) {
      out.push(best);
      i += Math.max(1, words.indexOf(best.words[best.words.length - 1]!) - i + 1);
    } else i++;
  }
  return out;
}

/** A tax id: a checksum-valid one wins; else a plausible shape (ten digits, a country prefix and digits). */
export function readTaxId(words: readonly LayoutWord[]): ParsedValue | null {
  let plausible: ParsedValue | null = null;
  for (let i = 0; i < words.length; i++) {
    for (let n = Math.min(6, words.length - i); n >= 1; n--) {
      const slice = words.slice(i, i + n);
      const value = normalizeTaxId(join(slice));
      if (!value || value.replace(/\D/g, "").length < 7) continue;
      const valid = vatIdCountry(value) !== null ? isValidEuVatId(value) : /^\d{10}$/.test(value) && isValidNip(value);
      if (valid) return { value, raw: join(slice), words: slice, quality: 1 };
      if (!plausible && /^(?:[A-Z]{2,3})?[0-9A-Z]{8,15}$/.test(value))
        plausible = { value, raw: join(slice), words: slice, quality: 0.7 };
    }
  }
  return plausible;
}

/** An IBAN or a Polish NRB; a valid checksum wins over a merely IBAN-shaped number. */
export function readIban(words: readonly LayoutWord[]): ParsedValue | null {
  let plausible: ParsedValue | null = null;
  for (let i = 0; i < words.length; i++) {
    for (let n = Math.min(9, words.length - i); n >= 1; n--) {
      const slice = words.slice(i, i + n);
      const value = normalizeIban(join(slice));
      if (!value) continue;
      if (isValidIban(value)) return { value, raw: join(slice), words: slice, quality: 1 };
      if (!plausible) plausible = { value, raw: join(slice), words: slice, quality: 0.7 };
    }
  }
  return plausible;
}

/** Words that end a document number: "z dnia", "from", "vom", "du", a date. */
const NUMBER_STOPS = new Set(["z", "dnia", "from", "dated", "of", "vom", "du", "date", "data", "datum", "le"]);
const NUMBER_PREFIX = /^(?:nr|no|n°|numer|number|#|:|\/|-|\.)+\.?:?$/i;

/** A document number: the run of words after the label that holds a digit, up to a stop word or a date. */
export function readIdentifier(words: readonly LayoutWord[]): ParsedValue | null {
  const taken: LayoutWord[] = [];
  for (const word of words) {
    const folded = foldText(word.text).replace(/[:.,]$/, "");
    if (taken.length === 0 && NUMBER_PREFIX.test(word.text)) continue;
    if (NUMBER_STOPS.has(folded)) break;
    // "FV 3/12/2024" is a number that looks like a date after its series; a date alone is not a number.
    const prefixOnly = taken.length > 0 && taken.every((w) => /^[A-Za-z]{1,5}[-/]?$/.test(w.text));
    if (isWholeDate(word.text) && !prefixOnly) break;
    taken.push(word);
    if (taken.length >= 3) break;
  }
  while (taken.length > 1 && !/\d/.test(taken[taken.length - 1]!.text)) taken.pop();
  if (taken.length === 0) return null;
  const raw = join(taken);
  const value = normalizeText(raw.replace(/^(?:n°|no\.|nr\.?|#|:)\s*/i, ""));
  if (value.length < 2 || !/[\dA-Z]/i.test(value) || findDates(value)[0]?.index === 0) return null;
  // "24.99" or "1 234,56" is an amount, not a document number.
  if (/^-?[\d\s]*\d[.,]\d{2}$/.test(value)) return null;
  return { value, raw, words: taken, quality: /\d/.test(value) ? 1 : 0.4 };
}

/** A word that is a date and nothing else ("05.03.2024", not "FV/12/03/2024"). */
function isWholeDate(text: string): boolean {
  const date = findDates(text)[0];
  return date !== undefined && date.index === 0 && date.length >= foldText(text).replace(/[.,;:)]+$/, "").length;
}

export function readText(words: readonly LayoutWord[]): ParsedValue | null {
  const raw = join(words);
  const value = normalizeText(raw);
  return value.length >= 2 ? { value, raw, words: [...words], quality: 1 } : null;
}

export function readPaymentMethod(words: readonly LayoutWord[]): ParsedValue | null {
  const raw = join(words);
  const value = parsePaymentMethod(raw);
  return value ? { value, raw, words: [...words], quality: 1 } : null;
}

export function readCurrency(words: readonly LayoutWord[]): ParsedValue | null {
  for (const word of words) {
    const value = parseCurrency(word.text);
    if (value) return { value, raw: word.text, words: [word], quality: 1 };
  }
  return null;
}
