/**
 * Photos of documents: find the page (a light quadrilateral on a darker background), and
 * flatten it into a rectangle by a perspective (homography) warp, so Tesseract sees straight,
 * evenly sized lines instead of a trapezoid with a table around it.
 *
 * The outline is found on a small copy: paper is the largest component of pixels lighter
 * than the Otsu threshold; its corners are the extreme points along the two diagonals
 * (top-left minimises x + y, bottom-right maximises it, top-right maximises x − y,
 * bottom-left minimises it), which holds for any convex page seen at a moderate angle.
 * A scan (paper to the edges, or a white frame) has no outline: it is left alone, and so is
 * a page that runs off an edge of the photo. A scan inside a dark frame (a scanner lid
 * around a receipt) is a light page on a dark background too: cropping it is the same job.
 */
import sharp from "sharp";
import { otsuThreshold } from "./otsu.js";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";
import { connectedComponents, decodeGrey, type GreyPixels } from "./text-metrics.js";

export interface Point {
  x: number;
  y: number;
}

/** Corners clockwise from top-left, in the image's pixels. */
export type Quad = [Point, Point, Point, Point];

const ANALYSIS_PIXELS = 360_000;
/** A page covering less than this share of the photo is too small to be the subject. */
const MIN_PAGE_SHARE = 0.2;
/** The background must be clearly darker than the paper (grey levels). */
const MIN_BACKGROUND_CONTRAST = 40;
/** A page reaching within this share of an edge is not whole in the frame: left alone. */
const EDGE_MARGIN = 0.02;

/** The page's outline in `grey`'s pixels, or undefined when the image is not a photo of a page. */
export function findPageOutline(grey: GreyPixels): Quad | undefined {
  const { data, width, height } = grey;
  const threshold = otsuThreshold(data) + 1;
  // Paper is light: label the light pixels by labelling an inverted copy's dark ones.
  const inverted = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) inverted[i] = 255 - data[i]!;
  const light = connectedComponents({ data: inverted, width, height }, 256 - threshold);
  const paper = light.reduce(
    (a, b) => (b.pixels > a.pixels ? b : a),
    light[0] ?? { x0: 0, y0: 0, x1: 0, y1: 0, pixels: 0 },
  );
  if (paper.pixels < width * height * MIN_PAGE_SHARE) return undefined;
  const mx = width * EDGE_MARGIN;
  const my = height * EDGE_MARGIN;
  // Background must show on every side: a page running off an edge has lost corners that
  // the diagonal extremes would then misplace (and a scan with a dark corner is no photo).
  if (paper.x0 <= mx || paper.y0 <= my || paper.x1 >= width - 1 - mx || paper.y1 >= height - 1 - my) return undefined;
  let tl = { x: 0, y: 0, s: Infinity };
  let br = { x: 0, y: 0, s: -Infinity };
  let tr = { x: 0, y: 0, s: -Infinity };
  let bl = { x: 0, y: 0, s: Infinity };
  let paperSum = 0;
  let paperCount = 0;
  for (let y = paper.y0; y <= paper.y1; y++) {
    for (let x = paper.x0; x <= paper.x1; x++) {
      const v = data[y * width + x]!;
      if (v < threshold) continue;
      paperSum += v;
      paperCount++;
      if (x + y < tl.s) tl = { x, y, s: x + y };
      if (x + y > br.s) br = { x, y, s: x + y };
      if (x - y > tr.s) tr = { x, y, s: x - y };
      if (x - y < bl.s) bl = { x, y, s: x - y };
    }
  }
  const quad: Quad = [
    { x: tl.x, y: tl.y },
    { x: tr.x, y: tr.y },
    { x: br.x, y: br.y },
    { x: bl.x, y: bl.y },
  ];
  // The background: pixels outside the paper's box, or failing that the darker class.
  let bgSum = 0;
  let bgCount = 0;
  for (let i = 0; i < data.length; i += 7) {
    if (data[i]! < threshold) {
      bgSum += data[i]!;
      bgCount++;
    }
  }
  if (bgCount === 0 || paperSum / paperCount - bgSum / bgCount < MIN_BACKGROUND_CONTRAST) return undefined;
  if (quadArea(quad) < width * height * MIN_PAGE_SHARE) return undefined;
  return quad;
}

