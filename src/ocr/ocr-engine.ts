/**
 * The OCR engine contract the pipeline's `ocr` step uses. An engine turns one page image into
 * a document-model Page (source "ocr"): it makes the page upright (orientation detection),
 * removes small skew, recognises blocks → lines → words with boxes and confidences, and
 * records what it did (`rotation`, `skew`).
 *
 * Coordinates: boxes are in the UPRIGHT frame of the input image — the input rotated
 * `page.rotation` degrees clockwise, with `page.width`×`page.height` its size — before skew
 * correction (see imaging/page-geometry.ts and docs/OCR.md).
 */
import type { Page } from "../domain/document-model.js";
import type { OcrMode, ResolutionMode } from "../domain/types.js";
import type { RasterImage } from "../imaging/raster.js";

export type OcrInput = RasterImage;

export interface OcrOptions {
  /** Tesseract language codes, e.g. ["eng"] or ["eng", "pol"]; unknown → `language_unavailable`. */
  languages: string[];
  mode: OcrMode;
  /** 1-based page number in the original document (copied into Page.number). */
  pageNumber: number;
  /** Selects tiling for very large pages ("gundam"); the DPI itself is chosen by whoever rendered the input. */
  resolution?: ResolutionMode;
  /** Cancelling rejects with DocketError `cancelled` within a second, also mid-recognition. */
  signal?: AbortSignal;
  /** Detect and undo 90/180/270° rotation (default true). */
  autoRotate?: boolean;
  /** Detect and undo small skew (default true). */
  deskew?: boolean;
  /**
   * Measure the page and prepare it (rescale to the glyph height Tesseract reads best, one
   * column read as one column; imaging/preprocess.ts). Default true; false reads the page as
   * rendered, with the mode's own segmentation (for comparisons).
   */
  preprocess?: boolean;
}

export interface OrientationResult {
  /** Degrees to rotate the image clockwise to make it upright: 0, 90, 180 or 270. */
  rotation: number;
  /** Tesseract OSD's orientation confidence (≈ 0–50; below ~2 it is a guess). */
  confidence: number;
  /** Script OSD detected (e.g. "Latin"), when reported. */
  script?: string;
}

export interface EngineHealth {
  ok: boolean;
  /** Human-readable detail for /readyz. */
  detail: string;
}

export interface OcrEngine {
  /** "tesseract-wasm" or "tesseract-cli" (recorded in DocumentModel.engine). */
  readonly name: string;
  recognize(input: OcrInput, options: OcrOptions): Promise<Page>;
  /** Orientation of a page image, without recognising it. */
  detectOrientation(input: OcrInput, options?: { signal?: AbortSignal }): Promise<OrientationResult>;
  /** Languages this engine can recognise now. */
  languages(): string[];
  /** Ready check for /readyz: the engine can start and read its language data. */
  check(): Promise<EngineHealth>;
  /** End worker threads / child processes and remove temporary files. */
  close(): Promise<void>;
}
