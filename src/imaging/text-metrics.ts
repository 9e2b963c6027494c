/**
 * Measures a page image the way preprocessing needs it: how tall its glyphs are, how dark
 * its ink and how light its paper, how even the paper is, and how much of the edge is dark
 * (a scanner lid, a table under a photographed page). Everything that preprocess.ts decides
 * per page is decided from these numbers, not from the file's metadata, which for receipts
 * and photos is rarely true (47 of the 50 SROIE scans claim 72 DPI).
 *
 * Glyph size comes from connected components of the ink: a letter is (mostly) one component,
 * so the heights of letter-shaped components cluster at the text's x-height (lower-case) or
 * cap height (receipts' capitals). Both the dominant height (the histogram's mode) and the
 * median are reported. Large pages are measured on a copy of at most ANALYSIS_PIXELS, with
 * heights scaled back to the page's pixels.
 */
import sharp from "sharp";
import { otsuThreshold } from "./otsu.js";
import { connectedComponents, dilateInk, type Component } from "./components.js";
import type { RasterImage } from "./raster.js";

export { connectedComponents, dilateInk, type Component } from "./components.js";

/** Receipts (≤ 1–2 MP) are measured at full size; a 300-DPI page at about half (glyphs still ≥ 10 px). */
const ANALYSIS_PIXELS = 1_000_000;

export interface TextMetrics {
  /** Most common height of letter-shaped components, in the page's pixels (0: no text found). */
  glyphHeight: number;
  /** Median height of the same components, in the page's pixels. */
  medianGlyphHeight: number;
  /** Letter-shaped components counted (small: little text, or none). */
  glyphs: number;
  /** Grey level of the paper (90th percentile) and of the ink (mean below the threshold). */
  paperLevel: number;
  inkLevel: number;
  /** paperLevel - inkLevel: faint thermal prints measure 60–100, laser prints 150+. */
  contrast: number;
  /** Spread of the paper's level across a 8×8 grid of tiles (max - min of tile medians). */
  backgroundSpread: number;
  /** Share of the image's outer 3% frame that is dark (a border or a background around the page). */
  darkBorder: number;
  /**
   * Text columns side by side: 2 or more when a vertical gutter (no letter across it, at
   * least two glyph heights wide) runs through the middle of the text, else 1.
   */
  columns: number;
  /**
   * Ink rows against ink columns: the coefficient of variation of the row profile over the
   * column profile's. Horizontal text lines alternate with blank rows, so > 1; a page turned
   * sideways has < 1.
   */
  rowColumnContrast: number;
  /** Scale of the analysis copy relative to the page (1 = measured at full size). */
  analysisScale: number;
}

export interface GreyPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decode to 8-bit grey, at most `maxPixels` (scale reported). */
export async function decodeGrey(
  image: RasterImage,
  maxPixels = ANALYSIS_PIXELS,
): Promise<GreyPixels & { scale: number }> {
  const scale = Math.min(1, Math.sqrt(maxPixels / (image.width * image.height)));
  let pipeline = sharp(image.png, { limitInputPixels: false }).flatten({ background: "#ffffff" }).toColourspace("b-w");
  if (scale < 1) {
    pipeline = pipeline.resize(
      Math.max(1, Math.round(image.width * scale)),
      Math.max(1, Math.round(image.height * scale)),
      {
        fit: "fill",
      },
    );
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  // b-w output can still carry 2 bands for inputs with alpha; keep the first.
  const grey =
    info.channels === 1
      ? new Uint8Array(data.buffer, data.byteOffset, info.width * info.height)
      : Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]!);
  return { data: grey, width: info.width, height: info.height, scale };
}

/**
 * Letter- or word-shaped (after dilateInk): not a speck, not a rule or a frame, not a
 * picture. Words are as tall as their letters, so width is not capped; a horizontal rule is
 * too thin, a vertical one too narrow. Thresholds are in the analysis image's pixels.
 */
export function isGlyphLike(c: Component, imageHeight: number): boolean {
  const w = c.x1 - c.x0 + 1;
  const h = c.y1 - c.y0 + 1;
  if (h < 6 || h > imageHeight / 8) return false;
  if (w < h * 0.25) return false;
  const fill = c.pixels / (w * h);
  return fill > 0.2 && fill < 0.95;
}

