import type { BBox, Page } from "../domain/document-model.js";
import { buildBlocks } from "./layout/build-blocks.js";
import { buildLines } from "./layout/build-lines.js";
import type { PageContentStats } from "./content-stats.js";
import { imageBoxesOnPage } from "./image-boxes.js";
import { displaySizePx } from "./page-geometry.js";
import { PdfiumDocument } from "./pdfium/pdfium-text-layer.js";
import { yieldToEventLoop } from "./yield.js";

export interface TextLayerOptions {
  /** Pixel density of the page model (boxes are PDF points × dpi / 72). Default 72. */
  dpi?: number;
  /** 1-based page numbers to extract; default all. */
  pages?: readonly number[];
  signal?: AbortSignal | undefined;
  /** Called after each page (pages done, pages to do). */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Report render modes and image coverage (see content-stats). Default true; PDFium reads
   * them with the text, so `false` only leaves them out of the result.
   */
  contentStats?: boolean;
}

/** A page's text layer as a document-model page, plus the facts `assessTextLayer` weighs. */
export interface TextLayerPage {
  page: Page;
  /** Null when not asked for (`contentStats: false`). */
  content: PageContentStats | null;
  /** Where images are drawn, in the page's pixel space (like word boxes); empty when unknown. */
  images: BBox[];
}

export const DEFAULT_TEXT_LAYER_DPI = 72;

/**
 * Extract the text layer of a PDF: per page, words with boxes grouped into lines and blocks
 * in reading order, as document-model pages with source "text-layer" and confidence 100.
 * Coordinates are top-left page pixels at `dpi`, after /Rotate — the same space OCR pages use,
 * so exports treat both alike.
 *
 * Read with PDFium (see pdfium/pdfium-module.ts) on the calling thread, one page at a time,
 * yielding to the event loop between pages. Honours `signal` between pages. Words are
 * PDFium's characters between whitespace, boxed from the glyphs' own extents.
 */
export async function extractTextLayer(bytes: Uint8Array, options: TextLayerOptions = {}): Promise<TextLayerPage[]> {
  const dpi = options.dpi ?? DEFAULT_TEXT_LAYER_DPI;
  if (!(dpi > 0)) throw new Error(`dpi must be positive, got ${dpi}`);
  const signal = options.signal;
  signal?.throwIfAborted();
  const doc = await PdfiumDocument.open(bytes);
  try {
    const numbers = options.pages ?? Array.from({ length: doc.pageCount }, (_, i) => i + 1);
    const withStats = options.contentStats !== false;
    const out: TextLayerPage[] = [];
    for (const [index, n] of numbers.entries()) {
      signal?.throwIfAborted();
      const { geometry, words, stats } = doc.readPage(n, dpi);
      const { width, height } = displaySizePx(geometry, dpi);
      const page: Page = {
        number: n,
        width,
        height,
        dpi,
        source: "text-layer",
        rotation: 0,
        skew: 0,
        confidence: 100,
        blocks: buildBlocks(buildLines(words)),
      };
      out.push({
        page,
        content: withStats ? stats : null,
        images: withStats ? imageBoxesOnPage(stats.imageBoxes, geometry, dpi) : [],
      });
      options.onProgress?.(index + 1, numbers.length);
      await yieldToEventLoop();
    }
    return out;
  } finally {
    doc.close();
  }
}
