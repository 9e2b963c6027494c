import type { BBox, Page } from "../domain/document-model.js";
import { buildBlocks } from "./layout/build-blocks.js";
import { buildLines } from "./layout/build-lines.js";
import type { PositionedWord } from "./layout/positioned-word.js";
import { scanContentStats, type PageContentStats } from "./content-stats.js";
import { imageBoxesOnPage } from "./image-boxes.js";
import { displaySizePx, normalizeRotation, type PageGeometry } from "./page-geometry.js";
import { mapPdfjsError, openPdf, type PDFDocumentProxy } from "./pdfjs-loader.js";
import { textItemWords, type TextItemLike, type TextStyleLike } from "./text-item-words.js";
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
   * Also read the content streams for render modes and image coverage (see content-stats).
   * Default true; costs a second parse of the file with pdf-lib, never an image decode.
   */
  contentStats?: boolean;
}

/** A page's text layer as a document-model page, plus the facts `assessTextLayer` weighs. */
export interface TextLayerPage {
  page: Page;
  /** Null when the content streams could not be read (encrypted file, unsupported filter). */
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
 * Runs on the calling thread (pdf.js in Node has no real worker): one page at a time,
 * yielding to the event loop between pages. Honours `signal` between pages.
 */
export async function extractTextLayer(bytes: Uint8Array, options: TextLayerOptions = {}): Promise<TextLayerPage[]> {
  const dpi = options.dpi ?? DEFAULT_TEXT_LAYER_DPI;
  if (!(dpi > 0)) throw new Error(`dpi must be positive, got ${dpi}`);
  const signal = options.signal;
  const doc = await openPdf(bytes, { signal });
  try {
    const stats = options.contentStats === false ? null : await scanContentStats(bytes, { signal });
    const numbers = options.pages ?? Array.from({ length: doc.numPages }, (_, i) => i + 1);
    const out: TextLayerPage[] = [];
    for (const [index, n] of numbers.entries()) {
      signal?.throwIfAborted();
      out.push(await extractPage(doc, n, dpi, stats?.[n - 1] ?? null));
      options.onProgress?.(index + 1, numbers.length);
      await yieldToEventLoop();
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

async function extractPage(doc: PDFDocumentProxy, n: number, dpi: number, stats: PageContentStats | null): Promise<TextLayerPage> {
  try {
    const pdfPage = await doc.getPage(n);
    const [x0, y0, x1, y1] = pdfPage.view as [number, number, number, number];
    const geometry: PageGeometry = { viewBox: [x0, y0, x1, y1], rotate: normalizeRotation(pdfPage.rotate) };
    const content = await pdfPage.getTextContent();
    const styles = content.styles as Record<string, TextStyleLike | undefined>;
    const words: PositionedWord[] = [];
    for (const item of content.items) {
      if (!("str" in item) || item.str === "") continue;
      words.push(...textItemWords(item as TextItemLike, styles[item.fontName], geometry, dpi));
    }
    pdfPage.cleanup();
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
    return { page, content: stats, images: stats ? imageBoxesOnPage(stats.imageBoxes, geometry, dpi) : [] };
  } catch (error) {
    throw mapPdfjsError(error);
  }
}
