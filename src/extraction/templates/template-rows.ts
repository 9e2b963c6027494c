/**
 * Rows of a template's `lines` parsers as Docket's line items and VAT breakdown, and as the
 * typed rows invoice2data would output (kept in the extras).
 */
import { collapseWhitespace, parseAmount, type NormalizeHints } from "../normalize/index.js";
import type { FieldSource, LineItem, VatBreakdownRow } from "../types.js";
import { lineColumnFor } from "./field-mapping.js";
import type { LineRow } from "./template-parsers.js";
import type { ValueType } from "./template-schema.js";
import { normalizeRate, typedValue } from "./template-values.js";

/** A parsed row with the source of the lines it came from. */
export interface PlacedRow {
  row: LineRow;
  types: Record<string, ValueType>;
  source: FieldSource | null;
}

type Columns = Partial<Record<NonNullable<ReturnType<typeof lineColumnFor>>, string>>;

function columnsOf(row: LineRow): Columns {
  const out: Columns = {};
  for (const [name, value] of Object.entries(row.values)) {
    const column = lineColumnFor(name);
    // The first spelling wins: `name` and `description` in one row are one column.
    if (column && value.trim() !== "" && out[column] === undefined) out[column] = value;
  }
  return out;
}

const amount = (text: string | undefined, hints: NormalizeHints) =>
  text === undefined ? null : parseAmount(text, hints);

/** Quantities are counts more often than amounts: "10", "2.5", not "10.00". */
function trimZeros(value: string | null): string | null {
  return value === null || !value.includes(".") ? value : value.replace(/0+$/, "").replace(/\.$/, "");
}

export function toLineItems(rows: readonly PlacedRow[], hints: NormalizeHints): LineItem[] {
  const items: LineItem[] = [];
  for (const { row, source } of rows) {
    const c = columnsOf(row);
    const item: LineItem = {
      description: collapseWhitespace(c.description ?? ""),
      quantity: trimZeros(amount(c.quantity, hints)),
      unit: c.unit ? collapseWhitespace(c.unit) : null,
      unit_price: amount(c.unit_price, hints),
      net: amount(c.net, hints),
      vat_rate: c.vat_rate === undefined ? null : normalizeRate(c.vat_rate),
      vat: amount(c.vat, hints),
      gross: amount(c.gross, hints),
      source,
    };
    // A row that names nothing and prices nothing is a heading the line regex caught.
    if (item.description === "" && item.net === null && item.gross === null && item.unit_price === null) continue;
    items.push(item);
  }
  return items;
}

export function toVatBreakdown(rows: readonly PlacedRow[], hints: NormalizeHints): VatBreakdownRow[] {
  const out: VatBreakdownRow[] = [];
  for (const { row } of rows) {
    const c = columnsOf(row);
    const rate = c.vat_rate === undefined ? null : normalizeRate(c.vat_rate);
    const entry: VatBreakdownRow = {
      rate: rate ?? "",
      net: amount(c.net, hints),
      vat: amount(c.vat, hints),
      gross: amount(c.gross, hints),
    };
    if (rate === null && entry.net === null && entry.vat === null && entry.gross === null) continue;
    out.push(entry);
  }
  return out;
}

/** The rows as invoice2data outputs them: columns typed by the rule's `types`. */
export function typedRows(
  rows: readonly PlacedRow[],
  hints: NormalizeHints,
): Array<Record<string, string | number | null>> {
  return rows.map(({ row, types }) => {
    const out: Record<string, string | number | null> = {};
    for (const [name, value] of Object.entries(row.values)) out[name] = typedValue(value, types[name] ?? null, hints);
    return out;
  });
}
