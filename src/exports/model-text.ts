import type { Block, DocumentModel, Line, Page } from "../domain/document-model.js";

/**
 * Plain-text views of the document model shared by the exports. The model's block order is
 * its reading order (producers — text-layer layout, OCR — are responsible for it), so
 * exports never reorder.
 */

export function lineText(line: Line): string {
  return line.words
    .map((w) => w.text)
    .filter((t) => t !== "")
    .join(" ");
}

/** Lines joined with '\n'; table blocks as tab-separated rows when the model has the cells. */
export function blockText(block: Block): string {
  if (block.kind === "table" && block.table && block.table.rows.length > 0) {
    return block.table.rows.map((row) => row.join("\t")).join("\n");
  }
  return block.lines
    .map(lineText)
    .filter((t) => t !== "")
    .join("\n");
}

export function pageText(page: Page): string {
  return page.blocks
    .map(blockText)
    .filter((t) => t !== "")
    .join("\n\n");
}

/** Height of a line in points (page pixels are at page.dpi), comparable across pages. */
export function lineHeightPt(line: Line, page: Page): number {
  return ((line.bbox.y1 - line.bbox.y0) * 72) / (page.dpi > 0 ? page.dpi : 72);
}

/**
 * The line height most characters of the document are set in (its body text), in points.
 * Headings are recognised relative to it.
 */
export function bodyLineHeightPt(model: DocumentModel): number {
  const weight = new Map<number, number>();
  for (const page of model.pages) {
    for (const block of page.blocks) {
      for (const line of block.lines) {
        const key = Math.round(lineHeightPt(line, page) * 2) / 2;
        if (key <= 0) continue;
        weight.set(key, (weight.get(key) ?? 0) + lineText(line).length);
      }
    }
  }
  let best = 0;
  let bestWeight = -1;
  for (const [height, w] of weight) {
    if (w > bestWeight) {
      best = height;
      bestWeight = w;
    }
  }
  return best;
}

/** Mean word confidence of a document (0–100), or null when it has no words. */
export function meanConfidence(model: DocumentModel): number | null {
  let sum = 0;
  let count = 0;
  for (const page of model.pages) {
    for (const block of page.blocks) {
      for (const line of block.lines) {
        for (const word of line.words) {
          sum += word.confidence;
          count += 1;
        }
      }
    }
  }
  return count === 0 ? null : sum / count;
}
