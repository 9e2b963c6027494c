import type { BBox, Page } from "../domain/document-model.js";

/**
 * Which images on a usable text-layer page are worth OCRing on their own: a pasted
 * screenshot or scanned snippet holds text the layer lacks. Cheap tests on the boxes only;
 * a photo or logo that passes costs one small OCR call and reads as little or nothing.
 */

/** Smaller images (icons, bullets, rules) cannot hold a readable line. Share of the page area. */
const MIN_PAGE_SHARE = 0.01;
/** A line of 8 pt text with a little space around it. */
const MIN_SIDE_PT = 12;
/**
 * At least this share of the page is a scan or a background: on a usable text-layer page its
 * text is what the layer already has (an OCR layer, or text set over a letterhead).
 */
const MAX_PAGE_SHARE = 0.5;
/** Bounds the OCR cost of a page strewn with pictures; the largest are kept. */
const MAX_REGIONS_PER_PAGE = 8;
/** An image mostly inside one already picked is the same picture drawn again (or a mask). */
const MAX_OVERLAP_SHARE = 0.5;

const area = (b: BBox) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);

function intersection(a: BBox, b: BBox): number {
  return area({
    x0: Math.max(a.x0, b.x0),
    y0: Math.max(a.y0, b.y0),
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
  });
}

/** `images` and the result are in the page's pixel space; the result is in reading order. */
export function pickImageRegions(page: Page, images: readonly BBox[]): BBox[] {
  const pageArea = page.width * page.height;
  if (!(pageArea > 0)) return [];
  const minSide = (MIN_SIDE_PT * page.dpi) / 72;
  // Text set over an image means the image is a background (or carries its own OCR layer).
  const wordCentres = page.blocks.flatMap((b) =>
    b.lines.flatMap((l) => l.words.map((w) => ({ x: (w.bbox.x0 + w.bbox.x1) / 2, y: (w.bbox.y0 + w.bbox.y1) / 2 }))),
  );
  const underText = (box: BBox) =>
    wordCentres.some((c) => c.x > box.x0 && c.x < box.x1 && c.y > box.y0 && c.y < box.y1);
  const candidates = images
    .filter((b) => b.x1 - b.x0 >= minSide && b.y1 - b.y0 >= minSide)
    .filter((b) => area(b) >= MIN_PAGE_SHARE * pageArea && area(b) < MAX_PAGE_SHARE * pageArea)
    .filter((b) => !underText(b))
    .sort((a, b) => area(b) - area(a));
  const picked: BBox[] = [];
  for (const box of candidates) {
    if (picked.length >= MAX_REGIONS_PER_PAGE) break;
    if (picked.some((p) => intersection(p, box) >= MAX_OVERLAP_SHARE * area(box))) continue;
    picked.push(box);
  }
  return picked.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}
