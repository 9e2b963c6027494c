/**
 * Writes a PNG's resolution (its pHYs chunk). libvips stores 1 pixel/mm (25.4 DPI) when it
 * knows nothing, and asking sharp to keep a density also tags the image sRGB (turning grey
 * pages into RGB), so Docket sets the chunk itself: Tesseract reads it (OSD cannot be given a
 * DPI any other way) and warns "Invalid resolution" without a sensible one.
 */
import { crc32 } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with its pHYs chunk set to `dpi` (any existing one replaced); other bytes untouched. */
export function withPngDensity(png: Buffer, dpi: number): Buffer {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE) || !(dpi > 0)) return png;
  const ppm = Math.round(dpi / 0.0254);
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(ppm, 0);
  phys.writeUInt32BE(ppm, 4);
  phys.writeUInt8(1, 8); // unit: metre
  const parts: Buffer[] = [SIGNATURE];
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) return png; // truncated: leave it alone
    if (type !== "pHYs") parts.push(png.subarray(offset, end));
    if (type === "IHDR") parts.push(chunk("pHYs", phys));
    offset = end;
  }
  return Buffer.concat(parts);
}
