/**
 * The real type of an upload, from its first bytes. The file name's extension and the
 * client's Content-Type are never consulted: both are whatever the client says.
 */

export const SUPPORTED_MIME_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/tiff",
  "image/gif",
  "image/bmp",
  "image/webp",
] as const;
export type SupportedMimeType = (typeof SUPPORTED_MIME_TYPES)[number];

/** How many leading bytes `sniffMimeType` wants (a PDF header may sit anywhere in the first KiB). */
export const SNIFF_BYTES = 1024;

const EXTENSIONS: Record<SupportedMimeType, string> = {
  "application/pdf": ".pdf",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/tiff": ".tif",
  "image/gif": ".gif",
  "image/bmp": ".bmp",
  "image/webp": ".webp",
};

/** The canonical file extension (with the dot) for a supported type. */
export function extensionFor(mime: SupportedMimeType): string {
  return EXTENSIONS[mime];
}

export function isPdfMime(mime: string): boolean {
  return mime === "application/pdf";
}

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

const PDF_MAGIC = ascii("%PDF-");

/**
 * Acrobat accepts junk (e.g. mail headers) before "%PDF-" within the first 1024 bytes, and so
 * does pdf.js; we do the same so that such real-world files are not refused.
 */
function findPdfHeader(head: Uint8Array): boolean {
  const limit = Math.min(head.length, SNIFF_BYTES) - PDF_MAGIC.length;
  for (let i = 0; i <= limit; i++) {
    if (head[i] === 0x25 && startsWith(head, PDF_MAGIC, i)) return true;
  }
  return false;
}

/** BMP's "BM" is two printable letters, so also require a plausible DIB header size. */
function looksLikeBmp(head: Uint8Array): boolean {
  if (!startsWith(head, ascii("BM")) || head.length < 18) return false;
  const dibSize = (head[14] ?? 0) | ((head[15] ?? 0) << 8) | ((head[16] ?? 0) << 16) | ((head[17] ?? 0) << 24);
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(dibSize);
}

/**
 * The supported MIME type the bytes start with, or null. Pass at least `SNIFF_BYTES` bytes
 * when the file is that long; a shorter `head` is taken as the whole file.
 */
export function sniffMimeType(head: Uint8Array): SupportedMimeType | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return "image/tiff";
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return "image/tiff";
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif";
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp";
  if (looksLikeBmp(head)) return "image/bmp";
  if (findPdfHeader(head)) return "application/pdf";
  return null;
}
