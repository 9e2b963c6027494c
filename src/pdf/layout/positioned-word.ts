import type { BBox, Word } from "../../domain/document-model.js";

/** The four reading directions we lay out; other angles are rounded to the nearest. */
export type Orientation = 0 | 90 | 180 | 270;

/**
 * A word with what layout analysis needs beyond the document model: its text size and
 * direction, and whether it may be glued to a neighbour (pdf.js can split one word over two
 * text items, e.g. at a font change in "H<b>ello</b>").
 */
export interface PositionedWord extends Word {
  /** Height of the text (font size) in page pixels. */
  size: number;
  /** Direction the text runs in, clockwise degrees in page pixel space (0 = left to right). */
  orientation: Orientation;
  /** No whitespace separated this fragment from the previous text in its source item run. */
  joinBefore: boolean;
  /** No whitespace followed this fragment in its source item. */
  joinAfter: boolean;
}

export function roundOrientation(degrees: number): Orientation {
  const d = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
  return d as Orientation;
}

export function width(b: BBox): number {
  return b.x1 - b.x0;
}

export function height(b: BBox): number {
  return b.y1 - b.y0;
}

/**
 * Rotate a box into the frame where text of `orientation` reads left to right, top to
 * bottom, so one layout algorithm serves all four directions. `fromFrame` is its inverse.
 * (Boxes are axis-aligned and the rotations are multiples of 90°, so they stay axis-aligned.)
 */
export function toFrame(b: BBox, orientation: Orientation): BBox {
  switch (orientation) {
    case 0:
      return b;
    case 90: // text runs down the page: frame x = page y, frame y = -page x
      return { x0: b.y0, y0: -b.x1, x1: b.y1, y1: -b.x0 };
    case 180:
      return { x0: -b.x1, y0: -b.y1, x1: -b.x0, y1: -b.y0 };
    case 270: // text runs up the page
      return { x0: -b.y1, y0: b.x0, x1: -b.y0, y1: b.x1 };
  }
}

export function fromFrame(b: BBox, orientation: Orientation): BBox {
  switch (orientation) {
    case 0:
      return b;
    case 90:
      return { x0: -b.y1, y0: b.x0, x1: -b.y0, y1: b.x1 };
    case 180:
      return { x0: -b.x1, y0: -b.y1, x1: -b.x0, y1: -b.y0 };
    case 270:
      return { x0: b.y0, y0: -b.x1, x1: b.y1, y1: -b.x0 };
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
