/**
 * Field values from text, whoever wrote it: the rules, a template, the LLM or a person
 * correcting a field. One function per kind; `normalizeField` picks by the field's kind.
 */
import { FIELD_KINDS, type FieldName } from "../types.js";
import { parseAmount } from "./amount.js";
import { parseCurrency } from "./currency.js";
import { parseDate } from "./date.js";
import type { NormalizeHints } from "./hints.js";
import { normalizeIban } from "./iban.js";
import { parsePaymentMethod } from "./payment-method.js";
import { normalizeTaxId } from "./tax-id.js";
import { collapseWhitespace, normalizeText } from "./text.js";

export type { NormalizeHints } from "./hints.js";
export { AMOUNT_PATTERN, findAmounts, parseAmount } from "./amount.js";
export { isKnownCurrencyCode, parseCurrency } from "./currency.js";
export { findDates, parseDate, parseWithFormat } from "./date.js";
export { normalizeIban } from "./iban.js";
export { monthNumber } from "./months.js";
export { PAYMENT_METHODS, parsePaymentMethod, type PaymentMethod } from "./payment-method.js";
export { normalizeTaxId } from "./tax-id.js";
export { collapseWhitespace, editDistance, foldText, labelKey, normalizeText } from "./text.js";

export type NormalizeResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * The stored value of a field from text, or why the text cannot be that field. Checksums are
 * not judged here (a person may type exactly what is printed): the checks flag them.
 */
export function normalizeField(name: FieldName, raw: string, hints?: NormalizeHints): NormalizeResult {
  const text = collapseWhitespace(raw);
  if (text === "") return { ok: false, message: `${name} is empty` };
  const kind = FIELD_KINDS[name];
  switch (kind) {
    case "date": {
      const value = parseDate(text, hints);
      return value
        ? { ok: true, value }
        : { ok: false, message: `${name} "${text}" is not a date (e.g. 2024-03-05 or 05.03.2024)` };
    }
    case "amount": {
      const value = parseAmount(text, hints);
      return value
        ? { ok: true, value }
        : { ok: false, message: `${name} "${text}" is not an amount (e.g. 1234.56 or 1 234,56)` };
    }
    case "currency": {
      const value = parseCurrency(text);
      return value
        ? { ok: true, value }
        : { ok: false, message: `${name} "${text}" is not a known currency (an ISO 4217 code such as PLN or EUR)` };
    }
    case "tax_id": {
      const value = normalizeTaxId(text);
      return value ? { ok: true, value } : { ok: false, message: `${name} "${text}" is not a tax id` };
    }
    case "iban": {
      const value = normalizeIban(text);
      return value ? { ok: true, value } : { ok: false, message: `${name} "${text}" is not an IBAN` };
    }
    case "payment_method": {
      // An unknown method a person types is kept as written: it is theirs to name.
      return { ok: true, value: parsePaymentMethod(text) ?? text.toLowerCase() };
    }
    case "identifier":
    case "text": {
      const value = normalizeText(text);
      return value ? { ok: true, value } : { ok: false, message: `${name} is empty` };
    }
  }
}
