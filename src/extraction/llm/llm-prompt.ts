/**
 * What Docket asks an OpenAI-compatible chat model: the JSON schema of the answer (the fixed
 * field names, each `{value, raw}`), the instructions, and the document's text, shortened
 * when it is long (the first pages and the last one, which holds the totals, with a note
 * saying what was left out).
 */
import type { DocumentText } from "../document-text.js";
import { DOCUMENT_TYPES, FIELD_NAMES, type DocumentType, type FieldName } from "../types.js";

/** About 8k tokens of layout text: enough for a few invoice pages, small enough for local models. */
export const DEFAULT_MAX_DOCUMENT_CHARS = 24_000;

const FIELD_HINTS: Record<FieldName, string> = {
  document_number: "the invoice or receipt number",
  issue_date: "date of issue (YYYY-MM-DD)",
  sale_date: "date of sale or delivery, when printed apart from the issue date (YYYY-MM-DD)",
  due_date: "payment due date (YYYY-MM-DD)",
  currency: "ISO 4217 code, e.g. PLN, EUR, USD",
  total_net: "total before VAT",
  total_vat: "total VAT",
  total_gross: "total to pay, VAT included",
  seller_name: "the seller's or shop's name",
  seller_tax_id: "the seller's tax id (NIP, VAT number), with its country prefix when printed",
  seller_address: "the seller's address",
  buyer_name: "the buyer's name",
  buyer_tax_id: "the buyer's tax id",
  buyer_address: "the buyer's address",
  iban: "the account to pay to (IBAN or a national account number)",
  payment_method: "how it is (or was) paid: transfer, cash, card, …",
};

/** The answer's JSON schema, strict (every property required, nothing else allowed). */
export function answerSchema(): Record<string, unknown> {
  const field = {
    type: "object",
    additionalProperties: false,
    required: ["value", "raw"],
    properties: { value: { type: ["string", "null"] }, raw: { type: ["string", "null"] } },
  };
  return {
    type: "object",
    additionalProperties: false,
    required: ["document_type", "fields"],
    properties: {
      document_type: { type: "string", enum: [...DOCUMENT_TYPES] },
      fields: {
        type: "object",
        additionalProperties: false,
        required: [...FIELD_NAMES],
        properties: Object.fromEntries(FIELD_NAMES.map((name) => [name, { ...field, description: FIELD_HINTS[name] }])),
      },
    },
  };
}

const SYSTEM = [
  "You read invoices and receipts and extract their fields as JSON.",
  'Answer with one JSON object only: {"document_type": "invoice" | "receipt" | "other", "fields": {<name>: {"value": …, "raw": …}}} with every field name listed below.',
  "raw: the text exactly as printed in the document, copied character for character; null when the document does not print it.",
  "value: the same, normalised: dates YYYY-MM-DD; amounts with a dot as the decimal separator and no thousands separators (1234.56); currency as an ISO 4217 code; tax ids and IBANs without spaces or dashes. null when absent.",
  "Never guess or compute a value that is not printed. The total is the amount to pay, not the largest number.",
  "Fields:",
  ...FIELD_NAMES.map((name) => `- ${name}: ${FIELD_HINTS[name]}`),
].join("\n");

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

export function buildMessages(
  dt: DocumentText,
  type: DocumentType | "auto",
  maxChars = DEFAULT_MAX_DOCUMENT_CHARS,
): ChatMessage[] {
  const { text, note } = documentForPrompt(dt, maxChars);
  const kind =
    type === "auto" ? "Classify it as invoice, receipt or other." : `It is a${type === "invoice" ? "n" : ""} ${type}.`;
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `${kind}${note ? ` ${note}` : ""}\nThe document's text (layout kept; pages separated by "--- page N ---"):\n\n${text}`,
    },
  ];
}

/**
 * The document's text for the prompt: runs of layout spaces shortened (they cost tokens and
 * say nothing a model needs), pages marked, and, past `maxChars`, only the first pages that
 * fit and the last page (where totals and payment details usually are).
 */
export function documentForPrompt(dt: DocumentText, maxChars: number): { text: string; note: string | null } {
  const pages = dt.pages.map((p) => ({
    number: p.number,
    text: dt.text.slice(p.start, p.end).replace(/^\f/, "").replace(/ {3,}/g, "  ").trimEnd(),
  }));
  const render = (p: { number: number; text: string }) => `--- page ${p.number} ---\n${p.text}`;
  const whole = pages.map(render).join("\n\n");
  if (whole.length <= maxChars || pages.length === 0) return { text: whole, note: null };
  if (pages.length === 1)
    return { text: whole.slice(0, maxChars), note: "The text is cut short: it is too long to send whole." };

  const last = pages.at(-1)!;
  const lastText = render(last).slice(0, Math.floor(maxChars / 2));
  let budget = maxChars - lastText.length;
  const kept: string[] = [];
  let keptPages = 0;
  for (const p of pages.slice(0, -1)) {
    const r = render(p);
    if (r.length > budget) {
      // A first page longer than the budget is cut; later pages are dropped whole.
      if (keptPages === 0) kept.push(r.slice(0, budget));
      break;
    }
    kept.push(r);
    budget -= r.length + 2;
    keptPages++;
  }
  // When even the first page did not fit, it is kept cut rather than counted as left out.
  const leftOut = pages.length - 1 - Math.max(keptPages, kept.length);
  const note =
    keptPages === 0
      ? `The text is shortened: page ${pages[0]!.number} is cut and ${leftOut} page(s) before the last page (page ${last.number}) are left out.`
      : `The text is shortened: ${leftOut} page(s) between page ${pages[keptPages - 1]!.number} and page ${last.number} are left out.`;
  return { text: [...kept, `[… ${leftOut} page(s) left out …]`, lastText].join("\n\n"), note };
}
