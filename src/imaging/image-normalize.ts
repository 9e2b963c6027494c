/**
 * Turns an uploaded image (JPEG, PNG, TIFF incl. multi-page, WebP, GIF, AVIF) into what OCR
 * wants: upright per its EXIF orientation, no alpha (composited on white, as paper is),
 * 8-bit grey or sRGB whatever the source model (CMYK, 16-bit, palette, 1-bit), one PNG per
 * page, with the DPI its metadata claims when that is believable.
 *
 * All pixel work is done by sharp (libvips on its own thread pool), so the event loop only
 * waits; pages are decoded one at a time, so a 300-page TIFF costs one page of memory.
 */
import sharp from "sharp";
import { DocketError } from "../errors.js";
import { chooseInkGrey, darkestChannel } from "./ink-channel.js";
import { withPngDensity } from "./png-density.js";
import { plausibleDpi, type RasterImage } from "./raster.js";

export type OcrColour = "grey" | "rgb";

export interface ImageNormalizeOptions {
  /** Refuse images with more pixels than this per page (decompression bombs): `image_too_large`. */
  maxInputPixels?: number;
  /** Downscale pages above this many pixels (DPI is scaled with them). */
  maxOutputPixels?: number;
  colour?: OcrColour;
}

export const DEFAULT_IMAGE_LIMITS = { maxInputPixels: 250_000_000, maxOutputPixels: 50_000_000 } as const;

/** Formats sharp decodes that Docket accepts as page images. */
const ACCEPTED_FORMATS = new Set(["jpeg", "png", "tiff", "webp", "gif", "heif", "jp2"]);

/** A page image after normalisation, with what was done to it. */
export interface NormalizedPage extends RasterImage {
  /** The DPI the file declared (undefined when absent); `dpi` is what Docket believes. */
  declaredDpi: number | undefined;
  /** EXIF orientation tag that was applied (1 = none). */
  exifOrientation: number;
  /** True when the page was downscaled to maxOutputPixels. */
  downscaled: boolean;
  /** Which grey the page was turned into: luminance, or each pixel's darkest channel (ink-channel.ts). */
  ink: "luminance" | "darkest";
}

/** An image file opened for OCR: its pages are normalised on demand, one at a time. */
export interface OpenedImage {
  format: string;
  pageCount: number;
  /** Normalise 0-based page `index`. */
  page(index: number): Promise<NormalizedPage>;
}

function isSharpBombError(error: unknown): boolean {
  return error instanceof Error && /pixel limit|exceeds pixel/i.test(error.message);
}

/**
 * Read the image's header and return a handle to normalise its pages. Throws
 * `unsupported_type` for data sharp cannot read or formats Docket does not accept,
 * `image_too_large` for pages above maxInputPixels.
 */
export async function openImageForOcr(bytes: Buffer, options: ImageNormalizeOptions = {}): Promise<OpenedImage> {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_IMAGE_LIMITS.maxInputPixels;
  const maxOutputPixels = options.maxOutputPixels ?? DEFAULT_IMAGE_LIMITS.maxOutputPixels;
  const colour = options.colour ?? "grey";
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new DocketError("unsupported_type", `not a readable image: ${(error as Error).message}`, { cause: error });
  }
  const format = meta.format ?? "unknown";
  if (!ACCEPTED_FORMATS.has(format)) {
    throw new DocketError("unsupported_type", `image format ${format} is not supported for OCR`);
  }
  // Animated GIF/WebP frames are not pages; only TIFF (and PDF, elsewhere) have real pages.
  const pageCount = format === "tiff" ? Math.max(1, meta.pages ?? 1) : 1;

  const page = async (index: number): Promise<NormalizedPage> => {
    if (!Number.isInteger(index) || index < 0 || index >= pageCount) {
      throw new DocketError("validation_error", `page index ${index} is outside 0..${pageCount - 1}`);
    }
    const input = (): sharp.Sharp =>
      sharp(bytes, { page: index, pages: 1, limitInputPixels: maxInputPixels, failOn: "none" });
    let pageMeta: sharp.Metadata;
    try {
      pageMeta = await input().metadata();
    } catch (error) {
      if (isSharpBombError(error)) {
        throw new DocketError(
          "image_too_large",
          `image page ${index + 1} exceeds the pixel limit of ${maxInputPixels}`,
          {
            cause: error,
          },
        );
      }
      throw new DocketError("corrupt_file", `image page ${index + 1} could not be read: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const orientation = pageMeta.orientation ?? 1;
    // EXIF orientations 5–8 swap width and height.
    const swap = orientation >= 5 && orientation <= 8;
    const rawW = pageMeta.width ?? 0;
    const rawH = pageMeta.pageHeight ?? pageMeta.height ?? 0;
    if (rawW * rawH > maxInputPixels) {
      throw new DocketError(
        "image_too_large",
        `image page ${index + 1} has ${rawW}×${rawH} pixels, above the limit of ${maxInputPixels}`,
      );
    }
    const width0 = swap ? rawH : rawW;
    const height0 = swap ? rawW : rawH;
    const scale = width0 * height0 > maxOutputPixels ? Math.sqrt(maxOutputPixels / (width0 * height0)) : 1;
    const declared = pageMeta.density;
    const dpi = plausibleDpi(declared) * scale;

    let pipeline = input().autoOrient();
    // TIFFs may carry extra samples (5+ channels) that flatten/colour conversion reject;
    // OCR needs luminance, which the first channel approximates well for scans.
    if ((pageMeta.channels ?? 0) > 4) pipeline = pipeline.extractChannel(0);
    if (scale < 1) {
      pipeline = pipeline.resize(Math.max(1, Math.floor(width0 * scale)), Math.max(1, Math.floor(height0 * scale)), {
        fit: "fill",
      });
    }
    // Paper is white: transparent pixels become white, not black.
    if (pageMeta.hasAlpha === true && (pageMeta.channels ?? 0) <= 4)
      pipeline = pipeline.flatten({ background: "#ffffff" });
    // Colour print on a colour page is read in the channel where it is darkest (ink-channel.ts).
    const ink =
      colour === "grey" && pageMeta.space === "srgb" && [3, 4].includes(pageMeta.channels ?? 0)
        ? await chooseInkGrey(pipeline.clone())
        : "luminance";
    if (ink === "darkest") {
      const { data, info } = await pipeline.toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
      const grey = darkestChannel(data, info.width * info.height, info.channels);
      pipeline = sharp(grey, { raw: { width: info.width, height: info.height, channels: 1 } });
    } else pipeline = colour === "grey" ? pipeline.toColourspace("b-w") : pipeline.toColourspace("srgb");
    try {
      const { data, info } = await pipeline
        .png({ compressionLevel: 1, adaptiveFiltering: false })

        .toBuffer({ resolveWithObject: true });
      return {
        png: withPngDensity(data, dpi),
        width: info.width,
        height: info.height,
        dpi,
        declaredDpi: declared,
        exifOrientation: orientation,
        downscaled: scale < 1,
        ink,
      };
    } catch (error) {
      if (isSharpBombError(error)) {
        throw new DocketError("image_too_large", `image page ${index + 1} exceeds the pixel limit`, { cause: error });
      }
      throw new DocketError(
        "corrupt_file",
        `image page ${index + 1} could not be decoded: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  };

  return { format, pageCount, page };
}
