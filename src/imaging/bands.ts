/**
 * Splits a tall page image into horizontal bands for tiled recognition ("gundam" resolution):
 * each band is recognised separately (in parallel across the engine's workers, with bounded
 * memory per call). Cuts are placed on the emptiest row near each nominal boundary so a cut
 * runs between text lines, not through them; full-width bands keep columns intact.
 */
import sharp from "sharp";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";

export interface Band {
  /** Row of the page where this band starts. */
  top: number;
  image: RasterImage;
}

/** Ink per row (dark pixels), from a grey decode done by sharp. */
async function rowInk(image: RasterImage): Promise<Uint32Array> {
  const { data, info } = await sharp(image.png, { limitInputPixels: false })
    .toColourspace("b-w")
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ink = new Uint32Array(info.height);
  for (let y = 0; y < info.height; y++) {
    let count = 0;
    const row = y * info.width;
    for (let x = 0; x < info.width; x++) if (data[row + x]! < 128) count++;
    ink[y] = count;
  }
  return ink;
}

/**
 * Cut rows for `height` rows at most `maxBandHeight` apart, each on the emptiest row of the
 * last quarter before its nominal position (pure; exported for tests).
 */
export function chooseCuts(ink: ArrayLike<number>, maxBandHeight: number): number[] {
  const height = ink.length;
  const cuts: number[] = [];
  let start = 0;
  while (height - start > maxBandHeight) {
    const end = start + maxBandHeight;
    const from = Math.max(start + 1, end - Math.floor(maxBandHeight / 4));
    let best = end;
    let bestInk = Infinity;
    for (let y = end; y >= from; y--) {
      const v = ink[y] ?? 0;
      if (v < bestInk) {
        bestInk = v;
        best = y;
        if (v === 0) break;
      }
    }
    cuts.push(best);
    start = best;
  }
  return cuts;
}

/** Split `image` into bands no taller than `maxBandHeight` (one band when it already fits). */
export async function splitIntoBands(image: RasterImage, maxBandHeight: number): Promise<Band[]> {
  if (image.height <= maxBandHeight) return [{ top: 0, image }];
  const cuts = chooseCuts(await rowInk(image), maxBandHeight);
  const edges = [0, ...cuts, image.height];
  const bands: Band[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const top = edges[i]!;
    const height = edges[i + 1]! - top;
    if (height <= 0) continue;
    const png = await sharp(image.png, { limitInputPixels: false })
      .extract({ left: 0, top, width: image.width, height })
      .png({ compressionLevel: 1, adaptiveFiltering: false })
      .toBuffer();
    bands.push({ top, image: { png: withPngDensity(png, image.dpi), width: image.width, height, dpi: image.dpi } });
  }
  return bands;
}
