import { DocketError } from "../errors.js";
import type { ImageHeaderInfo, ImagePageHeader } from "./image-header.js";

/**
 * Pages of a TIFF (classic and BigTIFF) from its directory chain, without decoding any
 * strip or tile. Each IFD in the main chain is a page, as libvips/sharp and tesseract count
 * them (so page N here is `sharp(…, { page: N - 1 })`). The walk stops at `maxPages + 1`
 * directories and refuses loops, so a hostile chain costs bounded time.
 */

const TAG_IMAGE_WIDTH = 256;
const TAG_IMAGE_LENGTH = 257;
const TAG_X_RESOLUTION = 282;
const TAG_Y_RESOLUTION = 283;
const TAG_RESOLUTION_UNIT = 296;

const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;
const TYPE_LONG8 = 16;

function corrupt(what: string): DocketError {
  return new DocketError("corrupt_file", `the TIFF cannot be read: ${what}`);
}

class TiffReader {
  readonly little: boolean;
  readonly big: boolean;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < 8) throw corrupt("truncated header");
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = bytes[0] === 0x49;
    const version = this.u16(2);
    if (version !== 42 && version !== 43) throw corrupt(`unknown version ${version}`);
    this.big = version === 43;
    if (this.big && (this.u16(4) !== 8 || bytes.length < 16)) throw corrupt("bad BigTIFF header");
  }

  get length(): number {
    return this.bytes.length;
  }

  private check(offset: number, size: number): void {
    if (offset < 0 || offset + size > this.bytes.length) throw corrupt("offset beyond the end of the file");
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, this.little);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, this.little);
  }

  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.view.getBigUint64(offset, this.little);
    // Offsets beyond 2^53 cannot be inside a file we could have accepted anyway.
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  }

  firstIfdOffset(): number {
    return this.big ? this.u64(8) : this.u32(4);
  }

  /** The value of an entry as a number (first element), reading inline or at its offset. */
  entryNumber(entry: number, type: number): number | undefined {
    const valueOffset = entry + (this.big ? 12 : 8);
    switch (type) {
      case TYPE_SHORT:
        return this.u16(valueOffset);
      case TYPE_LONG:
        return this.u32(valueOffset);
      case TYPE_LONG8:
        return this.big ? this.u64(valueOffset) : undefined;
      case TYPE_RATIONAL: {
        // 8 bytes: inline in BigTIFF, at an offset in classic TIFF.
        const at = this.big ? valueOffset : this.u32(valueOffset);
        const denominator = this.u32(at + 4);
        return denominator === 0 ? undefined : this.u32(at) / denominator;
      }
      default:
        return undefined;
    }
  }

  readIfd(offset: number): { page: Partial<ImagePageHeader>; next: number } {
    const count = this.big ? this.u64(offset) : this.u16(offset);
    const entrySize = this.big ? 20 : 12;
    const first = offset + (this.big ? 8 : 2);
    this.check(first, count * entrySize + (this.big ? 8 : 4));
    let width: number | undefined;
    let height: number | undefined;
    let xRes: number | undefined;
    let yRes: number | undefined;
    let unit = 2; // inch, the TIFF default
    for (let i = 0; i < count; i++) {
      const entry = first + i * entrySize;
      const tagId = this.u16(entry);
      const type = this.u16(entry + 2);
      switch (tagId) {
        case TAG_IMAGE_WIDTH:
          width = this.entryNumber(entry, type);
          break;
        case TAG_IMAGE_LENGTH:
          height = this.entryNumber(entry, type);
          break;
        case TAG_X_RESOLUTION:
          xRes = this.entryNumber(entry, type);
          break;
        case TAG_Y_RESOLUTION:
          yRes = this.entryNumber(entry, type);
          break;
        case TAG_RESOLUTION_UNIT:
          unit = this.entryNumber(entry, type) ?? 2;
          break;
        default:
          break;
      }
    }
    const page: Partial<ImagePageHeader> = {
      ...(width === undefined ? {} : { width }),
      ...(height === undefined ? {} : { height }),
    };
    if (xRes && yRes && (unit === 2 || unit === 3)) {
      const factor = unit === 3 ? 2.54 : 1;
      page.dpiX = xRes * factor;
      page.dpiY = yRes * factor;
    }
    const nextAt = first + count * entrySize;
    return { page, next: this.big ? this.u64(nextAt) : this.u32(nextAt) };
  }
}

export function readTiffPages(bytes: Uint8Array, maxPages: number): ImageHeaderInfo {
  const reader = new TiffReader(bytes);
  const pages: ImagePageHeader[] = [];
  const seen = new Set<number>();
  let offset = reader.firstIfdOffset();
  while (offset !== 0) {
    if (seen.has(offset)) throw corrupt("directory chain loops");
    if (offset >= reader.length) throw corrupt("directory offset beyond the end of the file");
    seen.add(offset);
    const { page, next } = reader.readIfd(offset);
    if (page.width === undefined || page.height === undefined)
      throw corrupt("a directory without ImageWidth/ImageLength");
    pages.push({ ...page, width: page.width, height: page.height });
    if (pages.length > maxPages) return { pages, truncated: true };
    offset = next;
  }
  if (pages.length === 0) throw corrupt("no image directory");
  return { pages, truncated: false };
}

/**
 * Resolution from a TIFF structure's first directory (as embedded in a JPEG's EXIF segment),
 * or undefined when it states none or cannot be read (EXIF is optional metadata: a broken one
 * must not make the image unreadable).
 */
export function readTiffResolution(bytes: Uint8Array): Pick<ImagePageHeader, "dpiX" | "dpiY"> | undefined {
  try {
    const reader = new TiffReader(bytes);
    const { page } = reader.readIfd(reader.firstIfdOffset());
    return page.dpiX !== undefined && page.dpiY !== undefined ? { dpiX: page.dpiX, dpiY: page.dpiY } : undefined;
  } catch {
    return undefined;
  }
}
