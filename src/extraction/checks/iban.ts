/**
 * IBANs: the country's length and BBAN format, and the ISO 13616 mod-97 check digits
 * (ibantools). A Polish 26-digit account number without "PL" is read as a Polish IBAN.
 */
import { electronicFormatIBAN, isValidIBAN } from "ibantools";

export function isValidIban(value: string): boolean {
  let compact = electronicFormatIBAN(value) ?? "";
  if (/^\d{26}$/.test(compact)) compact = `PL${compact}`;
  return isValidIBAN(compact);
}
