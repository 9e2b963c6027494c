/**
 * Skew estimation by projection profiles: text lines are dark horizontal bands, so when the
 * ink is projected onto the y axis at the right angle the profile is sharpest (highest sum of
 * squared row counts). We search ±maxAngle coarsely, then refine around the best angle.
 *
 * Cost is bounded and small: the page is analysed at ≤ 800 px (sharp decodes and downscales
 * on its own threads), and at most 30,000 ink pixels (a deterministic subsample) are projected
 * at ~53 angles — ~10–20 ms of JavaScript per page, split into batches that yield to the
 * event loop, so it runs in the calling thread without starving the queue's heartbeats.
 */
import sharp from "sharp";
import { otsuThreshold } from "./otsu.js";
import type { RasterImage } from "./raster.js";

export interface SkewEstimate {
  /** Degrees to rotate the image CLOCKWISE to make its text lines horizontal (0 when unsure). */
  correction: number;
  /** Profile sharpness at the best angle relative to 0°: 1 = no better than leaving it. */
  gain: number;
  /** Ink pixels the estimate is based on (in the analysis image). */
  inkPixels: number;
}

export interface SkewOptions {
  /** Largest skew searched, in degrees (default 10). */
  maxAngle?: number;
  /** Corrections smaller than this are reported as 0: resampling costs more than it gains (default 0.2). */
  minAngle?: number;
  /** Longest side of the analysis image (default 800). */
  analysisSize?: number;
}

const MAX_SAMPLES = 30_000;

/** Sum of squared row counts of the ink projected at `angle` (radians). */
function profileScore(xs: Float32Array, ys: Float32Array, angle: number, bins: Int32Array, offset: number): number {
  bins.fill(0);
  const sin = Math.sin(angle);
  const cos = Math.cos(angle);
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    // `offset` keeps the value positive, so truncation is rounding.
    const row = (ys[i]! * cos - xs[i]! * sin + offset + 0.5) | 0;
    bins[row]!++;
  }
  let score = 0;
  for (let i = 0; i < bins.length; i++) score += bins[i]! * bins[i]!;
  return score;
}

/** Let the event loop run (timers, I/O, heartbeats) between batches of analysis. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Estimate the skew of a page image. Blank or nearly blank pages report no correction. */
export async function estimateSkew(image: RasterImage, options: SkewOptions = {}): Promise<SkewEstimate> {
  const maxAngle = options.maxAngle ?? 10;
  const minAngle = options.minAngle ?? 0.2;
  const size = options.analysisSize ?? 800;
  const { data, info } = await sharp(image.png, { limitInputPixels: false })
    .flatten({ background: "#ffffff" })
    .toColourspace("b-w")
    .resize(size, size, { fit: "inside", withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const width = info.width;
  const height = info.height;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, width * height);
  // Otsu splits into ≤ t and > t; "ink" below is "< threshold", so + 1 (a 1-bit scan has t = 0).
  const threshold = Math.min(otsuThreshold(pixels) + 1, 200);

  let ink = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i]! < threshold) ink++;
  await yieldToEventLoop();
  const none: SkewEstimate = { correction: 0, gain: 1, inkPixels: ink };
  // Too little ink (blank page) or too much (a photo, a black border): no text lines to find.
  if (ink < 200 || ink > pixels.length * 0.5) return none;

  const stride = Math.max(1, Math.ceil(ink / MAX_SAMPLES));
  const n = Math.floor(ink / stride);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  let seen = 0;
  let k = 0;
  for (let y = 0; y < height && k < n; y++) {
    for (let x = 0; x < width && k < n; x++) {
      if (pixels[y * width + x]! >= threshold) continue;
      if (seen++ % stride === 0) {
        // Centred coordinates, so rotation is about the middle of the page.
        xs[k] = x - width / 2;
        ys[k] = y - height / 2;
        k++;
      }
    }
  }
  const reach = Math.ceil(Math.hypot(width, height) / 2) + 2;
  const bins = new Int32Array(2 * reach + 1);
  const rad = (deg: number): number => (deg * Math.PI) / 180;
  const score = (deg: number): number => profileScore(xs, ys, rad(deg), bins, reach);

  let bestDeg = 0;
  let bestScore = score(0);
  const base = bestScore;
  for (let deg = -maxAngle; deg <= maxAngle + 1e-9; deg += 1) {
    const s = score(deg);
    if (s > bestScore) {
      bestScore = s;
      bestDeg = deg;
    }
  }
  await yieldToEventLoop();
  // Two refinements: ±1° in 0.1° steps, then ±0.1° in 0.02° steps.
  for (const [span, step] of [
    [1, 0.1],
    [0.1, 0.02],
  ] as const) {
    const centre = bestDeg;
    for (let deg = centre - span; deg <= centre + span + 1e-9; deg += step) {
      const s = score(deg);
      if (s > bestScore) {
        bestScore = s;
        bestDeg = deg;
      }
    }
    await yieldToEventLoop();
  }
  const gain = base > 0 ? bestScore / base : 1;
  // The lines slope by bestDeg (y down, so positive = down to the right, i.e. the content is
  // turned clockwise); rotating counter-clockwise by that much straightens them.
  const correction = Math.round(-bestDeg * 100) / 100;
  if (Math.abs(correction) < minAngle || gain < 1.05) return { correction: 0, gain, inkPixels: ink };
  return { correction, gain, inkPixels: ink };
}
