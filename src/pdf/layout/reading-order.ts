import type { BBox } from "../../domain/document-model.js";

/**
 * Reading order by recursive XY-cut: split the set of blocks at a horizontal whitespace band
 * that crosses the whole region (top part first), or at a vertical band (left part first),
 * and recurse. This reads a full-width title, then each column of a two-column page top to
 * bottom, then a full-width footer.
 *
 * When both cuts exist, the vertical one wins if both sides are tall (real columns whose
 * paragraph breaks happen to line up); otherwise the horizontal one wins, which keeps a row
 * of side-by-side short blocks (a letterhead, label and value) in row order. Blocks that
 * cannot be separated are read top to bottom, left to right.
 */

/** A column side must span this share of the region's height to be read as a column. */
const COLUMN_MIN_HEIGHT_SHARE = 0.6;

interface Cut {
  groups: number[][];
}

function cutAlong(boxes: readonly BBox[], indices: number[], axis: "x" | "y"): Cut | null {
  const lo = axis === "y" ? "y0" : "x0";
  const hi = axis === "y" ? "y1" : "x1";
  const sorted = [...indices].sort((a, b) => (boxes[a]?.[lo] ?? 0) - (boxes[b]?.[lo] ?? 0));
  const groups: number[][] = [];
  let current: number[] = [];
  let reach = -Infinity;
  for (const i of sorted) {
    const box = boxes[i];
    if (!box) continue;
    // Touching or slightly overlapping (≤ 1 px) still counts as separated: text layers are
    // often set with lines exactly abutting.
    if (current.length > 0 && box[lo] >= reach - 1) {
      groups.push(current);
      current = [];
    }
    current.push(i);
    reach = Math.max(reach, box[hi]);
  }
  if (current.length > 0) groups.push(current);
  return groups.length > 1 ? { groups } : null;
}

function span(boxes: readonly BBox[], indices: number[], axis: "x" | "y"): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of indices) {
    const b = boxes[i];
    if (!b) continue;
    lo = Math.min(lo, axis === "y" ? b.y0 : b.x0);
    hi = Math.max(hi, axis === "y" ? b.y1 : b.x1);
  }
  return hi > lo ? hi - lo : 0;
}

function order(boxes: readonly BBox[], indices: number[], out: number[]): void {
  if (indices.length <= 1) {
    out.push(...indices);
    return;
  }
  const horizontal = cutAlong(boxes, indices, "y");
  const vertical = cutAlong(boxes, indices, "x");
  let chosen: Cut | null = horizontal ?? vertical;
  if (horizontal && vertical) {
    const regionHeight = span(boxes, indices, "y");
    const tallColumns = vertical.groups.every((g) => span(boxes, g, "y") >= COLUMN_MIN_HEIGHT_SHARE * regionHeight);
    chosen = tallColumns ? vertical : horizontal;
  }
  if (!chosen) {
    const sorted = [...indices].sort(
      (a, b) => (boxes[a]?.y0 ?? 0) - (boxes[b]?.y0 ?? 0) || (boxes[a]?.x0 ?? 0) - (boxes[b]?.x0 ?? 0),
    );
    out.push(...sorted);
    return;
  }
  for (const group of chosen.groups) order(boxes, group, out);
}

/** Return `items` in reading order (by their page-space `bbox`). */
export function orderBlocks<T extends { bbox: BBox }>(items: readonly T[]): T[] {
  const boxes = items.map((i) => i.bbox);
  const out: number[] = [];
  order(
    boxes,
    items.map((_, i) => i),
    out,
  );
  return out.map((i) => items[i]).filter((x): x is T => x !== undefined);
}
