/**
 * Rotating page images with sharp (libvips threads, off the event loop): quarter turns to
 * make a page upright, and small arbitrary angles to remove skew.
 */
import sharp from "sharp";
import { normalizeRotation, rotatedSize } from "./page-geometry.js";
import { withPngDensity } from "./png-density.js";
import type { RasterImage } from "./raster.js";

/** Rotate by a multiple of 90° clockwise (lossless; no resampling). */
export async function rotateQuarter(image: RasterImage, degreesClockwise: number): Promise<RasterImage> {
  const rotation = normalizeRotation(degreesClockwise);
  if (rotation === 0) return image;
  const png = await sharp(image.png, { limitInputPixels: false })
    .rotate(rotation)
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return { png: withPngDensity(png, image.dpi), ...rotatedSize(image, rotation), dpi: image.dpi };
}

/**
 * Rotate by a small angle clockwise about the centre onto a canvas expanded to hold the
 * whole image, filling the new corners with white (paper), never black, which OCR would
 * read as ink.
 *
 * A grey page stays grey. sharp's colour background otherwise turns it into 3-band sRGB,
 * which triples the PNG and costs Tesseract ~0.5 s more CPU on a 35 MP page (decoding it
 * and converting it back to grey), more than the rotation itself.
 */
export async function rotateFine(image: RasterImage, degreesClockwise: number): Promise<RasterImage> {
  if (degreesClockwise === 0) return image;
  const input = sharp(image.png, { limitInputPixels: false });
  const { channels, hasAlpha } = await input.metadata();
  const grey = (channels ?? 3) - (hasAlpha === true ? 1 : 0) === 1;
  const { data, info } = await input
    .rotate(degreesClockwise, { background: { r: 255, g: 255, b: 255, alpha: 1 } })
    .flatten({ background: "#ffffff" })
    .toColourspace(grey ? "b-w" : "srgb")
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer({ resolveWithObject: true });
  return { png: withPngDensity(data, image.dpi), width: info.width, height: info.height, dpi: image.dpi };
}