export function quadArea(q: Quad): number {
  let a = 0;
  for (let i = 0; i < 4; i++) {
    const p = q[i]!;
    const n = q[(i + 1) % 4]!;
    a += p.x * n.y - n.x * p.y;
  }
  return Math.abs(a) / 2;
}

/** 3×3 homography (row-major, h33 = 1) mapping the four `from` points onto the four `to` points. */
export function homography(from: readonly Point[], to: readonly Point[]): number[] {
  // Solve the 8 unknowns by Gaussian elimination with partial pivoting.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const p = a[c]![c]!;
    if (Math.abs(p) < 1e-12) throw new Error("degenerate quadrilateral");
    for (let k = c; k < 9; k++) a[c]![k]! /= p;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f === 0) continue;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row) => row[8]!), 1];
}

export function applyHomography(h: readonly number[], p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

export interface FlattenedPage {
  image: RasterImage;
  /** Maps a point of the flattened image back onto the photo. */
  toPhoto: (p: Point) => Point;
  quad: Quad;
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * Find the page in a photo and flatten it; undefined when there is no page outline to undo
 * (scans, screenshots, pages already filling the frame squarely).
 */
export async function flattenPage(image: RasterImage): Promise<FlattenedPage | undefined> {
  const small = await decodeGrey(image, ANALYSIS_PIXELS);
  const found = findPageOutline(small);
  if (found === undefined) return undefined;
  const quad = found.map((p) => ({ x: p.x / small.scale, y: p.y / small.scale })) as Quad;
  const [tl, tr, br, bl] = quad;
  const outW = Math.round((dist(tl, tr) + dist(bl, br)) / 2);
  const outH = Math.round((dist(tl, bl) + dist(tr, br)) / 2);
  if (outW < 16 || outH < 16) return undefined;
  const rect: Quad = [
    { x: 0, y: 0 },
    { x: outW - 1, y: 0 },
    { x: outW - 1, y: outH - 1 },
    { x: 0, y: outH - 1 },
  ];
  const flatToPhoto = homography(rect, quad);
  const full = await decodeGrey(image, Infinity);
  // Warped in bands of rows with a yield between them: a photo is megapixels of JavaScript.
  const out = new Uint8Array(outW * outH);
  const band = Math.max(1, Math.floor(500_000 / outW));
  for (let y = 0; y < outH; y += band) {
    const rows = Math.min(band, outH - y);
    const shifted = [...flatToPhoto];
    // Output row r of this band is row y + r of the page: fold the offset into the matrix.
    shifted[2] = flatToPhoto[1]! * y + flatToPhoto[2]!;
    shifted[5] = flatToPhoto[4]! * y + flatToPhoto[5]!;
    shifted[8] = flatToPhoto[7]! * y + flatToPhoto[8]!;
    out.set(warpGrey(full, shifted, outW, rows), y * outW);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const png = await sharp(Buffer.from(out.buffer, out.byteOffset, out.length), {
    raw: { width: outW, height: outH, channels: 1 },
  })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return {
    image: { png: withPngDensity(png, image.dpi), width: outW, height: outH, dpi: image.dpi },
    toPhoto: (p) => applyHomography(flatToPhoto, p),
    quad,
  };
}

/**
 * Output pixel (x, y) takes the source at `outToSrc(x, y)`, bilinearly sampled; outside the
 * source it is `outside` (white paper by default).
 */
export function warpGrey(
  src: GreyPixels,
  outToSrc: readonly number[],
  outW: number,
  outH: number,
  outside = 255,
): Uint8Array {
  const { data, width, height } = src;
  const out = new Uint8Array(outW * outH);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = outToSrc as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const w = h6 * x + h7 * y + h8;
      const sx = (h0 * x + h1 * y + h2) / w;
      const sy = (h3 * x + h4 * y + h5) / w;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= width - 1 || y0 >= height - 1) {
        out[y * outW + x] = outside;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * width + x0;
      const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
      const bottom = data[i + width]! + (data[i + width + 1]! - data[i + width]!) * fx;
      out[y * outW + x] = Math.round(top + (bottom - top) * fy);
    }
  }
  return out;
}
