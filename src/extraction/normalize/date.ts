/**
 * Dates as printed on invoices and receipts in Polish, English, German and French to
 * `YYYY-MM-DD`: numeric (day first unless the numbers or the hints say otherwise), ISO,
 * month names in any of the four languages (Polish nominative and genitive), Roman-numeral
 * months ("5 III 2024"), and strptime-like formats from templates.
 */
import type { NormalizeHints } from "./hints.js";
import { MONTH_NAME_PATTERN, monthNumber, ROMAN_MONTH_PATTERN, romanMonth } from "./months.js";
import { foldText } from "./text.js";

interface DateParts {
  year: number;
  month: number;
  day: number;
}

interface Candidate extends DateParts {
  index: number;
  length: number;
}

/**
 * The first valid date in the text, or null. Impossible dates (31 April, 29 February of a
 * common year, month 13) are rejected rather than corrected.
 */
export function parseDate(raw: string, hints?: NormalizeHints): string | null {
  const text = foldText(raw).replace(/[\u00a0\u2009\u202f]/g, " ");
  for (const format of hints?.dateFormats ?? []) {
    const parts = parseWithFormat(text, format);
    if (parts && isValidDate(parts)) return formatIso(parts);
  }
  const monthFirst = prefersMonthFirst(hints);
  const candidates = findDateCandidates(text, monthFirst);
  candidates.sort((a, b) => a.index - b.index || b.length - a.length);
  const valid = candidates.find(isValidDate);
  if (valid) return formatIso(valid);
  // OCR sometimes changes one separator ("25. 03-18"): a last resort, after every regular form.
  for (const m of text.matchAll(NUMERIC_MIXED)) {
    const parts = dayFirstOrSwapped(Number(m[1]), Number(m[2]), fullYear(m[3]!), monthFirst);
    if (isValidDate(parts)) return formatIso(parts);
  }
  return null;
}

function dayFirstOrSwapped(a: number, b: number, year: number, monthFirst: boolean): DateParts {
  const swap = a <= 12 && (b > 12 || (monthFirst && b <= 12));
  return swap ? { year, month: a, day: b } : { year, month: b, day: a };
}

/** Every date in a text with its position, for callers scanning lines (positions in the folded text). */
export function findDates(
  raw: string,
  hints?: NormalizeHints,
): Array<{ value: string; index: number; length: number }> {
  const text = foldText(raw).replace(/[\u00a0\u2009\u202f]/g, " ");
  const found = findDateCandidates(text, prefersMonthFirst(hints)).filter(isValidDate);
  found.sort((a, b) => a.index - b.index || b.length - a.length);
  const kept: Candidate[] = [];
  for (const c of found)
    if (!kept.some((k) => c.index < k.index + k.length && k.index < c.index + c.length)) kept.push(c);
  return kept.map((c) => ({ value: formatIso(c), index: c.index, length: c.length }));
}

function prefersMonthFirst(hints: NormalizeHints | undefined): boolean {
  if (hints?.languages?.some((l) => /^en[-_]us$/i.test(l))) return true;
  const first = hints?.dateFormats?.[0];
  return first !== undefined && /%m.*%d/.test(first);
}

const NUMERIC_ISO = /(?<!\d)(\d{4})\s?([-./])\s?(\d{1,2})\s?\2\s?(\d{1,2})(?!\d)/g;
const NUMERIC_DMY = /(?<![\d.,])(\d{1,2})\s?([-./])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d]|[.,]\d)/g;
const NUMERIC_MIXED = /(?<![\d.,])(\d{1,2})(?:\.\s?|[-/])(\d{1,2})[-./](\d{4}|[0-3]\d)(?![\d]|[.,]\d)/g;
const DAY_MONTH_YEAR = new RegExp(
  String.raw`(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|\.)?[\s\-/.]*(${MONTH_NAME_PATTERN})\.?[\s\-/.,]*(\d{4}|\d{2})(?![\d])`,
  "g",
);
const MONTH_DAY_YEAR = new RegExp(
  String.raw`(?<![a-z])(${MONTH_NAME_PATTERN})\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4})(?!\d)`,
  "g",
);
const ROMAN = new RegExp(String.raw`(?<!\d)(\d{1,2})[\s.]+(${ROMAN_MONTH_PATTERN})[\s.]+(\d{4})(?!\d)`, "g");