function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Mode of integer heights weighted by width (a word counts by its length, a speck of noise
 * hardly at all), smoothed over ±1 so 14/15-px letters count together.
 */
function dominantHeight(heights: number[], widths: number[]): number {
  if (heights.length === 0) return 0;
  const max = Math.max(...heights);
  const hist = new Float64Array(max + 2);
  // Capped at 4 heights: a long dashed rule is one wide component, not many words.
  heights.forEach((h, i) => (hist[Math.max(0, h)]! += Math.min(widths[i]!, 4 * h)));
  let best = 0;
  let bestScore = -1;
  for (let h = 1; h <= max; h++) {
    const score = hist[h - 1]! + 2 * hist[h]! + hist[h + 1]!;
    if (score > bestScore) {
      bestScore = score;
      best = h;
    }
  }
  return best;
}

/**
 * `percentile` of 8-bit levels through a histogram: what sorting a copy gives, without the
 * copy and the sort (which cost ~30 ms on a megapixel).
 */
function levelPercentile(data: Uint8Array, q: number): number {
  if (data.length === 0) return 0;
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++;
  const rank = Math.min(data.length - 1, Math.floor(q * data.length));
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v]!;
    if (seen > rank) return v;
  }
  return 255;
}

export function measureGrey(grey: GreyPixels, scale = 1): TextMetrics {
  const { data, width, height } = grey;
  // Otsu splits into ≤ t and > t; ink is "< threshold", so + 1 (a 1-bit scan has t = 0).
  const threshold = Math.min(otsuThreshold(data) + 1, 230);
  const paperLevel = levelPercentile(data, 0.9);
  let inkSum = 0;
  let inkCount = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! < threshold) {
      inkSum += data[i]!;
      inkCount++;
    }
  }
  const inkLevel = inkCount === 0 ? paperLevel : inkSum / inkCount;

  const glyphs = connectedComponents(dilateInk(grey), threshold).filter((c) => isGlyphLike(c, height));
  const heights = glyphs.map((c) => c.y1 - c.y0 + 1 - 2);
  const widths = glyphs.map((c) => c.x1 - c.x0 + 1);
  const sortedHeights = [...heights].sort((a, b) => a - b);

  return {
    glyphHeight: dominantHeight(heights, widths) / scale,
    medianGlyphHeight: percentile(sortedHeights, 0.5) / scale,
    glyphs: glyphs.length,
    paperLevel,
    inkLevel: Math.round(inkLevel),
    contrast: Math.round(paperLevel - inkLevel),
    backgroundSpread: backgroundSpread(grey),
    darkBorder: darkBorderShare(grey, threshold),
    columns: countColumns(glyphs, width, percentile(sortedHeights, 0.5)),
    rowColumnContrast: rowColumnContrast(glyphs, width, height),
    analysisScale: scale,
  };
}

/**
 * Columns from the letters' horizontal extents: a gutter is a run of x, inside the middle 70%
 * of the text's width, that no more than 1% of the letters cross, at least two glyph heights
 * wide, with at least a fifth of the letters on each side. Centred headings across a
 * receipt and its item/price columns cross such runs often enough not to count; the gutter of
 * a two-column article is crossed by a headline at most.
 */
function countColumns(glyphs: Component[], width: number, glyphHeight: number): number {
  if (glyphs.length < 40 || glyphHeight <= 0) return 1;
  const cover = new Int32Array(width + 1);
  for (const g of glyphs) {
    cover[g.x0]! += 1;
    cover[g.x1 + 1]! -= 1;
  }
  for (let x = 1; x <= width; x++) cover[x]! += cover[x - 1]!;
  const lefts = glyphs.map((g) => g.x0).sort((a, b) => a - b);
  const rights = glyphs.map((g) => g.x1).sort((a, b) => a - b);
  const lo = percentile(lefts, 0.02);
  const hi = percentile(rights, 0.98);
  const from = Math.round(lo + (hi - lo) * 0.15);
  const to = Math.round(hi - (hi - lo) * 0.15);
  const allowed = Math.max(1, Math.floor(glyphs.length * 0.01));
  let gutters = 0;
  let run = 0;
  let runStart = 0;
  for (let x = from; x <= to + 1; x++) {
    if (x <= to && cover[x]! <= allowed) {
      if (run === 0) runStart = x;
      run++;
      continue;
    }
    if (run >= 2 * glyphHeight) {
      const mid = runStart + run / 2;
      const left = glyphs.filter((g) => g.x1 < mid).length;
      if (left >= glyphs.length * 0.2 && glyphs.length - left >= glyphs.length * 0.2) gutters++;
    }
    run = 0;
  }
  return gutters + 1;
}

