/**
 * Bank account numbers as printed ("PL61 1090 1014 0000 0712 1981 2874", "IBAN: DE89 3704 …",
 * a Polish 26-digit NRB without its country) to an IBAN without spaces, upper case.
 */
import { collapseWhitespace } from "./text.js";

/** The stored form of a printed IBAN, or null when it cannot be one. The checksum is the check's job. */
export function normalizeIban(raw: string): string | null {
  const text = collapseWhitespace(raw).replace(/^(?:iban|nrb|nr\s*(?:rachunku|konta)?)[\s.:#-]*/i, "");
  const compact = text.replace(/[\s\-.]/g, "").toUpperCase();
  // A Polish account number (NRB) is an IBAN without its "PL": 26 digits.
  if (/^\d{26}$/.test(compact)) return `PL${compact}`;
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return null;
  return compact;
}
