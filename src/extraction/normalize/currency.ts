/**
 * Currencies as printed ("zł", "€", "RM", "Kč", "PLN") to ISO 4217 codes.
 */
import { foldText } from "./text.js";

/** ISO 4217 codes an invoice or receipt plausibly prints; any of them is accepted as written. */
const ISO_CODES = new Set(
  (
    "PLN EUR USD GBP CHF CZK HUF SEK NOK DKK RON BGN HRK ISK TRY UAH RUB BYN MDL RSD BAM MKD ALL GEL " +
    "MYR SGD IDR THB PHP VND INR PKR LKR BDT CNY HKD TWD JPY KRW AUD NZD CAD MXN BRL ARS CLP COP PEN " +
    "ZAR EGP MAD TND NGN KES AED SAR QAR KWD BHD OMR ILS JOD"
  ).split(" "),
);

/**
 * Symbols and local abbreviations, folded (no accents, lower case). Ambiguous ones resolve to
 * the currency a European or Malaysian document most likely means ("$" USD, "kr" SEK is too
 * unsure and is left out; "RM" is the Malaysian ringgit SROIE receipts print).
 */
const SYMBOLS: Record<string, string> = {
  zl: "PLN",
  "zl.": "PLN",
  zloty: "PLN",
  zlotych: "PLN",
  "€": "EUR",
  euro: "EUR",
  euros: "EUR",
  eur: "EUR",
  $: "USD",
  us$: "USD",
  "us dollar": "USD",
  "£": "GBP",
  "fr.": "CHF",
  sfr: "CHF",
  rm: "MYR",
  ringgit: "MYR",
  kc: "CZK",
  "kc.": "CZK",
  ft: "HUF",
  lei: "RON",
  "₹": "INR",
  rs: "INR",
  "rs.": "INR",
  "₨": "INR",
  "¥": "JPY",
  "₩": "KRW",
  "₽": "RUB",
  "₴": "UAH",
  "₺": "TRY",
  s$: "SGD",
  a$: "AUD",
  c$: "CAD",
  hk$: "HKD",
  nz$: "NZD",
  r$: "BRL",
  "฿": "THB",
  "₱": "PHP",
  "₫": "VND",
  "₪": "ILS",
};

/** A currency code or symbol standing alone (for stripping it from an amount). */
export const CURRENCY_TOKEN_PATTERN = new RegExp(
  [
    String.raw`(?<![A-Za-z])(?:${[...ISO_CODES].join("|")})(?![A-Za-z])`,
    String.raw`(?<![A-Za-z])(?:zł|zl|złotych|Kč|Ft|RM|Rs|Fr|SFr|lei|euro|euros)\.?(?![A-Za-zł])`,
    String.raw`(?:US|S|A|C|HK|NZ|R)?\$`,
    "[€£¥₹₨₩₽₴₺฿₱₫₪]",
  ].join("|"),
  "giu",
);

/** The ISO 4217 code of a printed currency, or null. The first currency found wins. */
export function parseCurrency(raw: string): string | null {
  const text = raw.trim();
  if (text === "") return null;
  const upper = text.toUpperCase();
  if (ISO_CODES.has(upper)) return upper;
  if (upper === "ZŁ" || upper === "ZL") return "PLN";
  for (const match of text.matchAll(CURRENCY_TOKEN_PATTERN)) {
    const token = match[0];
    if (ISO_CODES.has(token.toUpperCase())) {
      // A lower-case "eur" in running text is a word; codes count in capitals only, or alone.
      if (token === token.toUpperCase()) return token.toUpperCase();
      continue;
    }
    const folded = foldText(token).replace(/\s+/g, " ");
    const code = SYMBOLS[folded] ?? SYMBOLS[folded.replace(/\.$/, "")];
    if (code) return code;
  }
  return null;
}

/** Whether a three-letter code is one this reader knows. */
export function isKnownCurrencyCode(code: string): boolean {
  return ISO_CODES.has(code.toUpperCase());
}
