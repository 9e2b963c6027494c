import { createInflate } from "node:zlib";
import type { PDFDict } from "pdf-lib";
import {
  PDFArray,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  type PDFContext,
  type PDFObject,
} from "pdf-lib";
import { DocketError } from "../errors.js";
import { yieldToEventLoop } from "./yield.js";

/**
 * What a PDF may contain before any decoder (pdf.js, PDFium, sharp) sees it. A PDF's page
 * size says nothing about what painting it costs: one Flate-compressed 50,000 × 50,000 grey
 * image is a 2.4 MB file that decodes to 2.5 GB, and a content stream of zeros inflates a
 * thousandfold. Both are read here from the file's structure without decoding any image:
 * image XObjects by the /Width and /Height of their dictionaries, Flate streams by inflating
 * them through a counter that discards the bytes and stops at the cap.
 */
export interface PdfStructureLimits {
  /** The same budget image files get (width × height of one image). */
  maxImagePixels: number;
  /** Most bytes one Flate stream that is not an image may inflate to; a page's content streams together too. */
  maxContentBytes: number;
}

/**
 * 64 MiB: a dense CAD drawing's page is a few MB of operators; pdf.js keeps a page's whole
 * operator list in memory, several times the stream's size.
 */
export const DEFAULT_MAX_CONTENT_BYTES = 64 * 1024 * 1024;

/**
 * Refuse a PDF whose images or content streams exceed the limits: `image_too_large` for an
 * image XObject over the pixel budget, `too_complex` for a stream that inflates past the cap.
 * A file pdf-lib cannot parse is left to pdf.js, which already accepted it (and whose
 * decoders are capped by `maxImageSize`).
 */
export async function checkPdfStructure(
  bytes: Uint8Array,
  limits: PdfStructureLimits,
  signal?: AbortSignal,
): Promise<void> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    return;
  }
  const inflated = new Map<PDFRawStream, number>();
  let seen = 0;
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    signal?.throwIfAborted();
    if (isImage(object.dict)) {
      checkImage(object.dict, ref, limits.maxImagePixels);
      // An image's Flate stream may not inflate past what its size can hold (16 bits × 4 channels).
      const cap = imageByteCap(object.dict);
      if (isFlate(object.dict) && (await inflatedSize(object.contents, cap)) > cap) {
        throw tooComplex(`image ${ref.toString()} inflates past the ${cap} bytes its size allows`, cap);
      }
    } else if (isFlate(object.dict)) {
      const size = await inflatedSize(object.contents, limits.maxContentBytes);
      if (size > limits.maxContentBytes) {
        throw tooComplex(
          `stream ${ref.toString()} inflates to more than ${mib(limits.maxContentBytes)}`,
          limits.maxContentBytes,
        );
      }
      inflated.set(object, size);
    } else {
      inflated.set(object, object.contents.length);
    }
    if (++seen % 200 === 0) await yieldToEventLoop();
  }
  // One stream may be listed many times in a page's /Contents: count it each time.
  doc.getPages().forEach((page, index) => {
    let total = 0;
    for (const stream of contentStreams(doc.context, page.node.get(PDFName.of("Contents")))) {
      total += inflated.get(stream) ?? stream.contents.length;
      if (total > limits.maxContentBytes) {
        throw tooComplex(
          `page ${index + 1}'s content inflates to more than ${mib(limits.maxContentBytes)}`,
          limits.maxContentBytes,
        );
      }
    }
  });
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

function tooComplex(message: string, cap: number): DocketError {
  return new DocketError("too_complex", `the PDF is too complex to process: ${message}`, {
    details: { max_bytes: cap },
  });
}

function isImage(dict: PDFDict): boolean {
  return dict.get(PDFName.of("Subtype")) === PDFName.of("Image");
}

function numberOf(dict: PDFDict, key: string): number {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : 0;
}

function checkImage(dict: PDFDict, ref: PDFRef, maxPixels: number): void {
  const width = numberOf(dict, "Width");
  const height = numberOf(dict, "Height");
  if (width * height > maxPixels) {
    throw new DocketError(
      "image_too_large",
      `the PDF contains an image of ${width} × ${height} pixels (${ref.toString()}); the limit is ${Math.round(maxPixels / 1e6)} megapixels`,
      { details: { width, height, max_pixels: maxPixels } },
    );
  }
}

function imageByteCap(dict: PDFDict): number {
  const width = Math.max(1, numberOf(dict, "Width"));
  const height = Math.max(1, numberOf(dict, "Height"));
  // Predictors add a byte per row; 1 MiB of slack for everything else.
  return (width * 8 + 1) * height + 1024 * 1024;
}

function isFlate(dict: PDFDict): boolean {
  const filter = dict.get(PDFName.of("Filter"));
  const flate = (o: PDFObject | undefined): boolean => o === PDFName.of("FlateDecode") || o === PDFName.of("Fl");
  if (filter instanceof PDFArray) return filter.asArray().some(flate);
  return flate(filter);
}

function contentStreams(context: PDFContext, contents: PDFObject | undefined): PDFRawStream[] {
  const resolved = contents instanceof PDFRef ? context.lookup(contents) : contents;
  if (resolved instanceof PDFRawStream) return [resolved];
  if (!(resolved instanceof PDFArray)) return [];
  return resolved
    .asArray()
    .map((item) => (item instanceof PDFRef ? context.lookup(item) : item))
    .filter((item): item is PDFRawStream => item instanceof PDFRawStream);
}

/**
 * Bytes `data` inflates to, counted up to just past `cap` and then abandoned: the output is
 * never kept, so a gigabyte bomb costs one zlib window of memory. A damaged stream counts what
 * inflated before the damage (pdf.js reads such streams the same way).
 */
function inflatedSize(data: Uint8Array, cap: number): Promise<number> {
  return new Promise((resolve) => {
    const inflate = createInflate();
    let total = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(total);
    };
    inflate.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > cap) {
        finish();
        inflate.destroy();
      }
    });
    inflate.on("end", finish);
    inflate.on("error", finish);
    inflate.on("close", finish);
    inflate.end(data);
  });
}
