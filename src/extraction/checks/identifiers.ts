/**
 * Checksum checks of the identifiers on a document: the parties' tax ids (a Polish NIP when
 * printed as ten bare digits, else a VAT id by its country prefix) and the IBAN. An id whose
 * kind no rule here knows (a Malaysian GST number, an Indian GSTIN) gets no check rather than a
 * pass: a check that checked nothing must not raise anyone's confidence.
 */
import type { CheckResult, Field } from "../types.js";
import { isValidIban } from "./iban.js";
import { isValidNip, nipDigits } from "./nip.js";
import { compactVatId, isValidEuVatId, vatIdCountry } from "./vat-id.js";

export function checkTaxId(name: "seller_tax_id" | "buyer_tax_id", field: Field | undefined): CheckResult | null {
  if (!field) return null;
  const compact = compactVatId(field.value);
  const country = vatIdCountry(compact);
  if (country !== null) {
    const ok = isValidEuVatId(compact);
    const scheme = country === "PL" ? "the NIP checksum" : `the ${country} VAT id format and check digits`;
    return {
      name,
      ok,
      fields: [name],
      message: ok ? `${name} ${compact} passes ${scheme}` : `${name} ${compact} fails ${scheme}`,
    };
  }
  if (nipDigits(compact) !== null) {
    const ok = isValidNip(compact);
    return {
      name,
      ok,
      fields: [name],
      message: ok ? `${name} ${compact} passes the NIP checksum` : `${name} ${compact} fails the NIP checksum`,
    };
  }
  return null;
}

export function checkIban(field: Field | undefined): CheckResult | null {
  if (!field) return null;
  const ok = isValidIban(field.value);
  return {
    name: "iban",
    ok,
    fields: ["iban"],
    message: ok
      ? `iban ${field.value} passes the IBAN check (length and mod 97)`
      : `iban ${field.value} fails the IBAN check (length, format or mod 97)`,
  };
}
