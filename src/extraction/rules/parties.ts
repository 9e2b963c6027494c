/**
 * The parties: the blocks under "Sprzedawca / Seller / Verkäufer / Vendeur" and "Nabywca /
 * Buyer / Käufer / Client" headings — often two columns side by side — read as name, address
 * and tax id. Inside a block, "Nazwa:", "Adres:", "NIP:" rows say what they hold; unlabelled
 * rows are the name first, then the address until a contact, bank or id line.
 */
import type { LabelKind } from "../labels.js";
import type { BBox } from "../../domain/document-model.js";
import { wordId, type LabelHit, type LayoutWord, type Row } from "../layout/index.js";
import { ocrFactor, type Candidate, type RuleContext } from "./context.js";
import { readTaxId, readText, type ParsedValue } from "./values.js";

export interface PartyBlock {
  role: "seller" | "buyer";
  heading: LabelHit;
  /** The block's rows, each cut to the block's column. */
  rows: Array<{ row: Row; words: LayoutWord[] }>;
  x0: number;
  x1: number;
}

export interface PartyFields {
  name: Candidate | null;
  address: Candidate | null;
  taxId: Candidate | null;
}

const STOP_KINDS: ReadonlySet<LabelKind> = new Set([
  "contact",
  "bank_name",
  "iban",
  "item_header",
  "payment_method",
  "due_date",
  "issue_date",
  "sale_date",
  "document_number",
  "total_gross",
  "currency",
]);
const COUNTRY_LINE =
  /^(?:polska|poland|polen|pologne|niemcy|germany|deutschland|allemagne|france|francja|frankreich|nederland|netherlands|holandia|czechy|czech republic|austria|österreich|united kingdom|uk|malaysia|hong kong|usa|united states)(?:\s*\/\s*\p{L}+)?$/iu;
/** A street or a postcode marks the start of an address. */
const ADDRESS_START = /\d|^(?:ul|al|os|pl|str|rue|av|avenue|bd|boulevard|chemin|jalan|lot|no)\b\.?/i;

/** OCR reads the "o.o." of "sp. z o.o." as zeros; no name has "z 0.0.". */
function fixLegalForm(text: string): string {
  return text.replace(/\b([zZ])\s?[0oO]\.\s?[0oO]\.(?=\s|,|$)/g, "$1 o.o.");
}

/** The party blocks of the document: one per seller or buyer heading. */
export function findPartyBlocks(ctx: RuleContext): PartyBlock[] {
  // A heading opens its line ("Sprzedawca:", "Bill To:"); "debris from case" is no seller.
  const headings = ctx.labels.hits.filter((h) => (h.kind === "seller" || h.kind === "buyer") && h.start === 0);
  const blocks: PartyBlock[] = [];
  for (const heading of headings) {
    // A heading followed on its row by a value of its own (e.g. "Client: 123") in a table of terms is still a block.
    const page = ctx.layout.pages.find((p) => p.number === heading.row.page);
    if (!page) continue;
    const segBox = heading.row.segments[heading.segment]!.bbox;
    const labelX0 = heading.row.segments[heading.segment]!.words[heading.start]!.bbox.x0;
    const h = ctx.layout.lineHeight;
    // The block's column ends where a heading of the other party starts on the same row.
    const neighbour = headings.find(
      (o) => o !== heading && o.row === heading.row && o.row.segments[o.segment]!.bbox.x0 > segBox.x1,
    );
    const x0 = labelX0 - h;
    const x1 = neighbour
      ? neighbour.row.segments[neighbour.segment]!.words[neighbour.start]!.bbox.x0 - h / 2
      : page.width;
    const rows: PartyBlock["rows"] = [];
    const inColumn = (row: Row) =>
      row.segments.flatMap((s) => s.words).filter((w) => w.bbox.x0 >= x0 && w.bbox.x0 < x1);
    const at = page.rows.indexOf(heading.row);
    const rest = heading.row.segments[heading.segment]!.words.slice(heading.end).concat(
      heading.row.segments
        .slice(heading.segment + 1)
        .flatMap((s) => s.words)
        .filter((w) => w.bbox.x0 < x1),
    );
    if (rest.length > 0) rows.push({ row: heading.row, words: rest.filter((w) => !/^[:/]$/.test(w.text)) });
    const underCaption = captionColumn(page.rows, at, heading.row.segments[heading.segment]!.bbox, h);
    const belowRow = page.rows.slice(at + 1, at + 3).find((r) => inColumn(r).length > 0);
    const firstBelow = belowRow ? inColumn(belowRow) : undefined;
    // No name under the heading (a number, or another label's line): the heading may caption the block above it.
    const nameless =
      !firstBelow ||
      !belowRow ||
      !/\p{L}{3}/u.test(firstBelow.map((w) => w.text).join(" ")) ||
      startsWithKind(
        ctx,
        belowRow,
        firstBelow,
        new Set([
          "tax_id",
          "seller_tax_id",
          "buyer_tax_id",
          "iban",
          "item_header",
          "total_gross",
          "total_net",
          "total_vat",
        ]),
      );
    if (
      rest.length === 0 &&
      underCaption &&
      (captionUnder(page.rows, at, underCaption, inColumn) || nameless) &&
      rowsAbove(ctx, page.rows, at, underCaption).length > 0
    ) {
      const above = rowsAbove(ctx, page.rows, at, underCaption);
      const xs = above.flatMap((r) => r.words.map((w) => w.bbox));
      blocks.push({
        role: heading.kind === "seller" ? "seller" : "buyer",
        heading,
        rows: above,
        x0: Math.min(...xs.map((b) => b.x0)),
        x1: Math.max(...xs.map((b) => b.x1)) + 1,
      });
      continue;
    }
    let lastBottom = heading.row.bbox.y1;
    for (const row of page.rows.slice(at + 1, at + 12)) {
      const words = inColumn(row);
      if (words.length === 0) {
        if (row.bbox.y0 - lastBottom > 2.5 * h) break;
        continue;
      }
      const top = Math.min(...words.map((w) => w.bbox.y0));
      if (top - lastBottom > 2.2 * h && rows.length > 0) break;
      if (startsWithKind(ctx, row, words, new Set(["seller", "buyer", "item_header", "vat_rate"]))) break;
      rows.push({ row, words });
      lastBottom = Math.max(...words.map((w) => w.bbox.y1));
      if (rows.length >= 9) break;
    }
    blocks.push({ role: heading.kind === "seller" ? "seller" : "buyer", heading, rows, x0, x1 });
  }
  return blocks;
}

