import sharp from "sharp";
import type { BBox } from "../domain/document-model.js";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";

/** White space added around a cut-out, in inches: Tesseract misses text that touches the edge. */
const MARGIN_INCHES = 0.05;

export interface CroppedRegion {
  image: RasterImage;
  /** Where the cut-out's top-left pixel lies on the page image (negative within the margin). */
  x: number;
  y: number;
}

/**
 * Cut `box` (page-image pixels, rounded outward and clipped to the page) out of a grey page
 * render and pad it with white. Returns null when nothing of the box is on the page.
 */
export async function cropRegion(page: RasterImage, box: BBox): Promise<CroppedRegion | null> {
  const left = Math.max(0, Math.floor(box.x0));
  const top = Math.max(0, Math.floor(box.y0));
  const width = Math.min(page.width, Math.ceil(box.x1)) - left;
  const height = Math.min(page.height, Math.ceil(box.y1)) - top;
  if (width <= 0 || height <= 0) return null;
  const margin = Math.max(1, Math.round(page.dpi * MARGIN_INCHES));
  const { data, info } = await sharp(page.png, { limitInputPixels: false })
    .extract({ left, top, width, height })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: "#ffffff" })
    // The page render is grey; a colour background would otherwise turn the cut-out RGB.
    .toColourspace("b-w")
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer({ resolveWithObject: true });
  return { image: { png: withPngDensity(data, page.dpi), width: info.width, height: info.height, dpi: page.dpi }, x: left - margin, y: top - margin };
}
