/**
 * Amounts as printed in both conventions ("1 234,56", "1.234,56", "1,234.56", "1'234.50") to
 * the normalised form: a dot, no grouping, at least two decimals ("1234.56").
 */
import type { NormalizeHints } from "./hints.js";
import { CURRENCY_TOKEN_PATTERN } from "./currency.js";

/** Grouping characters besides the two separators: spaces of any width and apostrophes. */
const GROUP_SPACE = /[ \u00a0\u2009\u202f'’`]/;

/**
 * A number as printed: digits, separators, an optional sign. Spaces and apostrophes may only
 * stand before a group of exactly three digits, so "2 12,50" is two numbers, not one.
 */
export const AMOUNT_PATTERN =
  /[-−–]?\s?\d{1,3}(?:[ \u00a0\u2009\u202f'’](?=\d{3}(?!\d))\d{3})+(?:[.,]\d+)?(?!\d)|[-−–]?\s?\d+(?:[.,]\d+)*(?!\d)/gu;

/**
 * The value of one printed amount, or null when the text holds no single amount. Currency
 * symbols and codes around the number are ignored; a minus, a trailing minus or parentheses
 * make it negative. A single separator followed by exactly three digits is ambiguous ("1,234");
 * it is read as grouping unless `hints.decimalSeparator` says otherwise.
 */
export function parseAmount(raw: string, hints?: NormalizeHints): string | null {
  let text = raw.trim();
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  text = text.replace(CURRENCY_TOKEN_PATTERN, " ").trim();
  if (/[-−–]$/.test(text)) {
    negative = !negative;
    text = text.slice(0, -1).trim();
  }
  if (/^[-−–]/.test(text)) {
    negative = !negative;
    text = text.slice(1).trim();
  }
  if (text === "" || !/^\d[\d.,\s\u00a0\u2009\u202f'’`]*$/u.test(text)) return null;
  const digits = numericValue(text, hints?.decimalSeparator);
  if (digits === null) return null;
  return negative && !/^0(\.0+)?$/.test(digits) ? `-${digits}` : digits;
}

/** Every number-like substring of a text with its position, for callers scanning a line. */
export function findAmounts(text: string): Array<{ raw: string; index: number }> {
  const found: Array<{ raw: string; index: number }> = [];
  for (const match of text.matchAll(AMOUNT_PATTERN)) found.push({ raw: match[0], index: match.index });
  return found;
}

function numericValue(text: string, decimalHint: "," | "." | undefined): string | null {
  // Spaces and apostrophes group thousands; each must precede exactly three digits.
  const parts = text.split(GROUP_SPACE).filter((p) => p !== "");
  if (parts.length > 1) {
    if (!/^\d{1,3}$/.test(parts[0]!)) return null;
    for (let i = 1; i < parts.length; i++)
      if (!/^\d{3}(?:[.,]\d*)?$/.test(parts[i]!) || (i < parts.length - 1 && parts[i]!.length !== 3)) return null;
  }
  const compact = parts.join("");
  const separators = [...compact.matchAll(/[.,]/g)].map((m) => ({ char: m[0], index: m.index }));
  let integer: string;
  let fraction = "";
  if (separators.length === 0) {
    integer = compact;
  } else {
    const decimal = chooseDecimal(compact, separators, decimalHint, parts.length > 1);
    if (decimal === undefined) return null;
    const grouping = decimal === null ? separators : separators.filter((s) => s.index !== decimal);
    if (!groupsWellFormed(compact, grouping, decimal)) return null;
    const cut = decimal ?? compact.length;
    integer = compact.slice(0, cut).replace(/[.,]/g, "");
    fraction = decimal === null ? "" : compact.slice(decimal + 1);
  }
  if (integer === "" || !/^\d+$/.test(integer) || !/^\d*$/.test(fraction)) return null;
  integer = integer.replace(/^0+(?=\d)/, "");
  fraction = fraction.replace(/0+$/, "");
  return `${integer}.${fraction.padEnd(2, "0")}`;
}

/**
 * The index of the decimal separator, null when every separator groups, undefined when the
 * separators contradict each other.
 */
function chooseDecimal(
  compact: string,
  separators: Array<{ char: string; index: number }>,
  hint: "," | "." | undefined,
  spaceGrouped: boolean,
): number | null | undefined {
  const last = separators[separators.length - 1]!;
  const kinds = new Set(separators.map((s) => s.char));
  if (hint) {
    const decimals = separators.filter((s) => s.char === hint);
    if (decimals.length > 1) return undefined;
    if (decimals.length === 1 && decimals[0] !== last) return undefined;
    return decimals.length === 1 ? last.index : null;
  }
  if (kinds.size === 2) {
    // Both kinds: the last one is the decimal separator, and it occurs once.
    if (separators.filter((s) => s.char === last.char).length > 1) return undefined;
    return last.index;
  }
  if (separators.length > 1) return null;
  const after = compact.length - last.index - 1;
  // A space already grouped the thousands, so the separator after them is decimal.
  if (spaceGrouped) return last.index;
  if (after !== 3) return last.index;
  // "0,500" cannot group thousands.
  if (/^0+$/.test(compact.slice(0, last.index))) return last.index;
  return null;
}

function groupsWellFormed(compact: string, grouping: Array<{ index: number }>, decimal: number | null): boolean {
  if (grouping.length === 0) return true;
  const end = decimal ?? compact.length;
  const first = grouping[0]!.index;
  if (first === 0 || first > 3) return false;
  const boundaries = [...grouping.map((g) => g.index), end];
  for (let i = 0; i + 1 < boundaries.length; i++) if (boundaries[i + 1]! - boundaries[i]! !== 4) return false;
  return true;
}