function findDateCandidates(text: string, monthFirst: boolean): Candidate[] {
  const out: Candidate[] = [];
  const at = (m: RegExpMatchArray, parts: DateParts | null) => {
    if (parts) out.push({ ...parts, index: m.index ?? 0, length: m[0].length });
  };
  for (const m of text.matchAll(NUMERIC_ISO)) at(m, { year: Number(m[1]), month: Number(m[3]), day: Number(m[4]) });
  for (const m of text.matchAll(NUMERIC_DMY)) {
    at(m, dayFirstOrSwapped(Number(m[1]), Number(m[3]), fullYear(m[4]!), monthFirst));
  }
  for (const m of text.matchAll(DAY_MONTH_YEAR)) {
    const month = monthNumber(m[2]!);
    at(m, month === null ? null : { year: fullYear(m[3]!), month, day: Number(m[1]) });
  }
  for (const m of text.matchAll(MONTH_DAY_YEAR)) {
    const month = monthNumber(m[1]!);
    at(m, month === null ? null : { year: fullYear(m[3]!), month, day: Number(m[2]) });
  }
  for (const m of text.matchAll(ROMAN)) {
    const month = romanMonth(m[2]!);
    at(m, month === null ? null : { year: fullYear(m[3]!), month, day: Number(m[1]) });
  }
  return out;
}

/** Two-digit years are this century up to 69, the last one from 70 (strptime's %y pivot). */
function fullYear(text: string): number {
  const n = Number(text);
  if (text.length > 2) return n;
  return n < 70 ? 2000 + n : 1900 + n;
}

export function isValidDate({ year, month, day }: DateParts): boolean {
  if (!Number.isInteger(year) || year < 1900 || year > 2100) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last;
}

function formatIso({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** strptime directives as regular expressions; the date parts are captured by name. */
const DIRECTIVES: Record<string, string> = {
  d: String.raw`(?<day>\d{1,2})`,
  e: String.raw`(?<day>\d{1,2})`,
  m: String.raw`(?<month>\d{1,2})`,
  Y: String.raw`(?<year>\d{4})`,
  y: String.raw`(?<year2>\d{2})`,
  B: `(?<monthName>${MONTH_NAME_PATTERN})\\.?`,
  b: `(?<monthName>${MONTH_NAME_PATTERN})\\.?`,
  h: `(?<monthName>${MONTH_NAME_PATTERN})\\.?`,
  H: String.raw`\d{1,2}`,
  I: String.raw`\d{1,2}`,
  M: String.raw`\d{1,2}`,
  S: String.raw`\d{1,2}`,
  f: String.raw`\d+`,
  p: String.raw`(?:am|pm|a\.m\.|p\.m\.)`,
  A: String.raw`[a-z]+\.?`,
  a: String.raw`[a-z]+\.?`,
  j: String.raw`\d{1,3}`,
  z: String.raw`(?:[+-]\d{2}:?\d{2}|z)`,
  Z: String.raw`[a-z]+`,
  "%": "%",
};

/** A date read with one strptime-like format, searched anywhere in the (folded) text. */
export function parseWithFormat(text: string, format: string): DateParts | null {
  let pattern = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === "%" && i + 1 < format.length) {
      const directive = format[++i]!;
      pattern += DIRECTIVES[directive] ?? escapeRegExp(directive);
    } else if (/\s/.test(ch)) {
      pattern += "\\s*";
    } else {
      pattern += escapeRegExp(foldText(ch));
    }
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`(?<![\\da-z])${pattern}(?![\\d])`);
  } catch {
    return null;
  }
  const groups = regex.exec(text)?.groups;
  if (!groups) return null;
  const year =
    groups.year !== undefined ? Number(groups.year) : groups.year2 !== undefined ? fullYear(groups.year2) : NaN;
  const month =
    groups.month !== undefined
      ? Number(groups.month)
      : groups.monthName !== undefined
        ? monthNumber(groups.monthName)
        : null;
  const day = groups.day !== undefined ? Number(groups.day) : 1;
  if (month === null || Number.isNaN(year)) return null;
  return { year, month, day };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
