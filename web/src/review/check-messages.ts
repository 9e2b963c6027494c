import { FIELD_NAMES } from "../api/types";
import type { I18n } from "../i18n/i18n";

type Render = (m: RegExpExecArray, i18n: I18n, label: (name: string) => string) => string;

/**
 * The server's check messages and review reasons (src/extraction/checks, judge.ts) are
 * English sentences with field names in them. Those whose form is known are said again in
 * the UI's language with the fields' labels; any other keeps its text, with field names
 * replaced by labels — so a new check on the server still shows, just less translated.
 */
const PATTERNS: [RegExp, Render][] = [
  [
    /^(seller_tax_id|buyer_tax_id) (\S+) (passes|fails) the NIP checksum$/,
    (m, i, l) => i.t(m[3] === "passes" ? "checkmsg.nipOk" : "checkmsg.nipBad", { field: l(m[1]!), id: m[2]! }),
  ],
  [
    /^(seller_tax_id|buyer_tax_id) (\S+) (passes|fails) the (\w\w) VAT id format and check digits$/,
    (m, i, l) =>
      i.t(m[3] === "passes" ? "checkmsg.vatIdOk" : "checkmsg.vatIdBad", { field: l(m[1]!), id: m[2]!, country: m[4]! }),
  ],
  [
    /^iban (\S+) (passes|fails) the IBAN check/,
    (m, i) => i.t(m[2] === "passes" ? "checkmsg.ibanOk" : "checkmsg.ibanBad", { iban: m[1]! }),
  ],
  [
    /^total_net (\S+) \+ total_vat (\S+) = (\S+), which matches total_gross$/,
    (m, i) => i.t("checkmsg.totalsOk", { net: m[1]!, vat: m[2]!, sum: m[3]! }),
  ],
  [
    /^total_net (\S+) \+ total_vat (\S+) = (\S+), but total_gross is (\S+) \(off by (\S+)\)$/,
    (m, i) => i.t("checkmsg.totalsBad", { net: m[1]!, vat: m[2]!, sum: m[3]!, gross: m[4]!, off: m[5]! }),
  ],
  [/^due_date (\S+) is before issue_date (\S+)$/, (m, i) => i.t("checkmsg.dueBefore", { due: m[1]!, issue: m[2]! })],
  [
    /^due_date (\S+) is more than a year after issue_date (\S+)$/,
    (m, i) => i.t("checkmsg.dueFar", { due: m[1]!, issue: m[2]! }),
  ],
  [/^due_date (\S+) is not before issue_date (\S+)$/, (m, i) => i.t("checkmsg.dueOk", { due: m[1]!, issue: m[2]! })],
  [
    /^sale_date (\S+) is plausible for issue_date (\S+)$/,
    (m, i) => i.t("checkmsg.saleOk", { sale: m[1]!, issue: m[2]! }),
  ],
  [
    /^sale_date (\S+) is implausibly far from issue_date (\S+)$/,
    (m, i) => i.t("checkmsg.saleFar", { sale: m[1]!, issue: m[2]! }),
  ],
  [/^Every field an? \w+ needs is present$/, (_m, i) => i.t("checkmsg.requiredOk")],
  [
    /^Required fields? missing: (.+)$/,
    (m, i, l) => i.t("checkmsg.requiredBad", { fields: m[1]!.split(/,\s*/).map(l).join(", ") }),
  ],
  [/^Required field (\w+) is missing$/, (m, i, l) => i.t("checkmsg.missing", { field: l(m[1]!) })],
  [/^Low OCR confidence \((\d+) %\)$/, (m, i) => i.t("checkmsg.lowOcr", { c: m[1]! })],
  [
    /^Low confidence for (\w+) \(([\d.]+)\)$/,
    (m, i, l) => i.t("checkmsg.lowField", { field: l(m[1]!), c: i.number(Number(m[2]) * 100) }),
  ],
];

const FIELD_WORD = new RegExp(`\\b(${FIELD_NAMES.join("|")})\\b`, "g");

/** A check message or review reason in the UI's language (see PATTERNS). */
export function checkText(i18n: I18n, message: string): string {
  const label = (name: string) => i18n.maybe(`field.${name}`) ?? name;
  for (const [pattern, render] of PATTERNS) {
    const m = pattern.exec(message);
    if (m) return render(m, i18n, label);
  }
  return message.replace(FIELD_WORD, (name) => label(name));
}

/** A check's name in the UI's language ("seller_tax_id" → "Seller tax ID checksum"). */
export function checkName(i18n: I18n, name: string): string {
  return i18n.maybe(`check.${name}`) ?? name.replace(/[_.-]+/g, " ");
}
