/**
 * Where a label's value is: to its RIGHT on the same row, else BELOW it in the same column,
 * else ABOVE it (forms that print the caption under the box). Each region comes with how far
 * it is, in line heights, so the rules can prefer the nearest plausible value.
 */
import { unionBBox, type BBox } from "../../domain/document-model.js";
import type { LabelKind } from "../labels.js";
import type { Layout, LayoutWord, Row } from "./build.js";
import { wordId, type LabelHit } from "./label-matcher.js";

/** Labels that are also ordinary values ("gotówka", "karta", "cash"): they never end a value. */
const PASSIVE_KINDS: ReadonlySet<LabelKind> = new Set(["tendered"]);

export type Direction = "right" | "below" | "above";

export interface ValueRegion {
  words: LayoutWord[];
  row: Row;
  direction: Direction;
  /** Gap between label and value in line heights. */
  distance: number;
}

export interface LabelIndex {
  hits: readonly LabelHit[];
  /** word id → the kinds of the labels it belongs to. */
  kindsOf: Map<string, Set<LabelKind>>;
}

export function indexLabels(hits: readonly LabelHit[]): LabelIndex {
  const kindsOf = new Map<string, Set<LabelKind>>();
  for (const h of hits) {
    for (let i = h.start; i < h.end; i++) {
      const id = wordId(h.row, h.segment, i);
      const set = kindsOf.get(id) ?? new Set<LabelKind>();
      set.add(h.kind);
      kindsOf.set(id, set);
    }
  }
  return { hits, kindsOf };
}

/** Words that are some other kind's label end a value; a repeat of the same kind ("Data / Date") is skipped. */
function isStop(
  index: LabelIndex,
  row: Row,
  seg: number,
  word: number,
  kinds: ReadonlySet<LabelKind>,
): "stop" | "skip" | "value" {
  const k = index.kindsOf.get(wordId(row, seg, word));
  if (!k || [...k].every((kind) => PASSIVE_KINDS.has(kind))) return "value";
  for (const kind of k) if (kinds.has(kind)) return "skip";
  return "stop";
}

/** The value regions of one label hit, nearest first within each direction. */
export function valueRegions(
  hit: LabelHit,
  layout: Layout,
  index: LabelIndex,
  sameKinds: ReadonlySet<LabelKind>,
): ValueRegion[] {
  const out: ValueRegion[] = [];
  const h = layout.lineHeight;
  const row = hit.row;
  const labelSeg = row.segments[hit.segment]!;
  const labelBox = boxOf(labelSeg.words.slice(hit.start, hit.end).map((w) => w.bbox));

  // Right: the rest of the label's segment, then the next segments of the row.
  let stopped = false;
  let words: LayoutWord[] = [];
  for (let s = hit.segment; s < row.segments.length && !stopped; s++) {
    const seg = row.segments[s]!;
    const from = s === hit.segment ? hit.end : 0;
    for (let w = from; w < seg.words.length; w++) {
      const kind = isStop(index, row, s, w, sameKinds);
      if (kind === "stop") {
        stopped = true;
        break;
      }
      if (kind === "value") words.push(seg.words[w]!);
    }
    if (words.length > 0) {
      out.push({ words, row, direction: "right", distance: Math.max(0, words[0]!.bbox.x0 - labelBox.x1) / h });
      words = [];
    }
  }

  // Below and above: the nearest rows of the same page whose segments share the label's column.
  const pageRows = layout.pages.find((p) => p.number === row.page)?.rows ?? [];
  const at = pageRows.indexOf(row);
  const below = columnRegion(pageRows.slice(at + 1, at + 4), labelBox, labelSeg.bbox, index, sameKinds, h, "below");
  if (below) out.push(below);
  const above = columnRegion(
    pageRows.slice(Math.max(0, at - 2), at).reverse(),
    labelBox,
    labelSeg.bbox,
    index,
    sameKinds,
    h,
    "above",
  );
  if (above) out.push(above);
  return out;
}

function columnRegion(
  rows: Row[],
  labelBox: BBox,
  segBox: BBox,
  index: LabelIndex,
  kinds: ReadonlySet<LabelKind>,
  h: number,
  direction: Direction,
): ValueRegion | null {
  for (const row of rows) {
    const distance = direction === "below" ? (row.bbox.y0 - labelBox.y1) / h : (labelBox.y0 - row.bbox.y1) / h;
    if (distance > (direction === "below" ? 3 : 2)) return null;
    // Segments under the label's own words first; the label's whole segment only when none is.
    const order = row.segments
      .map((seg, s) => ({ seg, s, direct: overlap(seg.bbox, labelBox) > 0 }))
      .filter((o) => o.direct || overlapsColumn(o.seg.bbox, labelBox, segBox));
    order.sort((a, b) => Number(b.direct) - Number(a.direct));
    for (const { seg, s } of order) {
      const words: LayoutWord[] = [];
      let labelled = false;
      for (let w = 0; w < seg.words.length; w++) {
        const kind = isStop(index, row, s, w, kinds);
        if (kind === "stop") {
          labelled = true;
          break;
        }
        if (kind === "value") words.push(seg.words[w]!);
      }
      // A row that starts with another label is that label's line, not this one's value.
      if (words.length === 0 && labelled) return null;
      if (words.length === 0) continue;
      // A value with another label right on its far side belongs to that label (forms print captions under boxes).
      if (ownedByOther(rows, row, seg.bbox, index, kinds, Math.max(0, distance) * h, direction)) return null;
      return { words, row, direction, distance: Math.max(0, distance) };
    }
  }
  return null;
}

function ownedByOther(
  rows: Row[],
  valueRow: Row,
  valueBox: BBox,
  index: LabelIndex,
  kinds: ReadonlySet<LabelKind>,
  gap: number,
  direction: Direction,
): boolean {
  const at = rows.indexOf(valueRow);
  const beyond = rows[at + 1];
  if (!beyond) return false;
  const distance = direction === "below" ? beyond.bbox.y0 - valueRow.bbox.y1 : valueRow.bbox.y0 - beyond.bbox.y1;
  if (distance >= gap) return false;
  return beyond.segments.some((seg, s) => {
    if (Math.min(seg.bbox.x1, valueBox.x1) - Math.max(seg.bbox.x0, valueBox.x0) <= 0) return false;
    const k = index.kindsOf.get(wordId(beyond, s, 0));
    return k !== undefined && ![...k].some((kind) => kinds.has(kind) || PASSIVE_KINDS.has(kind));
  });
}

/** A segment is in the label's column when it overlaps the label horizontally, or the label's whole segment. */
const overlap = (a: BBox, b: BBox) => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);

function overlapsColumn(seg: BBox, label: BBox, labelSeg: BBox): boolean {
  return overlap(seg, label) > 0 || overlap(seg, labelSeg) > 0.5 * Math.min(seg.x1 - seg.x0, labelSeg.x1 - labelSeg.x0);
}

/** The box around a value's words (the model's own union). */
export const boxOf = unionBBox;
