import type { BBox } from "../domain/document-model.js";
import type { PdfRect } from "./content-stats.js";
import { displaySizePx, pdfToPixel, type PageGeometry } from "./page-geometry.js";

/**
 * Image rectangles from the content stream (PDF user space) → boxes in the page model's
 * pixel space at `dpi` (top-left origin, after /Rotate), clipped to the visible page. Images
 * wholly outside the visible area (cropped away) are dropped.
 */
export function imageBoxesOnPage(rects: readonly PdfRect[], geometry: PageGeometry, dpi: number): BBox[] {
  const page = displaySizePx(geometry, dpi);
  const out: BBox[] = [];
  for (const [x0, y0, x1, y1] of rects) {
    const [ax, ay] = pdfToPixel(geometry, dpi, x0, y0);
    const [bx, by] = pdfToPixel(geometry, dpi, x1, y1);
    const box: BBox = {
      x0: Math.max(0, Math.min(ax, bx)),
      y0: Math.max(0, Math.min(ay, by)),
      x1: Math.min(page.width, Math.max(ax, bx)),
      y1: Math.min(page.height, Math.max(ay, by)),
    };
    if (box.x1 > box.x0 && box.y1 > box.y0) out.push(box);
  }
  return out;
}
