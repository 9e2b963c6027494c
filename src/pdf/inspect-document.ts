import type { BlobStore } from "../blob/blob-store.js";
import { DocketError } from "../errors.js";
import { isPdfMime, type SupportedMimeType } from "../intake/sniff-type.js";
import { clampRenderDpi, DEFAULT_RENDER_LIMITS } from "../imaging/render-limits.js";
import { readImageHeader } from "./image-header.js";
import { checkPdfStructure, DEFAULT_MAX_CONTENT_BYTES } from "./pdf-structure-limits.js";
import { normalizeRotation, type Rotation } from "./page-geometry.js";
import { mapPdfjsError, openPdf, type PDFDocumentProxy } from "./pdfjs-loader.js";
import { yieldToEventLoop } from "./yield.js";

/** Limits a document must fit before any heavy work starts. */
export interface InspectLimits {
  /** Default 500. */
  maxPages?: number;
  /** Largest image page in pixels (width × height), from the header. Default 100 megapixels. */
  maxImagePixels?: number;
  /** PDFs: most bytes a Flate stream (or a page's content) may inflate to. Default 64 MiB. */
  maxContentBytes?: number;
}

export const DEFAULT_MAX_PAGES = 500;
export const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;

export interface InspectedPage {
  /** 1-based. */
  number: number;
  /** Size as displayed (after /Rotate for PDFs), in `unit`. */
  width: number;
  height: number;
  unit: "pt" | "px";
  /** PDF /Rotate (clockwise); always 0 for images (EXIF orientation is the renderer's concern). */
  rotate: Rotation;
  /** PDF only: the visible area (CropBox ∩ MediaBox) in user space. */
  viewBox?: [number, number, number, number];
  /** Images only, when the header states a resolution. */
  dpiX?: number;
  dpiY?: number;
}

export interface DocumentInspection {
  kind: "pdf" | "image";
  mimeType: SupportedMimeType;
  numPages: number;
  /**
   * The PDF has an /Encrypt dictionary but opened without a password (an "owner password"
   * that only restricts printing/copying). Such files are accepted: refusing them would refuse
   * many bank statements and e-invoices, and the restriction is not a secret.
   */
  encrypted: boolean;
  pages: InspectedPage[];
}

export type InspectInput = Uint8Array | { blobStore: BlobStore; key: string };

export interface InspectOptions extends InspectLimits {
  signal?: AbortSignal | undefined;
}

/**
 * Check that a document can be processed and describe its pages, cheaply: PDFs are parsed
 * (not rendered), images are read from their headers (not decoded).
 *
 * Throws DocketError: `encrypted_pdf` (a password is needed to open it), `corrupt_file`
 * (unparseable, truncated beyond repair, zero pages, an image header that makes no sense),
 * `too_many_pages` (> maxPages), `image_too_large` (a page over maxImagePixels: a
 * decompression bomb is refused from its header, before any decoder sees it).
 */
export async function inspectDocument(
  input: InspectInput,
  mime: SupportedMimeType,
  options: InspectOptions = {},
): Promise<DocumentInspection> {
  const bytes = input instanceof Uint8Array ? input : await input.blobStore.getBuffer(input.key);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const maxPixels = options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (bytes.length === 0) throw new DocketError("empty_file", "the file is empty (0 bytes)");
  if (!isPdfMime(mime)) return inspectImage(bytes, mime, maxPages, maxPixels);
  const inspection = await inspectPdf(bytes, maxPages, options.signal);
  // After pdf.js: a file it cannot open is refused as corrupt or encrypted first.
  await checkPdfStructure(
    bytes,
    { maxImagePixels: maxPixels, maxContentBytes: options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES },
    options.signal,
  );
  return inspection;
}

function tooManyPages(count: number | string, maxPages: number): DocketError {
  return new DocketError("too_many_pages", `the document has ${count} pages; the limit is ${maxPages}`, {
    details: { max_pages: maxPages },
  });
}

