import type { CheckResult, FieldName, FieldsJson } from "../api/types";

/** The form's groups, in the order Tab walks through them. */
export const FIELD_GROUPS: readonly {
  key: "document" | "amounts" | "seller" | "buyer";
  fields: readonly FieldName[];
}[] = [
  { key: "document", fields: ["document_number", "issue_date", "sale_date", "due_date", "currency", "payment_method"] },
  { key: "amounts", fields: ["total_net", "total_vat", "total_gross"] },
  { key: "seller", fields: ["seller_name", "seller_tax_id", "seller_address"] },
  { key: "buyer", fields: ["buyer_name", "buyer_tax_id", "buyer_address", "iban"] },
];

export const FORM_ORDER: readonly FieldName[] = FIELD_GROUPS.flatMap((g) => g.fields);

/** Hints for the on-screen keyboard and the browser (nothing is validated here: the server normalises). */
export const INPUT_MODE: Partial<Record<FieldName, "decimal" | "numeric">> = {
  total_net: "decimal",
  total_vat: "decimal",
  total_gross: "decimal",
};

/** The checks that judged a field. */
export function checksOf(fields: FieldsJson | undefined, name: FieldName): CheckResult[] {
  return fields?.checks.filter((c) => c.fields.includes(name)) ?? [];
}

/** A field is failing when any check that names it failed: it is never shown as fine. */
export function isFailing(fields: FieldsJson | undefined, name: FieldName): boolean {
  return checksOf(fields, name).some((c) => !c.ok);
}
