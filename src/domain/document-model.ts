/**
 * The intermediate representation every export is derived from (DESIGN.md):
 * pages → blocks → lines → words, each with a bounding box and a confidence, and the page's
 * source. Coordinates are in the page's own pixel space at `page.dpi` (for text-layer pages,
 * PDF points scaled to `dpi`), origin top-left, x to the right, y down.
 */
export interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Word {
  text: string;
  bbox: BBox;
  /** 0–100; text-layer words are 100. */
  confidence: number;
}

export interface Line {
  bbox: BBox;
  confidence: number;
  words: Word[];
}

export type BlockKind = "paragraph" | "heading" | "list_item" | "table" | "caption" | "other";

export interface Block {
  kind: BlockKind;
  bbox: BBox;
  confidence: number;
  lines: Line[];
  /** For kind "table": rows of cells, each cell's text. */
  table?: { rows: string[][] };
  /**
   * Set only on a block OCRed from an image on a text-layer page (a pasted screenshot): its
   * words are not in the PDF's own text. Otherwise the block's words come from the page's source.
   */
  source?: "ocr";
}

export type PageSource = "text-layer" | "ocr";

export interface Page {
  /** 1-based page number in the original document. */
  number: number;
  width: number;
  height: number;
  dpi: number;
  source: PageSource;
  /** Degrees (0/90/180/270) the page was rotated to be upright before recognition. */
  rotation: number;
  /** Skew angle corrected before recognition, in degrees. */
  skew: number;
  confidence: number;
  blocks: Block[];
}

export interface DocumentModel {
  version: 1;
  documentId: string;
  languages: string[];
  engine: string;
  pages: Page[];
}

export function emptyBBox(): BBox {
  return { x0: 0, y0: 0, x1: 0, y1: 0 };
}

/** The smallest box around all the given boxes. */
export function unionBBox(boxes: readonly BBox[]): BBox {
  if (boxes.length === 0) return emptyBBox();
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x0);
    y0 = Math.min(y0, b.y0);
    x1 = Math.max(x1, b.x1);
    y1 = Math.max(y1, b.y1);
  }
  return { x0, y0, x1, y1 };
}
