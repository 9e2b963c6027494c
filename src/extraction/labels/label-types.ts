/** The vocabulary of label data: languages, what a label introduces, and a group of phrases. */

export type LabelLanguage = "pl" | "en" | "de" | "fr" | "nl";

/** What a label introduces: a field's value, a party's block, or a cue the rules use otherwise. */
export type LabelKind =
  | "document_number"
  | "issue_date"
  | "sale_date"
  | "due_date"
  | "currency"
  | "total_net"
  | "total_vat"
  | "total_gross"
  | "tax_id"
  | "seller_tax_id"
  | "buyer_tax_id"
  | "iban"
  | "payment_method"
  | "seller"
  | "buyer"
  | "name"
  | "address"
  | "contact"
  | "bank_name"
  | "receipt_total"
  | "tendered"
  | "vat_rate"
  | "sum_row"
  | "item_header";

export interface LabelGroup {
  kind: LabelKind;
  weight: number;
  phrases: Partial<Record<LabelLanguage, readonly string[]>>;
}
