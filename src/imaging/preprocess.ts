/**
 * Per-page preprocessing before Tesseract, decided from what the page measures
 * (text-metrics.ts), not from one fixed recipe. docs/OCR.md ("Preprocessing") has the
 * measurements behind every number here.
 *
 * - Rescale so the text's dominant glyph height lands in TARGET_BAND. Tesseract's line
 *   recogniser works on text lines normalised to a fixed height; glyphs far smaller lose
 *   strokes (decimal points, the bars of 'e' and 'c'), glyphs far larger cost CPU for no
 *   accuracy (35 MP receipt scans with 47–68 px glyphs read as well at a fifth of the pixels).
 * - Page segmentation: a page that is one column of text (receipts, letters, single lines)
 *   is read with --psm 4 (one column of lines of varying size); a page with a gutter between
 *   columns keeps full layout analysis (--psm 3), which keeps columns in reading order.
 */
import sharp from "sharp";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";
import type { TextMetrics } from "./text-metrics.js";

/** Glyph height (px) the rescale aims for, and the band left alone around it. */
export const TARGET_GLYPH_HEIGHT = 28;
export const TARGET_BAND = { min: 22, max: 36 } as const;
/** Enlarging more than this invents nothing more and multiplies Tesseract's time. */
export const MAX_UPSCALE = 3;
/** At most this many pixels after an upscale (a large page with tiny print stays readable in time). */
export const MAX_UPSCALED_PIXELS = 40_000_000;
/** Fewer letter-shaped components than this: too little text to measure, leave the page alone. */
const MIN_GLYPHS = 20;

export interface PreprocessPlan {
  /** Resize factor (1 = as is). */
  scale: number;
  /** Why, for logs and the step's detail. */
  reasons: string[];
}

/** Decide the rescale from the measured glyph height. */
export function planPreprocessing(metrics: TextMetrics, size: { width: number; height: number }): PreprocessPlan {
  const reasons: string[] = [];
  let scale = 1;
  const h = metrics.glyphHeight;
  if (metrics.glyphs >= MIN_GLYPHS && h > 0 && (h < TARGET_BAND.min || h > TARGET_BAND.max)) {
    scale = TARGET_GLYPH_HEIGHT / h;
    if (scale > 1) {
      scale = Math.min(scale, MAX_UPSCALE, Math.sqrt(MAX_UPSCALED_PIXELS / (size.width * size.height)));
      scale = Math.max(1, scale);
    }
    scale = Math.round(scale * 100) / 100;
    if (Math.abs(scale - 1) >= 0.05) reasons.push(`glyphs ${h.toFixed(0)} px → ×${scale}`);
    else scale = 1;
  }
  return { scale, reasons };
}

/** Resize by `scale` (cubic when enlarging, lanczos when reducing); DPI scales with it. */
export async function rescale(image: RasterImage, scale: number): Promise<RasterImage> {
  if (scale === 1) return image;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data, info } = await sharp(image.png, { limitInputPixels: false })
    .resize(width, height, { fit: "fill", kernel: scale > 1 ? "cubic" : "lanczos3" })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer({ resolveWithObject: true });
  const dpi = image.dpi * scale;
  return { png: withPngDensity(data, dpi), width: info.width, height: info.height, dpi };
}