/** Coefficient of variation of a profile over its non-empty span. */
function variation(profile: Float64Array): number {
  let first = 0;
  while (first < profile.length && profile[first] === 0) first++;
  let last = profile.length - 1;
  while (last > first && profile[last] === 0) last--;
  const n = last - first + 1;
  if (n <= 1) return 0;
  let sum = 0;
  let sq = 0;
  for (let i = first; i <= last; i++) {
    sum += profile[i]!;
    sq += profile[i]! * profile[i]!;
  }
  const mean = sum / n;
  return mean === 0 ? 0 : Math.sqrt(Math.max(0, sq / n - mean * mean)) / mean;
}

function rowColumnContrast(glyphs: Component[], width: number, height: number): number {
  // Coverage by letter-shaped components only: borders, rules and pictures do not count.
  const rows = new Float64Array(height);
  const cols = new Float64Array(width);
  for (const g of glyphs) {
    for (let y = g.y0; y <= g.y1; y++) rows[y]! += 1;
    for (let x = g.x0; x <= g.x1; x++) cols[x]! += 1;
  }
  const c = variation(cols);
  return c === 0 ? 1 : variation(rows) / c;
}

/** Tile medians (8×8 grid) of the lighter half of each tile's pixels: paper, not ink. */
function backgroundSpread(grey: GreyPixels): number {
  const { data, width, height } = grey;
  const n = 8;
  const levels: number[] = [];
  for (let ty = 0; ty < n; ty++) {
    for (let tx = 0; tx < n; tx++) {
      const hist = new Uint32Array(256);
      let count = 0;
      const x0 = Math.floor((tx * width) / n);
      const x1 = Math.floor(((tx + 1) * width) / n);
      const y0 = Math.floor((ty * height) / n);
      const y1 = Math.floor(((ty + 1) * height) / n);
      for (let y = y0; y < y1; y += 2) {
        for (let x = x0; x < x1; x += 2) {
          hist[data[y * width + x]!]!++;
          count++;
        }
      }
      if (count === 0) continue;
      // 75th percentile: the paper even where a quarter of the tile is ink.
      let seen = 0;
      for (let v = 0; v < 256; v++) {
        seen += hist[v]!;
        if (seen >= count * 0.75) {
          levels.push(v);
          break;
        }
      }
    }
  }
  return levels.length === 0 ? 0 : Math.max(...levels) - Math.min(...levels);
}

function darkBorderShare(grey: GreyPixels, threshold: number): number {
  const { data, width, height } = grey;
  const band = Math.max(1, Math.round(Math.min(width, height) * 0.03));
  let dark = 0;
  let total = 0;
  for (let y = 0; y < height; y += 2) {
    const inRows = y < band || y >= height - band;
    for (let x = 0; x < width; x += inRows ? 2 : 1) {
      if (!inRows && x >= band && x < width - band) {
        x = width - band - 1;
        continue;
      }
      total++;
      if (data[y * width + x]! < threshold) dark++;
    }
  }
  return total === 0 ? 0 : dark / total;
}

/** Let the event loop run (timers, I/O, the queue's heartbeats) between phases. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Measure a page image (see TextMetrics). The labelling runs in this thread (~20–60 ms on a
 * megapixel), after a yield, so it adds one short turn of the event loop, not a long one.
 */
export async function measureText(image: RasterImage): Promise<TextMetrics> {
  const grey = await decodeGrey(image);
  await yieldToEventLoop();
  return measureGrey(grey, grey.scale);
}
