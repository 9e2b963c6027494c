import { DocketError } from "../errors.js";
import type { SupportedMimeType } from "../intake/sniff-type.js";
import { readTiffPages, readTiffResolution } from "./tiff-header.js";

/**
 * Image dimensions (and resolution where the header says) read from the file's header
 * alone, never decoding pixels. This is what lets us refuse a decompression bomb — a 50 KB
 * PNG that claims 100,000 × 100,000 pixels — in microseconds and with no memory, before any
 * decoder (sharp/libvips, tesseract) is allowed near it.
 */

export interface ImagePageHeader {
  width: number;
  height: number;
  /** Pixels per inch from the header (pHYs, JFIF density, TIFF/BMP resolution), when stated. */
  dpiX?: number;
  dpiY?: number;
}

export interface ImageHeaderInfo {
  /** One entry per page: TIFF directories, otherwise a single page (GIF animations: first frame). */
  pages: ImagePageHeader[];
  /** True when the page list was cut at `maxPages + 1` (TIFF): there are more than `maxPages`. */
  truncated: boolean;
}

function corrupt(what: string): DocketError {
  return new DocketError("corrupt_file", `the image cannot be read: ${what}`);
}

function u16be(b: Uint8Array, o: number): number {
  if (o + 2 > b.length) throw corrupt("truncated header");
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}
function u32be(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) throw corrupt("truncated header");
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}
function u16le(b: Uint8Array, o: number): number {
  if (o + 2 > b.length) throw corrupt("truncated header");
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u24le(b: Uint8Array, o: number): number {
  if (o + 3 > b.length) throw corrupt("truncated header");
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16);
}
function i32le(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) throw corrupt("truncated header");
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24);
}
function tag(b: Uint8Array, o: number): string {
  return String.fromCharCode(...b.subarray(o, o + 4));
}

const INCH_PER_METER = 0.0254;

function dpiFromPerMeter(x: number, y: number): Pick<ImagePageHeader, "dpiX" | "dpiY"> {
  if (!(x > 0 && y > 0)) return {};
  return { dpiX: Math.round(x * INCH_PER_METER * 100) / 100, dpiY: Math.round(y * INCH_PER_METER * 100) / 100 };
}

function png(b: Uint8Array): ImagePageHeader {
  // Signature (8), then the first chunk must be IHDR: length 13, "IHDR", width, height.
  if (tag(b, 12) !== "IHDR") throw corrupt("PNG without IHDR");
  const page: ImagePageHeader = { width: u32be(b, 16), height: u32be(b, 20) };
  // pHYs, when present, precedes the first IDAT; look only at the chunks before it.
  let offset = 8;
  for (let i = 0; i < 64 && offset + 8 <= b.length; i++) {
    const length = u32be(b, offset);
    const type = tag(b, offset + 4);
    if (type === "IDAT" || type === "IEND") break;
    if (type === "pHYs" && length >= 9 && b[offset + 16] === 1) {
      Object.assign(page, dpiFromPerMeter(u32be(b, offset + 8), u32be(b, offset + 12)));
      break;
    }
    offset += 12 + length;
  }
  return page;
}

function isJpegSof(marker: number): boolean {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpeg(b: Uint8Array): ImagePageHeader {
  let offset = 2;
  let density: Pick<ImagePageHeader, "dpiX" | "dpiY"> = {};
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) throw corrupt("JPEG marker expected");
    const marker = b[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // standalone markers have no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // EOI / start of scan: no frame header seen
    const length = u16be(b, offset + 2);
    if (length < 2) throw corrupt("bad JPEG segment length");
    if (marker === 0xe0 && tag(b, offset + 4) === "JFIF" && length >= 14) {
      const units = b[offset + 11];
      const x = u16be(b, offset + 12);
      const y = u16be(b, offset + 14);
      if (units === 1 && x > 1 && y > 1) density = { dpiX: x, dpiY: y };
      else if (units === 2 && x > 1 && y > 1) density = { dpiX: x * 2.54, dpiY: y * 2.54 };
    }
    // EXIF (APP1) states the resolution when JFIF does not (cameras, libvips/sharp).
    if (marker === 0xe1 && density.dpiX === undefined && tag(b, offset + 4) === "Exif" && length > 8) {
      const exif = readTiffResolution(b.subarray(offset + 10, offset + 2 + length));
      if (exif) density = exif;
    }
    if (isJpegSof(marker)) {
      return { height: u16be(b, offset + 5), width: u16be(b, offset + 7), ...density };
    }
    offset += 2 + length;
  }
  throw corrupt("JPEG without a frame header");
}

function gif(b: Uint8Array): ImagePageHeader {
  return { width: u16le(b, 6), height: u16le(b, 8) };
}

function bmp(b: Uint8Array): ImagePageHeader {
  const dibSize = i32le(b, 14);
  if (dibSize === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
  // Negative height means a top-down bitmap; the size is the absolute value.
  const page: ImagePageHeader = { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (dibSize >= 40) Object.assign(page, dpiFromPerMeter(i32le(b, 38), i32le(b, 42)));
  return page;
}

function webp(b: Uint8Array): ImagePageHeader {
  const chunk = tag(b, 12);
  if (chunk === "VP8X") return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) throw corrupt("bad WebP lossless signature");
    const bits = (u16le(b, 21) | (u16le(b, 23) << 16)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8 ") {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw corrupt("bad WebP frame start code");
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  throw corrupt(`unknown WebP chunk ${JSON.stringify(chunk)}`);
}

/**
 * Read the page sizes of an image from its header. `maxPages` bounds the work for TIFF (a
 * 1,000-directory file costs at most `maxPages + 1` directory reads); it does not throw.
 */
export function readImageHeader(bytes: Uint8Array, mime: SupportedMimeType, maxPages: number): ImageHeaderInfo {
  let page: ImagePageHeader;
  switch (mime) {
    case "image/png":
      page = png(bytes);
      break;
    case "image/jpeg":
      page = jpeg(bytes);
      break;
    case "image/gif":
      page = gif(bytes);
      break;
    case "image/bmp":
      page = bmp(bytes);
      break;
    case "image/webp":
      page = webp(bytes);
      break;
    case "image/tiff":
      return readTiffPages(bytes, maxPages);
    case "application/pdf":
      throw new Error("readImageHeader called for a PDF");
  }
  return { pages: [page], truncated: false };
}