/**
 * The column of the block a caption may sit under: the left edge of the nearest segment above
 * that the caption overlaps (captions are centred under boxes; the box's lines are left-aligned).
 */
function captionColumn(rows: Row[], at: number, caption: BBox, h: number): ((row: Row) => LayoutWord[]) | null {
  for (const row of rows.slice(Math.max(0, at - 4), at).reverse()) {
    const anchor = row.segments.find((s) => Math.min(s.bbox.x1, caption.x1) - Math.max(s.bbox.x0, caption.x0) > 0);
    if (!anchor) continue;
    const left = anchor.bbox.x0;
    return (r: Row) => r.segments.filter((s) => Math.abs(s.bbox.x0 - left) <= 1.5 * h).flatMap((s) => s.words);
  }
  return null;
}

/** Whether the heading is a caption under its block: the text above it is much nearer than the text below. */
function captionUnder(
  rows: Row[],
  at: number,
  aboveColumn: (row: Row) => LayoutWord[],
  belowColumn: (row: Row) => LayoutWord[],
): boolean {
  const heading = rows[at]!;
  const above = rows
    .slice(Math.max(0, at - 3), at)
    .reverse()
    .find((r) => aboveColumn(r).length > 0);
  const below = rows.slice(at + 1, at + 4).find((r) => belowColumn(r).length > 0);
  if (!above) return false;
  const gapAbove = heading.bbox.y0 - Math.max(...aboveColumn(above).map((w) => w.bbox.y1));
  const gapBelow = below ? Math.min(...belowColumn(below).map((w) => w.bbox.y0)) - heading.bbox.y1 : Infinity;
  return gapAbove < 0.6 * gapBelow;
}

/** The block's rows read upwards from a caption under it, until a wide gap or a labelled row. */
function rowsAbove(
  ctx: RuleContext,
  rows: Row[],
  at: number,
  inColumn: (row: Row) => LayoutWord[],
): PartyBlock["rows"] {
  const out: PartyBlock["rows"] = [];
  let top = rows[at]!.bbox.y0;
  const h = ctx.layout.lineHeight;
  for (let i = at - 1; i >= 0 && out.length < 8; i--) {
    const words = inColumn(rows[i]!);
    if (words.length === 0) continue;
    if (top - Math.max(...words.map((w) => w.bbox.y1)) > (out.length === 0 ? 3 : 2) * h) break;
    if (
      startsWithKind(
        ctx,
        rows[i]!,
        words,
        new Set([
          "seller",
          "buyer",
          "item_header",
          "document_number",
          "issue_date",
          "sale_date",
          "due_date",
          "payment_method",
        ]),
      )
    )
      break;
    out.unshift({ row: rows[i]!, words });
    top = Math.min(...words.map((w) => w.bbox.y0));
  }
  return out;
}

function labelKindsOf(ctx: RuleContext, row: Row, word: LayoutWord): Set<LabelKind> | undefined {
  for (let s = 0; s < row.segments.length; s++) {
    const i = row.segments[s]!.words.indexOf(word);
    if (i >= 0) return ctx.labels.kindsOf.get(wordId(row, s, i));
  }
  return undefined;
}

