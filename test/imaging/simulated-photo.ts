/**
 * Phone photos of documents, simulated from page images whose text is known: the page is
 * put in perspective on a darker, textured background, lit unevenly (brighter at one
 * corner), and blurred as a phone's optics and JPEG do. Used by test/imaging tests and by
 * bench:ocr's photo set (from the shared SROIE scans). Deterministic for a given seed.
 */
import sharp from "sharp";
import { homography, type Quad } from "../../src/imaging/page-outline.js";
import { warpGrey } from "../../src/imaging/page-outline.js";
import type { RasterImage } from "../../src/imaging/raster.js";
import { decodeGrey } from "../../src/imaging/text-metrics.js";

export interface SimulatedPhoto {
  image: RasterImage;
  /** Where the page's corners landed in the photo (clockwise from top-left). */
  quad: Quad;
}

/** Small deterministic PRNG (mulberry32), so a seed always gives the same photo. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function simulatePhoto(
  page: RasterImage,
  options: { seed?: number; tilt?: number; shading?: number; blur?: number; background?: number } = {},
): Promise<SimulatedPhoto> {
  const rnd = random(options.seed ?? 1);
  const tilt = options.tilt ?? 0.08;
  const src = await decodeGrey(page, Infinity);
  // The photo frames the page with a margin of about a sixth on each side.
  const W = Math.round(src.width * 1.35);
  const H = Math.round(src.height * 1.3);
  const jitter = (span: number): number => (rnd() * 2 - 1) * span;
  const mx = (W - src.width) / 2;
  const my = (H - src.height) / 2;
  // Perspective: the top edge narrower than the bottom (camera tilted back), corners jittered.
  const inset = src.width * tilt;
  const quad: Quad = [
    { x: mx + inset + jitter(mx * 0.3), y: my + jitter(my * 0.3) },
    { x: W - mx - inset + jitter(mx * 0.3), y: my + jitter(my * 0.3) },
    { x: W - mx + jitter(mx * 0.3), y: H - my + jitter(my * 0.3) },
    { x: mx + jitter(mx * 0.3), y: H - my + jitter(my * 0.3) },
  ];
  const rect = [
    { x: 0, y: 0 },
    { x: src.width - 1, y: 0 },
    { x: src.width - 1, y: src.height - 1 },
    { x: 0, y: src.height - 1 },
  ];
  const photoToPage = homography(quad, rect);
  const background = options.background ?? 70;
  const warped = warpGrey(src, photoToPage, W, H);
  const shading = options.shading ?? 0.3;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      // warpGrey wrote 255 for "outside"; tell it from white paper by the mapped position.
      const light = 1 - shading * ((x / W + y / H) / 2);
      const isOutside = outsideQuad(quad, x, y);
      const base = isOutside ? background + ((x * 7 + y * 13) % 17) - 8 : warped[i]!;
      out[i] = Math.max(0, Math.min(255, Math.round(base * light)));
    }
  }
  const png = await sharp(Buffer.from(out.buffer, out.byteOffset, out.length), {
    raw: { width: W, height: H, channels: 1 },
  })
    .blur(options.blur ?? 0.8)
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { image: { png, width: W, height: H, dpi: page.dpi }, quad };
}

/** True when (x, y) is outside the convex quadrilateral (clockwise corners, y down). */
function outsideQuad(q: Quad, x: number, y: number): boolean {
  for (let i = 0; i < 4; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % 4]!;
    if ((b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x) < 0) return true;
  }
  return false;
}
