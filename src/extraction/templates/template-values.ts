/**
 * Values from captured text, as a template's `type` and `group` settings ask: for Docket's
 * fields (normalised by the field's kind, with the template's options as hints) and for the
 * extras (typed as invoice2data types them: int, float, date or text). Decimal sums are exact.
 */
import { parseAmount, parseDate, type NormalizeHints } from "../normalize/index.js";
import { FIELD_KINDS, type FieldName } from "../types.js";
import type { GroupMode, ValueType } from "./template-schema.js";

/** invoice2data's `extract_number`: the first number in the text (units and symbols dropped). */
export function extractNumber(text: string): string {
  return /[-+]?\d+(?:[.,\s']\d+)*/.exec(text)?.[0] ?? text;
}

/** A value for the extras: what invoice2data's `type` makes of the text (null when it cannot). */
export function typedValue(text: string, type: ValueType | null, hints: NormalizeHints): string | number | null {
  switch (type) {
    case null:
      return text;
    case "date":
      return parseDate(text, hints);
    case "int":
    case "float": {
      if (text.trim() === "") return 0;
      const amount = parseAmount(text, hints);
      if (amount === null) return null;
      return type === "int" ? Math.trunc(Number(amount)) : Number(amount);
    }
  }
}

/** invoice2data's grouping of several values; null when nothing is left. */
export function groupValues<T extends string | number>(
  values: T[],
  group: GroupMode,
  compare: (a: T, b: T) => number,
  sum: (values: T[]) => T,
): T | T[] | null {
  const present = values.filter((v) => v !== "" && v !== 0);
  if (present.length === 0) return null;
  switch (group) {
    case "sum":
      return sum(present);
    case "min":
      return present.reduce((a, b) => (compare(b, a) < 0 ? b : a));
    case "max":
      return present.reduce((a, b) => (compare(b, a) > 0 ? b : a));
    case "first":
      return present[0]!;
    case "last":
      return present.at(-1)!;
    case "join":
      return [present.map(String).join(" ") as T];
  }
}

/** Exact sum of decimal strings ("12.50" + "0.005" = "12.505"). */
export function sumDecimals(values: readonly string[]): string {
  const scale = Math.max(0, ...values.map((v) => v.split(".")[1]?.length ?? 0));
  let total = 0n;
  for (const v of values) {
    const negative = v.startsWith("-");
    const [int = "0", frac = ""] = v.replace(/^[-+]/, "").split(".");
    const units = BigInt(int + frac.padEnd(scale, "0"));
    total += negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const whole = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${whole}` : whole;
}

export function compareDecimals(a: string, b: string): number {
  const diff = sumDecimals([a, b.startsWith("-") ? b.slice(1) : `-${b}`]);
  return /^-/.test(diff) ? -1 : /^[0.]+$/.test(diff) ? 0 : 1;
}

/** How Docket's values of a field compare: amounts by number, everything else as text (ISO dates sort). */
export function comparerFor(name: FieldName): (a: string, b: string) => number {
  return FIELD_KINDS[name] === "amount" ? compareDecimals : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/** A VAT rate as Docket writes it: "23", "8", "5.5", or the printed code ("zw", "np"). */
export function normalizeRate(text: string): string | null {
  const t = text.replace(/[%\s]/g, "").toLowerCase();
  if (t === "") return null;
  if (/^\d+(?:[.,]\d+)?$/.test(t)) return String(Number(t.replace(",", ".")));
  return t;
}
