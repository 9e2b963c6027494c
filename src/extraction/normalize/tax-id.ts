/**
 * Tax ids as printed ("NIP: 774-00-01-454", "PL 526 025 02 74", "DE 136.695.976",
 * "CHE-113.584.294 MWST") to the stored form: no spaces, dashes, dots or slashes, upper
 * case, a printed country prefix kept.
 */
import { collapseWhitespace } from "./text.js";

/** Words printed before or after the number that are not part of it. */
const LABEL_WORDS =
  /^(?:nip|vat|vat\s*id|vat\s*no|vat\s*reg(?:istration)?\s*no|ust-?id-?nr|ust-?idnr|ust-?id|uid|tva|n°\s*tva|tin|gst(?:\s*(?:reg|id|no))*|sst|tax\s*id|nr)[\s.:#-]*/i;
const TRAILING_WORDS = /[\s.]*(?:mwst|tva|iva|mva)\.?$/i;

/** The stored form of a printed tax id, or null when it cannot be one (too short, no digits). */
export function normalizeTaxId(raw: string): string | null {
  let text = collapseWhitespace(raw);
  for (let i = 0; i < 3 && LABEL_WORDS.test(text); i++) text = text.replace(LABEL_WORDS, "");
  const keepSuffix = /^CHE/i.test(text) || /^NO/i.test(text);
  if (!keepSuffix) text = text.replace(TRAILING_WORDS, "");
  const compact = text.replace(/[\s\-./\u2010-\u2015:]/g, "").toUpperCase();
  if (!/^[A-Z0-9]{5,20}$/.test(compact)) return null;
  if ((compact.match(/\d/g) ?? []).length < 5) return null;
  return compact;
}
