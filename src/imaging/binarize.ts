/**
 * Adaptive binarisation (Sauvola): each pixel is ink when it is darker than a threshold set
 * by its own neighbourhood's mean and spread, T = m · (1 + k · (s / R − 1)). Unlike one
 * global threshold (what Tesseract applies, Otsu over the whole page) it keeps faint thermal
 * print where the paper is grey and drops a shadow or a stain gradient where the paper is
 * uneven. Means and variances come from integral images, so the cost is a few passes over
 * the pixels whatever the window size.
 */
import type { GreyPixels } from "./text-metrics.js";

export interface SauvolaOptions {
  /** Window side in pixels; about 2–3 glyph heights sees both ink and paper around a letter. */
  window: number;
  /** Sensitivity: larger drops more faint ink (0.2–0.5 in the literature; 0.2 keeps thin strokes). */
  k?: number;
  /** Dynamic range of the standard deviation (128 for 8-bit images). */
  r?: number;
}

/** Black (0) and white (255) pixels of the same size. */
export function sauvola(grey: GreyPixels, options: SauvolaOptions): GreyPixels {
  const { data, width, height } = grey;
  const k = options.k ?? 0.2;
  const r = options.r ?? 128;
  const half = Math.max(1, Math.floor(options.window / 2));
  const w1 = width + 1;
  // Float64: sums of squares over a 35 MP page overflow 32 bits.
  const sum = new Float64Array(w1 * (height + 1));
  const sq = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    let rowSq = 0;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      rowSum += v;
      rowSq += v * v;
      sum[(y + 1) * w1 + x + 1] = sum[y * w1 + x + 1]! + rowSum;
      sq[(y + 1) * w1 + x + 1] = sq[y * w1 + x + 1]! + rowSq;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - half);
    const y1 = Math.min(height, y + half + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - half);
      const x1 = Math.min(width, x + half + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = y0 * w1 + x0;
      const b = y0 * w1 + x1;
      const c = y1 * w1 + x0;
      const d = y1 * w1 + x1;
      const mean = (sum[d]! - sum[b]! - sum[c]! + sum[a]!) / n;
      const variance = (sq[d]! - sq[b]! - sq[c]! + sq[a]!) / n - mean * mean;
      const std = Math.sqrt(Math.max(0, variance));
      const threshold = mean * (1 + k * (std / r - 1));
      out[y * width + x] = data[y * width + x]! <= threshold ? 0 : 255;
    }
  }
  return { data: out, width, height };
}
