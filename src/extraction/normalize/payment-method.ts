/**
 * Payment methods as printed ("przelew", "Überweisung", "virement", "bank transfer", "gotówka",
 * "karta płatnicza", …) to one word: transfer, cash, card, cheque, direct_debit,
 * cash_on_delivery, online, mobile, compensation.
 */
import { foldText } from "./text.js";

export const PAYMENT_METHODS = [
  "transfer",
  "cash",
  "card",
  "cheque",
  "direct_debit",
  "cash_on_delivery",
  "online",
  "mobile",
  "compensation",
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Folded cues per method; the earliest cue in the text decides ("przelew, gotówka" is transfer). */
const CUES: ReadonlyArray<[PaymentMethod, RegExp]> = [
  ["cash_on_delivery", /\b(?:za pobraniem|pobranie|cash on delivery|c\.?o\.?d\.?|nachnahme|contre[- ]remboursement)\b/],
  [
    "direct_debit",
    /\b(?:direct debit|polecenie zaplaty|lastschrift|sepa[- ]?(?:core|lastschrift|mandat)|prelevement)\b/,
  ],
  [
    "transfer",
    /\b(?:przelew\w*|transfer|bank transfer|wire|\w*uberweisung|uberweisen|virement|bonifico|overboeking|bank)\b/,
  ],
  ["cash", /\b(?:gotowk\w*|gotowka|cash|bar|barzahlung|especes|espece|contanti|kontant)\b/],
  [
    "card",
    /\b(?:kart\w*|card|credit card|debit card|visa|mastercard|maestro|amex|ec[- ]karte|girocard|kreditkarte|carte(?: bancaire| bleue)?|cb|cartao)\b/,
  ],
  ["cheque", /\b(?:cheque|check|czek|scheck|cheque bancaire)\b/],
  ["mobile", /\b(?:blik|apple pay|google pay|aplikacja mobilna|mobile)\b/],
  ["online", /\b(?:paypal|przelewy24|payu|online|stripe|dotpay|tpay|sofort|klarna)\b/],
  ["compensation", /\b(?:kompensata|compensation|verrechnung)\b/],
];

/** The method a printed text names, or null when it names none this reader knows. */
export function parsePaymentMethod(raw: string): PaymentMethod | null {
  const text = foldText(raw);
  let best: { method: PaymentMethod; index: number } | null = null;
  for (const [method, cue] of CUES) {
    const match = cue.exec(text);
    if (match && (best === null || match.index < best.index)) best = { method, index: match.index };
  }
  return best?.method ?? null;
}
