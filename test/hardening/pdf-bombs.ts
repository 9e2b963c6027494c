/**
 * Hostile PDFs made on the fly, small on disk and enormous when decoded: a zlib stream of
 * zeros is built from one compressed 16 MiB segment repeated (a full flush resets the
 * compressor, so every segment compresses to the same bytes), so a gigabyte costs
 * milliseconds to make and about a megabyte to store.
 */
import { constants, deflateRawSync } from "node:zlib";
import { PDFDocument, PDFName, type PDFPage } from "pdf-lib";

const SEGMENT = 16 * 1024 * 1024;
let segment: Buffer | undefined;

/** A valid zlib stream that inflates to `size` zero bytes (a multiple of 16 MiB, rounded up). */
export function zerosFlate(size: number): Buffer {
  segment ??= deflateRawSync(Buffer.alloc(SEGMENT), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const count = Math.ceil(size / SEGMENT);
  const total = count * SEGMENT;
  const header = Buffer.from([0x78, 0xda]);
  const last = deflateRawSync(Buffer.alloc(0));
  // Adler-32 of n zeros: a stays 1, b adds 1 per byte.
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([header, ...Array.from({ length: count }, () => segment as Buffer), last, adler]);
}

async function onePage(size: [number, number] = [612, 792]): Promise<{ doc: PDFDocument; page: PDFPage }> {
  const doc = await PDFDocument.create();
  const page = doc.addPage(size);
  return { doc, page };
}

/** One grey 8-bit image of width × height drawn on the page; its stream inflates to its full size. */
export async function pdfWithHugeImage(width: number, height: number): Promise<Uint8Array> {
  const { doc, page } = await onePage();
  const image = doc.context.stream(zerosFlate(width * height), {
    Type: "XObject",
    Subtype: "Image",
    Width: width,
    Height: height,
    ColorSpace: "DeviceGray",
    BitsPerComponent: 8,
    Filter: "FlateDecode",
  });
  const name = page.node.newXObject("Im", doc.context.register(image));
  const content = doc.context.stream(`q 612 0 0 792 0 0 cm /${name.asString().slice(1)} Do Q`);
  page.node.set(PDFName.of("Contents"), doc.context.register(content));
  return doc.save({ useObjectStreams: false });
}

/** A page whose content stream (zeros: whitespace to a PDF parser) inflates to `bytes`, listed `times` times. */
export async function pdfWithContentBomb(bytes: number, times = 1): Promise<Uint8Array> {
  const { doc, page } = await onePage();
  const ref = doc.context.register(doc.context.stream(zerosFlate(bytes), { Filter: "FlateDecode" }));
  page.node.set(PDFName.of("Contents"), doc.context.obj(Array.from({ length: times }, () => ref)));
  return doc.save({ useObjectStreams: false });
}

/** An empty page of the given size in points. */
export async function pdfWithPageSize(width: number, height: number): Promise<Uint8Array> {
  const { doc } = await onePage([width, height]);
  return doc.save({ useObjectStreams: false });
}
