/**
 * What a page's content draws, as far as deciding about its text layer needs: how much text
 * is visible vs invisible (render mode 3/7, the mode OCR tools use for their hidden layers),
 * and how much of the page images cover, and where. Read by PDFium with the text
 * (pdfium/pdfium-text-layer.ts): no image is ever decoded for it.
 */
export interface PageContentStats {
  /** Characters shown with a visible render mode. */
  visibleTextBytes: number;
  /** Characters shown with render mode 3 (invisible) or 7 (clip only). */
  invisibleTextBytes: number;
  imageCount: number;
  /** Sum of drawn image areas over the page area, capped at 1. */
  imageCoverage: number;
  /** The largest single image's share of the page area (a full-page scan is ≈ 1). */
  largestImageCoverage: number;
  /**
   * Where images are drawn: each image's bounding box in PDF user space (points, y up), in
   * drawing order, at most 64 of them. Lets a text-layer page OCR just the pictures that may
   * hold text the layer lacks.
   */
  imageBoxes: PdfRect[];
}

/** A rectangle in PDF user space: x0 < x1, y0 < y1. */
export type PdfRect = [number, number, number, number];