function inspectImage(
  bytes: Uint8Array,
  mime: SupportedMimeType,
  maxPages: number,
  maxPixels: number,
): DocumentInspection {
  const header = readImageHeader(bytes, mime, maxPages);
  if (header.truncated) throw tooManyPages(`more than ${maxPages}`, maxPages);
  const pages = header.pages.map((p, i): InspectedPage => {
    if (!(p.width > 0 && p.height > 0))
      throw new DocketError("corrupt_file", `page ${i + 1} has no size in its header`);
    if (p.width * p.height > maxPixels) {
      throw new DocketError(
        "image_too_large",
        `page ${i + 1} is ${p.width} × ${p.height} pixels; the limit is ${Math.round(maxPixels / 1e6)} megapixels`,
        { details: { width: p.width, height: p.height, max_pixels: maxPixels } },
      );
    }
    return {
      number: i + 1,
      width: p.width,
      height: p.height,
      unit: "px",
      rotate: 0,
      ...(p.dpiX === undefined ? {} : { dpiX: p.dpiX }),
      ...(p.dpiY === undefined ? {} : { dpiY: p.dpiY }),
    };
  });
  return { kind: "image", mimeType: mime, numPages: pages.length, encrypted: false, pages };
}

async function inspectPdf(
  bytes: Uint8Array,
  maxPages: number,
  signal: AbortSignal | undefined,
): Promise<DocumentInspection> {
  const doc = await openPdf(bytes, { signal });
  try {
    const numPages = doc.numPages;
    if (numPages === 0) throw new DocketError("corrupt_file", "the PDF has no pages");
    if (numPages > maxPages) throw tooManyPages(numPages, maxPages);
    const encrypted = await isEncrypted(doc);
    const pages: InspectedPage[] = [];
    for (let n = 1; n <= numPages; n++) {
      signal?.throwIfAborted();
      pages.push(await inspectPdfPage(doc, n));
      // getPage is cheap, but 500 of them back to back would hold the event loop.
      if (n % 25 === 0) await yieldToEventLoop();
    }
    return { kind: "pdf", mimeType: "application/pdf", numPages, encrypted, pages };
  } finally {
    await doc.destroy();
  }
}

async function inspectPdfPage(doc: PDFDocumentProxy, n: number): Promise<InspectedPage> {
  let page;
  try {
    page = await doc.getPage(n);
  } catch (error) {
    // pdf.js repairs broken cross-reference tables, so a page that still fails to load is
    // genuinely missing (typically a truncated file).
    throw mapPdfjsError(
      Object.assign(error instanceof Error ? error : new Error(String(error)), {
        message: `page ${n}: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
  }
  const [x0, y0, x1, y1] = page.view as [number, number, number, number];
  const rotate = normalizeRotation(page.rotate);
  const w = x1 - x0;
  const h = y1 - y0;
  if (!(w > 0 && h > 0)) throw new DocketError("corrupt_file", `page ${n} has an empty page box`);
  const swap = rotate === 90 || rotate === 270;
  page.cleanup();
  refuseUnrenderablePage(n, w, h);
  return {
    number: n,
    width: swap ? h : w,
    height: swap ? w : h,
    unit: "pt",
    rotate,
    viewBox: [x0, y0, x1, y1],
  };
}

/**
 * A page that does not fit the render limits even at the lowest DPI the renderer may choose
 * (1,000,000 pt square is 139,000 px a side at 10 DPI) could only be drawn on a canvas no
 * backend can allocate; refuse it here rather than fail at render_pages on every attempt.
 */
function refuseUnrenderablePage(n: number, widthPt: number, heightPt: number): void {
  const limits = DEFAULT_RENDER_LIMITS;
  const fit = clampRenderDpi(widthPt, heightPt, limits.minDpi, limits);
  if (fit.width * fit.height <= limits.maxPixels && Math.max(fit.width, fit.height) <= limits.maxSide) return;
  throw new DocketError(
    "image_too_large",
    `page ${n} is ${Math.round(widthPt)} × ${Math.round(heightPt)} pt, too large to render (${fit.width} × ${fit.height} pixels at ${limits.minDpi} DPI)`,
    { details: { width_pt: widthPt, height_pt: heightPt, max_pixels: limits.maxPixels, max_side: limits.maxSide } },
  );
}

async function isEncrypted(doc: PDFDocumentProxy): Promise<boolean> {
  try {
    const { info } = await doc.getMetadata();
    const filter = (info as { EncryptFilterName?: unknown } | undefined)?.EncryptFilterName;
    return typeof filter === "string" && filter !== "";
  } catch {
    return false; // metadata is informational; a broken Info dict is not a reason to refuse
  }
}
