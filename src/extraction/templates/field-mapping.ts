/**
 * invoice2data's output names (docs/recommended-template-fields.md, the OCA Odoo importer's
 * vocabulary) as Docket's fixed field names. In invoice2data the "partner" is the invoice's
 * issuer, i.e. the seller (`partner_name`, `vat`, `partner_street` …), and "company" is the
 * recipient (`company_vat`). Docket's own names are accepted as they are, so a template may
 * also be written for Docket directly.
 */
import { isFieldName, type FieldName } from "../types.js";

const ALIASES: Record<string, FieldName> = {
  invoice_number: "document_number",
  date: "issue_date",
  invoice_date: "issue_date",
  date_invoice: "issue_date",
  date_due: "due_date",
  date_sale: "sale_date",
  amount: "total_gross",
  amount_total: "total_gross",
  amount_untaxed: "total_net",
  amount_net: "total_net",
  amount_tax: "total_vat",
  amount_vat: "total_vat",
  vat_amount: "total_vat",
  tax_amount: "total_vat",
  issuer: "seller_name",
  partner_name: "seller_name",
  supplier_name: "seller_name",
  vat: "seller_tax_id",
  vatin: "seller_tax_id",
  vat_id: "seller_tax_id",
  vat_number: "seller_tax_id",
  partner_vat: "seller_tax_id",
  seller_vat: "seller_tax_id",
  issuer_vat: "seller_tax_id",
  supplier_vat: "seller_tax_id",
  nip: "seller_tax_id",
  partner_address: "seller_address",
  company_vat: "buyer_tax_id",
  buyer_vat: "buyer_tax_id",
  customer_vat: "buyer_tax_id",
  buyer: "buyer_name",
  customer_name: "buyer_name",
  company_name: "buyer_name",
  customer_address: "buyer_address",
  company_address: "buyer_address",
  nrb: "iban",
  bank_account: "iban",
  account_number: "iban",
  payment_mode: "payment_method",
  payment_means: "payment_method",
};

/** The Docket field a template field fills, or null (then it is kept as an extra). */
export function docketFieldFor(name: string): FieldName | null {
  if (isFieldName(name)) return name;
  return ALIASES[name] ?? null;
}

/** `currency_symbol` fills `currency` when no field gives the code. */
export const CURRENCY_SYMBOL_FIELD = "currency_symbol";

/** The seller's address parts, joined into `seller_address` when no field gives it whole. */
export const SELLER_ADDRESS_PARTS = [
  "partner_street",
  "partner_street2",
  "partner_street3",
  "partner_zip",
  "partner_city",
] as const;

/** Lines fields whose rows become Docket's line items. */
export const LINE_ITEM_FIELDS = new Set(["lines", "line_items", "items"]);
/** Lines fields whose rows become Docket's VAT breakdown. */
export const VAT_BREAKDOWN_FIELDS = new Set(["tax_lines", "vat_lines", "vat_breakdown", "vat_summary"]);

type LineColumn = "description" | "quantity" | "unit" | "unit_price" | "net" | "vat_rate" | "vat" | "gross";

/** invoice2data's line columns (and common spellings) as Docket's line-item columns. */
const LINE_COLUMNS: Record<string, LineColumn> = {
  name: "description",
  description: "description",
  desc: "description",
  product: "description",
  item: "description",
  qty: "quantity",
  quantity: "quantity",
  uom: "unit",
  unit: "unit",
  price_unit: "unit_price",
  unit_price: "unit_price",
  unitprice: "unit_price",
  price: "unit_price",
  price_subtotal: "net",
  net: "net",
  subtotal: "net",
  line_tax_percent: "vat_rate",
  tax_percent: "vat_rate",
  vat_rate: "vat_rate",
  vat_perc: "vat_rate",
  rate: "vat_rate",
  line_tax_amount: "vat",
  vat: "vat",
  tax: "vat",
  vat_amount: "vat",
  price_total: "gross",
  gross: "gross",
  total: "gross",
};

/** The Docket line-item column for an invoice2data line column, or null. */
export function lineColumnFor(name: string): LineColumn | null {
  return LINE_COLUMNS[name] ?? null;
}
