/**
 * Renders a page that is one plain upright image (see pdf-image-placement.ts) with sharp
 * instead of pdfjs, for images too large for pdfjs's full-size decode to stay within the
 * memory budget. Sharp decodes JPEG with shrink-on-load; zlib-compressed raw samples are
 * inflated chunk by chunk straight to the output colour model, so the peak is about one
 * grey copy of the image, where pdfjs holds about three RGB(A) copies.
 *
 * The geometry matches pdfjs's: output size ceil(box × dpi / 72), the image placed at its
 * rectangle relative to the crop box, white elsewhere, then /Rotate applied clockwise.
 */
import { Readable } from "node:stream";
import { createInflate } from "node:zlib";
import sharp from "sharp";
import type { PdfRect, PlacedImage } from "./pdf-image-placement.js";
import type { RenderColour } from "./pdf-page-renderer.js";

export interface LargeImagePageRequest {
  image: PlacedImage;
  /** The page's crop box in PDF user space. */
  box: PdfRect;
  /** The page's /Rotate (0/90/180/270). */
  rotate: number;
  dpi: number;
  colour: RenderColour;
}

export interface LargeImagePage {
  png: Buffer;
  width: number;
  height: number;
}

/**
 * Inflate zlib-compressed 8-bit samples chunk by chunk into one buffer of `outChannels`
 * per pixel, converting RGB to grey (Rec. 601 luma, as libvips does) on the fly. Going
 * straight to grey keeps a 9000×9000 RGB scan at 81 MB instead of 243 MB, and sharp would
 * otherwise buffer the whole decompressed stream before starting.
 */
async function inflateSamples(image: PlacedImage, outChannels: 1 | 3): Promise<Buffer> {
  const pixels = image.width * image.height;
  const out = Buffer.alloc(pixels * outChannels, 255);
  const inflater = Readable.from([
    Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength),
  ]).pipe(createInflate());
  const grey = outChannels === 1 && image.channels === 3;
  let carry = Buffer.alloc(0);
  let pos = 0; // samples written to `out`
  for await (const chunk of inflater as AsyncIterable<Buffer>) {
    if (!grey) {
      const n = Math.min(chunk.length, out.length - pos);
      chunk.copy(out, pos, 0, n);
      pos += n;
      continue;
    }
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = data.length - (data.length % 3);
    for (let i = 0; i < whole && pos < out.length; i += 3) {
      out[pos++] = (299 * data[i]! + 587 * data[i + 1]! + 114 * data[i + 2]! + 500) / 1000;
    }
    carry = Buffer.from(data.subarray(whole));
  }
  // A truncated stream leaves white below the last decoded row, as pdfjs does.
  return out;
}

async function sourceOf(image: PlacedImage, colour: RenderColour): Promise<sharp.Sharp> {
  const options: sharp.SharpOptions = { limitInputPixels: false, sequentialRead: true };
  if (image.encoding === "jpeg") return sharp(image.bytes, options);
  const channels = colour === "grey" ? 1 : image.channels;
  const samples = await inflateSamples(image, channels);
  return sharp(samples, { ...options, raw: { width: image.width, height: image.height, channels } });
}

export async function renderLargeImagePage(request: LargeImagePageRequest): Promise<LargeImagePage> {
  const { image, box, dpi } = request;
  const s = dpi / 72;
  const pageW = Math.ceil((box.x1 - box.x0) * s);
  const pageH = Math.ceil((box.y1 - box.y0) * s);
  // Image rectangle in page pixels (y down from the top of the crop box).
  const left = Math.round((image.rect.x0 - box.x0) * s);
  const top = Math.round((box.y1 - image.rect.y1) * s);
  const w = Math.max(1, Math.round((image.rect.x1 - image.rect.x0) * s));
  const h = Math.max(1, Math.round((image.rect.y1 - image.rect.y0) * s));
  // The part of the image that falls on the page.
  const vx0 = Math.max(0, left);
  const vy0 = Math.max(0, top);
  const vx1 = Math.min(pageW, left + w);
  const vy1 = Math.min(pageH, top + h);

  const channels = request.colour === "grey" ? 1 : 3;
  const white = { r: 255, g: 255, b: 255, alpha: 1 };
  let page: Buffer;
  if (vx1 <= vx0 || vy1 <= vy0) {
    page = Buffer.alloc(pageW * pageH * channels, 255);
  } else {
    let pipeline = (await sourceOf(image, request.colour)).resize(w, h, { fit: "fill", kernel: "lanczos3" });
    if (vx0 !== left || vy0 !== top || vx1 - vx0 !== w || vy1 - vy0 !== h) {
      pipeline = pipeline.extract({ left: vx0 - left, top: vy0 - top, width: vx1 - vx0, height: vy1 - vy0 });
    }
    pipeline = pipeline
      .extend({ top: vy0, left: vx0, bottom: pageH - vy1, right: pageW - vx1, background: white })
      .removeAlpha()
      .toColourspace(request.colour === "grey" ? "b-w" : "srgb");
    page = await pipeline.raw().toBuffer();
  }
  // Second pass: sharp rotates before it resizes, so /Rotate is applied to the composed page.
  const rotated = sharp(page, { raw: { width: pageW, height: pageH, channels }, limitInputPixels: false }).rotate(
    request.rotate,
  );
  const quarter = request.rotate % 180 !== 0;
  const png = await rotated.png({ compressionLevel: 3, adaptiveFiltering: false }).toBuffer();
  return { png, width: quarter ? pageH : pageW, height: quarter ? pageW : pageH };
}
