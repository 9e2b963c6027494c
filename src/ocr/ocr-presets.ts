/**
 * The one place Docket's OCR vocabulary (DESIGN.md: ocr_mode, resolution_mode) is mapped
 * onto Tesseract. docs/OCR.md documents the same table for users, including what Tesseract
 * cannot do well.
 */
import type { OcrMode, ResolutionMode } from "../domain/types.js";

/** Tesseract page segmentation modes Docket uses (values of `--psm` / tessedit_pageseg_mode). */
export const PSM = {
  /** Fully automatic layout analysis: columns, blocks, paragraphs, reading order. */
  AUTO: 3,
  /** One column of text lines of varying sizes (receipts, letters). */
  SINGLE_COLUMN: 4,
  /** One uniform block of text (no column detection). */
  SINGLE_BLOCK: 6,
  /** Find as much text as possible, anywhere, in no particular order. */
  SPARSE_TEXT: 11,
} as const;

export interface OcrModePreset {
  psm: number;
  /** Extra Tesseract variables set for the call (runtime-settable ones only). */
  variables: Record<string, string>;
  /** Whether straightening small skew is attempted before recognition. */
  deskew: boolean;
  /** Honest note on what to expect; surfaced in docs and logs. */
  note: string;
}

const OCR_MODE_PRESETS: Record<OcrMode, OcrModePreset> = {
  document: {
    psm: PSM.AUTO,
    variables: {},
    deskew: true,
    note: "printed pages: full layout analysis (columns, paragraphs, reading order)",
  },
  handwritten: {
    // Tesseract's models are trained on printed text; one-block segmentation copes better
    // with irregular baselines than column detection, but accuracy stays poor.
    psm: PSM.SINGLE_BLOCK,
    variables: {},
    deskew: true,
    note: "Tesseract is not trained on handwriting: expect low accuracy except for neat block capitals",
  },
  general: {
    // Photos, screenshots, receipts, forms: text may be anywhere, layout is not prose.
    psm: PSM.SPARSE_TEXT,
    variables: {},
    deskew: true,
    note: "text anywhere in the image, no reading-order guarantee",
  },
  figure: {
    // Charts and diagrams: only their printed labels can be read; do not straighten (axes and
    // diagonal lines fool the skew estimate) and do not let the dictionary "correct" labels.
    psm: PSM.SPARSE_TEXT,
    variables: { language_model_penalty_non_dict_word: "0", language_model_penalty_non_freq_dict_word: "0" },
    deskew: false,
    note: "labels and numbers only; Tesseract does not understand charts, tables or diagrams",
  },
};

export function ocrModePreset(mode: OcrMode): OcrModePreset {
  return OCR_MODE_PRESETS[mode];
}

/**
 * Segmentation for a measured page: in `document` mode a page with one column of text
 * (receipts, letters, single lines) is read as one column of lines of varying size (--psm 4)
 * rather than with full layout analysis, which on receipts splits item and price columns
 * apart and on a noisy scan can find no text region at all (SROIE 264: nothing read with
 * --psm 3, 69% of its words with --psm 4). Pages with a gutter keep --psm 3, which keeps
 * columns in reading order, and so do pages whose text does not run across (a page turned
 * sideways: --psm 3 finds its vertical lines, which is how orientation handling notices it).
 * Other modes keep their own segmentation.
 *
 * `rowColumnContrast` (text-metrics.ts) is ≥ 0.79 on all 50 SROIE receipts and 0.93–3.1 on
 * upright pages, 0.32 on the same page turned 90°.
 */
export function psmForLayout(mode: OcrMode, layout: { columns: number; rowColumnContrast: number }): number {
  const preset = OCR_MODE_PRESETS[mode];
  const oneColumnAcross = layout.columns <= 1 && layout.rowColumnContrast >= 0.6;
  return mode === "document" && oneColumnAcross ? PSM.SINGLE_COLUMN : preset.psm;
}

export interface ResolutionPreset {
  /** DPI to render PDF pages at, and to resample images to when their own DPI is known. */
  dpi: number;
  /** Split tall pages into horizontal bands cut at blank rows and recognise them in parallel. */
  tiling: boolean;
  /** Bands are at most this many pixels tall (tiling only). */
  maxBandHeight: number;
}

const RESOLUTION_PRESETS: Record<ResolutionMode, ResolutionPreset> = {
  // Previews and triage: body text below ~10 pt degrades noticeably.
  tiny: { dpi: 100, tiling: false, maxBandHeight: 0 },
  // Large print, slides, screenshots; ~2× faster than base.
  small: { dpi: 150, tiling: false, maxBandHeight: 0 },
  // Tesseract's own recommendation for body text; the default.
  base: { dpi: 300, tiling: false, maxBandHeight: 0 },
  // Small print (footnotes, receipts, 6–8 pt).
  large: { dpi: 400, tiling: false, maxBandHeight: 0 },
  // Very large or dense pages (posters, drawings, newspapers): 400 DPI, recognised in bands
  // in parallel across the worker pool, which also bounds each engine call's memory.
  gundam: { dpi: 400, tiling: true, maxBandHeight: 2400 },
};

export function resolutionPreset(mode: ResolutionMode): ResolutionPreset {
  return RESOLUTION_PRESETS[mode];
}

/**
 * Factor to resample an image (not a PDF page, which is rendered at the preset DPI) by:
 * images whose DPI is known are brought to the preset's DPI, but never enlarged more than 2×
 * (upscaling invents no detail; it only helps Tesseract with very small glyphs) nor reduced
 * for less than a 20% gain.
 */
export function imageScaleFor(preset: ResolutionPreset, imageDpi: number): number {
  const factor = preset.dpi / imageDpi;
  if (factor > 0.8 && factor < 1.25) return 1;
  return Math.min(2, factor);
}
