/**
 * The vocabulary of field extraction (API.md "v1.1 additions — Field extraction"). The names
 * are fixed by the HTTP contract; receipts use the same names (SROIE's company is
 * `seller_name`, its address `seller_address`, its date `issue_date`, its total `total_gross`).
 * Pure types: no IO.
 */
export const FIELD_NAMES = [
  "document_number",
  "issue_date",
  "sale_date",
  "due_date",
  "currency",
  "total_net",
  "total_vat",
  "total_gross",
  "seller_name",
  "seller_tax_id",
  "seller_address",
  "buyer_name",
  "buyer_tax_id",
  "buyer_address",
  "iban",
  "payment_method",
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export function isFieldName(name: string): name is FieldName {
  return (FIELD_NAMES as readonly string[]).includes(name);
}

/** How a field's value is normalised and checked. */
export type FieldKind = "date" | "amount" | "currency" | "tax_id" | "iban" | "text" | "payment_method" | "identifier";

export const FIELD_KINDS: Record<FieldName, FieldKind> = {
  document_number: "identifier",
  issue_date: "date",
  sale_date: "date",
  due_date: "date",
  currency: "currency",
  total_net: "amount",
  total_vat: "amount",
  total_gross: "amount",
  seller_name: "text",
  seller_tax_id: "tax_id",
  seller_address: "text",
  buyer_name: "text",
  buyer_tax_id: "tax_id",
  buyer_address: "text",
  iban: "iban",
  payment_method: "payment_method",
};

export const DOCUMENT_TYPES = ["invoice", "receipt", "other"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** The submit option `extract` (API.md): `auto` classifies; `off` plans no extraction step. */
export const EXTRACT_MODES = ["auto", "invoice", "receipt", "off"] as const;
export type ExtractMode = (typeof EXTRACT_MODES)[number];

export const FIELD_ORIGINS = ["rule", "template", "llm", "manual"] as const;
export type FieldOrigin = (typeof FIELD_ORIGINS)[number];

/** Where a field was read: a page (1-based) and a box in that page's word-box coordinates (the result JSON's). */
export interface FieldSource {
  page: number;
  bbox: [number, number, number, number];
}

/** One extracted field (API.md). */
export interface Field {
  /**
   * Normalised: dates `YYYY-MM-DD`; amounts a decimal string with a dot and no grouping
   * (`"1234.56"`); currency ISO 4217; tax ids and IBANs without spaces or dashes, upper case;
   * text with whitespace collapsed.
   */
  value: string;
  /** The text as printed. */
  raw: string;
  /** 0–1, calibrated: a field that fails a check is never near 1. */
  confidence: number;
  source: FieldSource | null;
  origin: FieldOrigin;
}

export type Fields = Partial<Record<FieldName, Field>>;

/** A row of an invoice's item table. Amounts normalised like fields; null when the row does not print it. */
export interface LineItem {
  description: string;
  quantity: string | null;
  unit: string | null;
  unit_price: string | null;
  net: string | null;
  vat_rate: string | null;
  vat: string | null;
  gross: string | null;
  source: FieldSource | null;
}

/** A row of the VAT summary ("stawka VAT / netto / VAT / brutto"): rate as printed, normalised ("23", "8", "zw", "np"). */
export interface VatBreakdownRow {
  rate: string;
  net: string | null;
  vat: string | null;
  gross: string | null;
}

/** The result of one check: `fields` are the fields it judged. */
export interface CheckResult {
  name: string;
  ok: boolean;
  fields: FieldName[];
  message: string;
}

/** What an extractor (rules, a template, the LLM) found: candidates before the checks judge them. */
export interface ExtractionCandidates {
  fields: Fields;
  line_items: LineItem[];
  vat_breakdown: VatBreakdownRow[];
}

/** The whole extraction of one document: what the `extract_fields` step stores. */
export interface Extraction extends ExtractionCandidates {
  document_type: DocumentType;
  type_confidence: number;
  checks: CheckResult[];
  /** The matched template's name, when a template supplied fields. */
  template: string | null;
  /** Why a person should look at it (empty: nothing to review). */
  review_reasons: string[];
}

/** Review thresholds (configurable). */
export interface ReviewThresholds {
  /** Mean OCR confidence (0–100) of OCRed pages below which the document needs review. */
  ocrConfidence: number;
  /** Field confidence (0–1) below which a required field needs review. */
  fieldConfidence: number;
}

export const DEFAULT_REVIEW_THRESHOLDS: ReviewThresholds = { ocrConfidence: 40, fieldConfidence: 0.5 };

/** The fields each document type needs: missing, failing or unsure ones send it to review. */
export const REQUIRED_FIELDS: Record<DocumentType, readonly FieldName[]> = {
  invoice: ["document_number", "issue_date", "total_gross", "currency", "seller_name"],
  receipt: ["issue_date", "total_gross", "seller_name"],
  other: [],
};