function startsWithKind(ctx: RuleContext, row: Row, words: LayoutWord[], kinds: ReadonlySet<LabelKind>): boolean {
  const first = words[0];
  const k = first ? labelKindsOf(ctx, row, first) : undefined;
  return k !== undefined && [...k].some((x) => kinds.has(x));
}

/** The leading label of a block row and the words after it. */
function splitLabel(
  ctx: RuleContext,
  row: Row,
  words: LayoutWord[],
): { kinds: Set<LabelKind> | null; value: LayoutWord[] } {
  let i = 0;
  let kinds: Set<LabelKind> | null = null;
  while (i < words.length) {
    const k = labelKindsOf(ctx, row, words[i]!);
    if (!k) break;
    // "Firma Transportowa …" is a name, "Firma: …" a label: weak words label only with a colon or a gap after them.
    const weak = [...k].every((kind) => kind === "name" || kind === "address" || kind === "contact");
    const next = words[i + 1];
    if (
      weak &&
      !/:$/.test(words[i]!.text) &&
      next &&
      next.bbox.x0 - words[i]!.bbox.x1 < 2 * (words[i]!.bbox.y1 - words[i]!.bbox.y0)
    )
      break;
    kinds = new Set([...(kinds ?? []), ...k]);
    i++;
  }
  return { kinds, value: words.slice(i).filter((w, j) => !(j === 0 && /^[:\-–]$/.test(w.text))) };
}

export function readParty(ctx: RuleContext, block: PartyBlock, joiner = ", "): PartyFields {
  const page = block.heading.row.page;
  const strength = block.heading.strength;
  const make = (parsed: ParsedValue | null, confidence: number): Candidate | null =>
    parsed
      ? {
          ...parsed,
          confidence: confidence * strength * parsed.quality * ocrFactor(parsed.words),
          page,
          hit: block.heading,
        }
      : null;
  let name: Candidate | null = null;
  let taxId: Candidate | null = null;
  const nameWords: LayoutWord[][] = [];
  const addressWords: LayoutWord[][] = [];
  let labelledAddress: LayoutWord[] | null = null;
  let addressClosed = false;
  for (const { row, words } of block.rows) {
    const { kinds, value } = splitLabel(ctx, row, words);
    if (kinds) {
      if (kinds.has("tax_id") && !taxId) taxId = make(readTaxId(value), 0.92);
      else if (kinds.has("name") && !name) {
        const parsed = readText(value);
        name = make(parsed ? { ...parsed, value: fixLegalForm(parsed.value) } : null, 0.92);
      } else if (kinds.has("address") && !labelledAddress) labelledAddress = value;
      if (addressWords.length > 0 || nameWords.length > 0) addressClosed = true;
      if ([...kinds].some((k) => STOP_KINDS.has(k)) && value.length === 0 && nameWords.length > 0) addressClosed = true;
      continue;
    }
    if (value.length === 0) continue;
    const text = value.map((w) => w.text).join(" ");
    if (!taxId) {
      const id = readTaxId(value);
      if (id && id.quality === 1 && id.words.length >= value.length - 1) {
        taxId = make(id, 0.85);
        addressClosed = true;
        continue;
      }
    }
    if (COUNTRY_LINE.test(text.trim()) || addressClosed) continue;
    if (/@|www\.|https?:|\btel\b|\bfax\b/i.test(text)) {
      addressClosed = nameWords.length > 0;
      continue;
    }
    if (nameWords.length === 0 && !name) nameWords.push(value);
    else if (
      addressWords.length === 0 &&
      nameWords.length === 1 &&
      !name &&
      !ADDRESS_START.test(fixLegalForm(text)) &&
      nameWords[0]!.length > 0
    )
      nameWords.push(value);
    else addressWords.push(value);
  }
  if (!name && nameWords.length > 0) {
    const parsed = readText(nameWords.flat());
    name = make(parsed ? { ...parsed, value: fixLegalForm(parsed.value) } : null, 0.88);
  }
  let address: Candidate | null = null;
  if (labelledAddress && labelledAddress.length > 0) address = make(readText(labelledAddress), 0.9);
  else if (addressWords.length > 0) {
    const lines = addressWords.slice(0, 4);
    const parsed = readText(lines.flat());
    if (parsed)
      address = make(
        {
          ...parsed,
          value: lines
            .map((l) =>
              l
                .map((w) => w.text)
                .join(" ")
                .trim(),
            )
            .join(joiner)
            .replace(/,\s*,/g, ","),
          raw: lines.map((l) => l.map((w) => w.text).join(" ")).join("\n"),
        },
        0.8,
      );
  }
  return { name, address, taxId };
}

/** Whether a row and x lie inside a block (to keep the buyer's ids out of the seller's). */
export function insideBlock(block: PartyBlock, row: Row, x: number): boolean {
  return (row === block.heading.row || block.rows.some((r) => r.row === row)) && x >= block.x0 && x < block.x1;
}
