/**
 * What every rule of one document shares: the layout, the labels found in it, and turning a
 * value read from words into a field with its confidence and source box.
 */
import type { DocumentModel } from "../../domain/document-model.js";
import type { LabelKind } from "../labels.js";
import {
  boxOf,
  buildLayout,
  compileLabels,
  findLabels,
  indexLabels,
  valueRegions,
  type Direction,
  type LabelHit,
  type LabelIndex,
  type Layout,
  type LayoutWord,
  type Row,
} from "../layout/index.js";
import type { Field } from "../types.js";
import type { ParsedValue } from "./values.js";

export interface RuleContext {
  layout: Layout;
  labels: LabelIndex;
}

/** A value found for a field, with how sure the rule is and where it was. */
export interface Candidate extends ParsedValue {
  confidence: number;
  page: number;
  hit: LabelHit | null;
}

const COMPILED = compileLabels();

export function buildContext(model: DocumentModel): RuleContext {
  const layout = buildLayout(model);
  return { layout, labels: indexLabels(findLabels(layout, COMPILED)) };
}

const DIRECTION_FACTOR: Record<Direction, number> = { right: 1, below: 0.9, above: 0.72 };

/** OCR's own doubt about the words: text-layer words (100) cost nothing. */
export function ocrFactor(words: readonly LayoutWord[]): number {
  if (words.length === 0) return 1;
  const mean = words.reduce((s, w) => s + w.confidence, 0) / words.length;
  return 0.55 + (0.45 * Math.min(100, Math.max(0, mean))) / 100;
}

/** Labels announcing a table's columns ("Wartość netto | Kwota VAT | Wartość brutto") name a column, not a total. */
function headerPenalty(ctx: RuleContext, hit: LabelHit): number {
  // Headers run over two lines ("Wartość" / "netto"): the rows around count too.
  const near = (i: number) => Math.abs(i - hit.row.index) <= 1;
  const kinds = new Set(
    ctx.labels.hits.filter((h) => near(h.row.index) && h.row.page === hit.row.page).map((h) => h.kind),
  );
  const tableish = kinds.has("item_header") || kinds.has("vat_rate");
  return kinds.size >= 3 && tableish ? 0.6 : 1;
}

export interface LabelSearch {
  kinds: readonly LabelKind[];
  read: (words: readonly LayoutWord[]) => ParsedValue | null;
  directions?: readonly Direction[];
  /** A factor per kind for kinds that only sometimes mean this field. */
  kindWeight?: Partial<Record<LabelKind, number>>;
  /** Which hits count (e.g. only those outside the buyer's block). */
  accept?: (hit: LabelHit) => boolean;
}

/** Every candidate the labels of the given kinds lead to, best first. */
export function candidatesFromLabels(ctx: RuleContext, search: LabelSearch): Candidate[] {
  const kinds = new Set<LabelKind>(search.kinds);
  const out: Candidate[] = [];
  for (const hit of ctx.labels.hits) {
    if (!kinds.has(hit.kind) || (search.accept && !search.accept(hit))) continue;
    const penalty = headerPenalty(ctx, hit) * (search.kindWeight?.[hit.kind] ?? 1);
    for (const region of valueRegions(hit, ctx.layout, ctx.labels, kinds)) {
      if (search.directions && !search.directions.includes(region.direction)) continue;
      const parsed = search.read(region.words);
      if (!parsed) continue;
      const far = region.direction === "right" ? (region.distance > 25 ? 0.9 : 1) : region.distance > 1.6 ? 0.85 : 1;
      const confidence =
        0.95 *
        hit.strength *
        DIRECTION_FACTOR[region.direction] *
        far *
        parsed.quality *
        ocrFactor(parsed.words) *
        penalty;
      out.push({ ...parsed, confidence, page: region.row.page, hit });
    }
  }
  return out.sort((a, b) => b.confidence - a.confidence || rowIndexOf(a) - rowIndexOf(b));
}

function rowIndexOf(c: Candidate): number {
  return c.hit?.row.index ?? 0;
}

export function toField(c: Candidate): Field {
  const box = boxOf(c.words.map((w) => w.bbox));
  return {
    value: c.value,
    raw: c.raw,
    confidence: Math.round(Math.min(1, Math.max(0, c.confidence)) * 1000) / 1000,
    source:
      c.words.length > 0
        ? { page: c.page, bbox: [round1(box.x0), round1(box.y0), round1(box.x1), round1(box.y1)] }
        : null,
    origin: "rule",
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** A candidate read straight from a row's words, without a label (fallbacks). */
export function unlabelled(parsed: ParsedValue, row: Row, confidence: number): Candidate {
  return { ...parsed, confidence: confidence * parsed.quality * ocrFactor(parsed.words), page: row.page, hit: null };
}
