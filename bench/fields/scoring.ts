/**
 * How bench:fields compares an extracted field with the truth, and tallies per field.
 *
 * Two measures everywhere:
 *   - exact: the extracted value (or the text as printed, for SROIE's competition metric)
 *     equals the truth character for character;
 *   - normalised: both sides normalised the same way first — case and whitespace ignored,
 *     dates compared as calendar dates (day-first when ambiguous: the receipts and invoices
 *     here are Malaysian, European and Polish), amounts as numbers, tax ids and IBANs without
 *     separators. A company name also matches when one side contains the other (invoice2data's
 *     issuers are short canonical names such as "Free" for "Free SAS").
 */
import type { FieldKind } from "../../src/extraction/types.js";

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  januari: 1,
  februari: 2,
  maart: 3,
  april: 4,
  mei: 5,
  juni: 6,
  juli: 7,
  augustus: 8,
  september: 9,
  oktober: 10,
  november: 11,
  december: 12,
  janvier: 1,
  fevrier: 2,
  mars: 3,
  avril: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  decembre: 12,
  stycznia: 1,
  lutego: 2,
  marca: 3,
  kwietnia: 4,
  maja: 5,
  czerwca: 6,
  lipca: 7,
  sierpnia: 8,
  wrzesnia: 9,
  pazdziernika: 10,
  listopada: 11,
  grudnia: 12,
  marz: 3,
  dezember: 12,
  oktobre: 10,
};

const pad = (n: number) => String(n).padStart(2, "0");
const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

function fullYear(y: number): number {
  return y < 100 ? 2000 + y : y;
}

function valid(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2100) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

function monthOf(word: string): number | undefined {
  return MONTHS[word] ?? MONTHS[word.slice(0, 3)];
}

/** A date in any of the formats the truths use, as YYYY-MM-DD; null when it is not one. */
export function parseDate(text: string): string | null {
  const s = fold(text).trim();
  let m = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})/.exec(s);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[-./](\d{1,2})[-./](\d{2,4})\b/.exec(s);
  // Day first; month first only when day first is impossible (03/20/2023).
  if (m)
    return (
      valid(fullYear(Number(m[3])), Number(m[2]), Number(m[1])) ??
      valid(fullYear(Number(m[3])), Number(m[1]), Number(m[2]))
    );
  m = /^(\d{1,2})\.?\s*([a-z]+)\.?,?\s*(\d{2,4})/.exec(s);
  const dayMonth = m ? monthOf(m[2]!) : undefined;
  if (m && dayMonth !== undefined) return valid(fullYear(Number(m[3])), dayMonth, Number(m[1]));
  m = /^([a-z]+)\.?\s*(\d{1,2})\s*,?\s*(\d{4})/.exec(s);
  const monthDay = m ? monthOf(m[1]!) : undefined;
  if (m && monthDay !== undefined) return valid(Number(m[3]), monthDay, Number(m[2]));
  return null;
}

/** An amount as integer cents, whichever decimal convention; null when it is not one. */
export function parseAmount(text: string): number | null {
  let s = text.replace(/[^\d.,-]/g, "");
  if (!/\d/.test(s)) return null;
  const negative = s.startsWith("-");
  s = s.replace(/-/g, "");
  const lastSep = Math.max(s.lastIndexOf(","), s.lastIndexOf("."));
  let whole = s;
  let frac = "";
  // A separator followed by one or two digits is the decimal one; three digits mean grouping.
  if (lastSep >= 0 && s.length - lastSep - 1 <= 2) {
    whole = s.slice(0, lastSep);
    frac = s.slice(lastSep + 1);
  }
  whole = whole.replace(/[.,]/g, "");
  const cents = Number(whole || "0") * 100 + Number(frac.padEnd(2, "0") || "0");
  return Number.isFinite(cents) ? (negative ? -cents : cents) : null;
}

const compact = (s: string) => fold(s).replace(/\s+/g, "");
const alnum = (s: string) => fold(s).replace(/[^a-z0-9]/g, "");

/** Exact: the same string. */
export function exactMatch(found: string | null | undefined, truth: string): boolean {
  return found !== null && found !== undefined && found === truth;
}

