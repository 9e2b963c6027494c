/**
 * The item table: a header row (or two: "Cena" / "netto") whose cells name the columns, then
 * rows whose words fall into those columns, until a sum row, a VAT summary or a wide gap.
 * A row without amounts continues the previous item's description (descriptions wrap).
 */
import type { BBox } from "../../domain/document-model.js";
import { boxOf, wordId, type LayoutWord, type Row } from "../layout/index.js";
import { parseAmount } from "../normalize/amount.js";
import { foldText, normalizeText } from "../normalize/text.js";
import type { LineItem } from "../types.js";
import type { RuleContext } from "./context.js";

type Role = "index" | "description" | "quantity" | "unit" | "unit_price" | "net" | "vat_rate" | "vat" | "gross";

/** Header words per role, folded, most specific first: "cena netto" is a price before "netto" is a net amount. */
const ROLE_CUES: ReadonlyArray<[Role, RegExp]> = [
  ["index", /^(?:lp|l\.p|no|nr|pos|#)\.?$/],
  [
    "vat",
    /\b(?:kwota vat|kwota podatku|vat amount|tax amount|mwst-?betrag|ust-?betrag|montant tva|btw bedrag|gst amount)\b/,
  ],
  ["unit_price", /\b(?:cena|price|preis|prix|prijs|u\/p|unit cost)\b/],
  ["net", /\b(?:wartosc netto|net amount|netto|nettobetrag|net|total ht|montant ht|amount excl|excl)\b/],
  ["gross", /\b(?:brutto|gross|bruttobetrag|ttc|incl|total|amount|betrag|montant|wartosc|kwota|bedrag|razem)\b/],
  ["vat_rate", /\b(?:stawka|vat|%|rate|satz|taux|btw|ust|mwst|tax|gst)\b/],
  ["quantity", /\b(?:ilosc|ilosc jm|qty|quantity|menge|anzahl|quantite|qte|aantal|ilo)\b/],
  ["unit", /\b(?:j\.?\s?m|jedn|unit|einheit|unite|eh|uom)\b\.?/],
  [
    "description",
    /\b(?:nazwa|opis|towar|usług|uslug|description|item|beschreibung|bezeichnung|artikel|designation|libelle|omschrijving|produkt|product|leistung|service)\w*/,
  ],
];

interface Column {
  role: Role | null;
  x0: number;
  x1: number;
  text: string;
}

export function extractLineItems(ctx: RuleContext): LineItem[] {
  const header = findHeader(ctx);
  if (!header) return [];
  const { columns, last } = header;
  if (
    !columns.some((c) => c.role === "description") ||
    !columns.some((c) => c.role === "net" || c.role === "gross" || c.role === "unit_price")
  )
    return [];
  const page = ctx.layout.pages.find((p) => p.number === last.page)!;
  const items: Array<{ cells: Map<Role, LayoutWord[]>; boxes: BBox[]; page: number }> = [];
  let bottom = last.bbox.y1;
  for (const row of page.rows.slice(page.rows.indexOf(last) + 1)) {
    if (row.bbox.y0 - bottom > 3.5 * ctx.layout.lineHeight) break;
    if (endsTable(ctx, row)) break;
    const cells = assign(columns, row);
    const numeric = [...cells.entries()].some(
      ([role, words]) =>
        role !== "description" && role !== "unit" && role !== "index" && words.some((w) => /\d/.test(w.text)),
    );
    const description = cells.get("description") ?? [];
    if (!numeric) {
      // A wrapped description line continues the item above.
      const previous = items[items.length - 1];
      if (previous && description.length > 0) {
        previous.cells.set("description", [...(previous.cells.get("description") ?? []), ...description]);
        previous.boxes.push(row.bbox);
        bottom = row.bbox.y1;
        continue;
      }
      if (items.length > 0) break;
      continue;
    }
    items.push({ cells, boxes: [row.bbox], page: row.page });
    bottom = row.bbox.y1;
  }
  return items
    .map(({ cells, boxes, page: number }) => toItem(cells, boxes, number))
    .filter((i): i is LineItem => i !== null);
}

function findHeader(ctx: RuleContext): { columns: Column[]; last: Row } | null {
  const byRow = new Map<number, number>();
  for (const hit of ctx.labels.hits)
    if (hit.kind === "item_header") byRow.set(hit.row.index, (byRow.get(hit.row.index) ?? 0) + 1);
  for (const row of ctx.layout.rows) {
    if ((byRow.get(row.index) ?? 0) < 2) continue;
    let columns = cellsOf(ctx, row);
    let last = row;
    // A header over two lines: cells under cells add their words ("Wartość" / "netto").
    const next = ctx.layout.rows[row.index + 1];
    if (
      next &&
      next.page === row.page &&
      next.bbox.y0 - row.bbox.y1 < ctx.layout.lineHeight &&
      !/\d[.,]\d/.test(next.segments.map((s) => s.text).join(" "))
    ) {
      columns = mergeHeader(columns, cellsOf(ctx, next));
      last = next;
    }
    for (const c of columns) c.role = roleOf(c.text);
    return { columns, last };
  }
  return null;
}

/**
 * Header cells: each label found in the header is a cell ("Cena netto", "Wartość netto",
 * "VAT"); other words join the cell they touch, or make their own.
 */
function cellsOf(ctx: RuleContext, row: Row): Column[] {
  const cells: Column[] = [];
  row.segments.forEach((seg, s) => {
    const hits = ctx.labels.hits.filter((h) => h.row === row && h.segment === s);
    let cell: Column | null = null;
    let cellHit: (typeof hits)[number] | undefined;
    seg.words.forEach((w, i) => {
      const hit = hits.find((h) => i >= h.start && i < h.end);
      const near = cell !== null && w.bbox.x0 - cell.x1 < 0.5 * ctx.layout.lineHeight;
      if (
        cell &&
        ((hit && hit === cellHit) || (!hit && near) || (hit && !cellHit && near && i === hit.start && false))
      ) {
        cell.x1 = w.bbox.x1;
        cell.text += ` ${w.text}`;
        return;
      }
      cell = { role: null, x0: w.bbox.x0, x1: w.bbox.x1, text: w.text };
      cellHit = hit;
      cells.push(cell);
    });
  });
  return cells.sort((a, b) => a.x0 - b.x0);
}

function mergeHeader(top: Column[], bottom: Column[]): Column[] {
  const out = top.map((c) => ({ ...c }));
  for (const b of bottom) {
    const over = out.find((c) => Math.min(c.x1, b.x1) - Math.max(c.x0, b.x0) > 0);
    if (over) {
      over.text += ` ${b.text}`;
      over.x0 = Math.min(over.x0, b.x0);
      over.x1 = Math.max(over.x1, b.x1);
    } else out.push({ ...b });
  }
  return out.sort((a, b) => a.x0 - b.x0);
}

function roleOf(text: string): Role | null {
  const folded = foldText(text).replace(/\s+/g, " ").trim();
  for (const [role, cue] of ROLE_CUES) if (cue.test(folded)) return role;
  return null;
}

/** Each word goes to the column whose span, widened to the midpoints between columns, holds its centre. */
function assign(columns: Column[], row: Row): Map<Role, LayoutWord[]> {
  const cells = new Map<Role, LayoutWord[]>();
  for (const word of row.segments.flatMap((s) => s.words)) {
    const cx = (word.bbox.x0 + word.bbox.x1) / 2;
    let best = 0;
    for (let i = 1; i < columns.length; i++) {
      // Descriptions are left-aligned and run long: their column ends where the next header starts.
      const previous = columns[i - 1]!;
      const boundary = previous.role === "description" ? columns[i]!.x0 - 2 : (previous.x1 + columns[i]!.x0) / 2;
      if (cx >= boundary) best = i;
    }
    const role = columns[best]!.role;
    if (!role) continue;
    cells.set(role, [...(cells.get(role) ?? []), word]);
  }
  return cells;
}

function endsTable(ctx: RuleContext, row: Row): boolean {
  const first = row.segments[0];
  if (!first) return false;
  for (let s = 0; s < row.segments.length; s++) {
    const kinds = ctx.labels.kindsOf.get(wordId(row, s, 0));
    if (
      kinds &&
      [...kinds].some(
        (k) =>
          k === "sum_row" ||
          k === "vat_rate" ||
          k === "total_gross" ||
          k === "total_net" ||
          k === "receipt_total" ||
          k === "payment_method" ||
          k === "due_date",
      )
    )
      return true;
  }
  return false;
}

const text = (words: LayoutWord[] | undefined) => (words ?? []).map((w) => w.text).join(" ");

function toItem(cells: Map<Role, LayoutWord[]>, boxes: BBox[], page: number): LineItem | null {
  // An index column merged into the description's ("Lp. Nazwa" over "1 Mąka"): the number is not the name.
  const description = normalizeText(text(cells.get("description")).replace(/^\d{1,3}\.?\s+(?=\p{L})/u, ""));
  if (!/\p{L}{2}/u.test(description)) return null;
  let quantityText = text(cells.get("quantity"));
  let unit = text(cells.get("unit")) || null;
  // "13,5 godz." in one cell: the number and its unit.
  const split = /^([\d\s.,]+)\s+(\p{L}[\p{L}.]*)$/u.exec(quantityText);
  if (split) {
    quantityText = split[1]!;
    unit = unit ?? split[2]!;
  }
  const amount = (role: Role) => {
    const raw = text(cells.get(role))
      .replace(/[^\d\s.,\-−]/g, " ")
      .trim();
    return raw === "" ? null : parseAmount(raw);
  };
  const rateText = foldText(text(cells.get("vat_rate")));
  const rate =
    /(\d{1,2}(?:[.,]\d+)?)\s?%?/.exec(rateText)?.[1]?.replace(",", ".") ?? /\b(zw|np|oo)\b/.exec(rateText)?.[1] ?? null;
  const box = boxOf(boxes);
  return {
    description,
    quantity: quantityText.trim() === "" ? null : trimZeros(parseAmount(quantityText.trim())),
    unit: unit ? normalizeText(unit) : null,
    unit_price: amount("unit_price"),
    net: amount("net"),
    vat_rate: rate,
    vat: amount("vat"),
    gross: amount("gross"),
    source: {
      page,
      bbox: [box.x0, box.y0, box.x1, box.y1].map((n) => Math.round(n * 10) / 10) as [number, number, number, number],
    },
  };
}

function trimZeros(value: string | null): string | null {
  if (value === null || !value.includes(".")) return value;
  return value.replace(/0+$/, "").replace(/\.$/, "");
}
