import sharp from "sharp";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";

/** White space added around a region image, in inches: Tesseract misses text that touches the edge. */
const MARGIN_INCHES = 0.05;

export interface PaddedRegion {
  image: RasterImage;
  /** Pixels added on every side (at the image's DPI). */
  margin: number;
}

/** A rendered region as raw pixels (four bytes a pixel, RGBA). */
export interface RgbaRegion {
  rgba: Uint8Array;
  width: number;
  height: number;
  dpi: number;
}

/** Pad a rendered region with white and encode it as a grey PNG (the page may be colour on a coloured background). */
export async function padRegion(region: RgbaRegion): Promise<PaddedRegion> {
  const margin = Math.max(1, Math.round(region.dpi * MARGIN_INCHES));
  const { data, info } = await sharp(region.rgba, {
    raw: { width: region.width, height: region.height, channels: 4 },
    limitInputPixels: false,
  })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: "#ffffff" })
    .toColourspace("b-w")
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer({ resolveWithObject: true });
  return {
    image: { png: withPngDensity(data, region.dpi), width: info.width, height: info.height, dpi: region.dpi },
    margin,
  };
}