/** The lenient comparison described above, by the field's kind. */
export function normalisedMatch(
  kind: FieldKind,
  found: string | null | undefined,
  truth: string,
  options: { containment?: boolean } = {},
): boolean {
  if (found === null || found === undefined || found.trim() === "") return false;
  switch (kind) {
    case "date": {
      const a = parseDate(found);
      return a !== null && a === parseDate(truth);
    }
    case "amount": {
      const a = parseAmount(found);
      return a !== null && a === parseAmount(truth);
    }
    case "tax_id":
    case "iban":
      return alnum(found) === alnum(truth);
    case "identifier":
      return compact(found).replace(/^#/, "") === compact(truth).replace(/^#/, "");
    case "currency":
    case "payment_method":
      return fold(found).trim() === fold(truth).trim();
    case "text": {
      if (compact(found) === compact(truth)) return true;
      if (options.containment !== true) return false;
      const a = alnum(found);
      const b = alnum(truth);
      return a.length >= 3 && b.length >= 3 && (a.includes(b) || b.includes(a));
    }
  }
}

/** Per-field counters: how many documents had the field in their truth, how many were found, right. */
export interface FieldTally {
  total: number;
  found: number;
  exact: number;
  normalised: number;
  /** Documents whose OCR text contains the truth at all (set only where OCR ran): the ceiling for any extractor. */
  readable?: number;
  /** Of how many documents `readable` was judged. */
  readableOf?: number;
}

export class Scoreboard {
  readonly fields = new Map<string, FieldTally>();
  /** Documents with at least one miss, and what was missed (for the report's examples). */
  readonly misses: Array<{ document: string; field: string; truth: string; found: string | null }> = [];

  record(
    document: string,
    field: string,
    truth: string,
    found: string | null | undefined,
    exact: boolean,
    normalised: boolean,
    readable?: boolean,
  ): void {
    const t = this.fields.get(field) ?? { total: 0, found: 0, exact: 0, normalised: 0 };
    t.total++;
    if (readable !== undefined) {
      t.readable = (t.readable ?? 0) + (readable ? 1 : 0);
      t.readableOf = (t.readableOf ?? 0) + 1;
    }
    if (found !== null && found !== undefined && found !== "") t.found++;
    if (exact) t.exact++;
    if (normalised) t.normalised++;
    this.fields.set(field, t);
    if (!normalised) this.misses.push({ document, field, truth, found: found ?? null });
  }

  /** All fields together (for "≥ 90 % of fields"). */
  overall(): FieldTally {
    const sum: FieldTally = { total: 0, found: 0, exact: 0, normalised: 0 };
    for (const t of this.fields.values()) {
      if (t.readable !== undefined) {
        sum.readable = (sum.readable ?? 0) + t.readable;
        sum.readableOf = (sum.readableOf ?? 0) + (t.readableOf ?? 0);
      }
      sum.total += t.total;
      sum.found += t.found;
      sum.exact += t.exact;
      sum.normalised += t.normalised;
    }
    return sum;
  }

  toJSON(): unknown {
    return { fields: Object.fromEntries(this.fields), overall: this.overall(), misses: this.misses };
  }
}

/**
 * Whether `text` (a page's OCR text) contains the truth anywhere, spacing and case aside: an
 * amount as its digits with a decimal point or comma, anything else by its letters and digits.
 * Misses whose truth is not even in the text are OCR's, not extraction's.
 */
export function truthInText(text: string, truth: string, kind: FieldKind): boolean | undefined {
  // Normalised words ("transfer", "PLN") are not what the page prints ("przelew", "zł").
  if (kind === "payment_method" || kind === "currency") return undefined;
  if (kind === "amount") {
    const cents = parseAmount(truth);
    if (cents === null) return false;
    const whole = String(Math.trunc(Math.abs(cents) / 100));
    const frac = String(Math.abs(cents) % 100).padStart(2, "0");
    return new RegExp(`(?<![\\d.,])${whole}[.,]${frac}(?!\\d)`).test(text.replace(/(?<=\d)[\s.](?=\d{3}\b)/g, ""));
  }
  if (kind === "date") {
    const iso = parseDate(truth);
    return iso !== null && dateRegex(iso).test(fold(text));
  }
  const haystack = alnum(text);
  // An IBAN may be printed without its country (a Polish NRB); a text truth joins lines with
  // ", " that may sit apart in the text (beside the other party's column): each part must be there.
  const parts =
    kind === "iban" ? [alnum(truth).slice(2)] : kind === "text" ? truth.split(/,\s+/).map(alnum) : [alnum(truth)];
  return parts.every((p) => p.length > 0 && haystack.includes(p));
}

const MONTH_WORDS: string[][] = [
  ["jan", "january", "stycznia", "januar", "janvier", "januari"],
  ["feb", "february", "lutego", "februar", "fevrier", "februari"],
  ["mar", "march", "marca", "marz", "mars", "maart"],
  ["apr", "april", "kwietnia", "avril"],
  ["may", "maja", "mai", "mei"],
  ["jun", "june", "czerwca", "juni", "juin"],
  ["jul", "july", "lipca", "juli", "juillet"],
  ["aug", "august", "sierpnia", "aout", "augustus"],
  ["sep", "sept", "september", "wrzesnia", "septembre"],
  ["oct", "october", "pazdziernika", "oktober", "octobre"],
  ["nov", "november", "listopada", "novembre"],
  ["dec", "december", "grudnia", "dezember", "decembre"],
];

/** The day printed in any usual format (numeric with / - . or with a month name), in folded text. */
function dateRegex(iso: string): RegExp {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const day = `0?${d}`;
  const month = `0?${m}`;
  const year = `(?:${y}|${String(y).slice(2)})`;
  const words = `(?:${[...(MONTH_WORDS[m - 1] ?? [])].sort((a, b) => b.length - a.length).join("|")})`;
  const forms = [
    `${y}\\s*([-/.])\\s*${month}\\s*\\1\\s*${day}`,
    `${day}\\s*([-/.])\\s*${month}\\s*\\2\\s*${year}`,
    `${day}\\.?[\\s-]*${words}\\.?[\\s,.-]*${year}`,
    `${words}\\.?\\s*${day}\\s*,?\\s*${year}`,
  ];
  return new RegExp(`(?<!\\d)(?:${forms.join("|")})(?!\\d)`);
}
