import type { Writable } from "node:stream";
import {
  PDFContext,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObjectCopier,
  type PDFObject,
  type PDFPage,
  type PDFRef,
} from "pdf-lib";
import { DocketError } from "../../errors.js";
import { StreamSink } from "./stream-sink.js";

/** One document of the merged PDF: its bookmark title and its bytes (PDF, PNG or JPEG); null bytes = left out. */
export interface PdfPart {
  title: string;
  load(): Promise<{ bytes: Uint8Array; mimeType: string } | null>;
}

export interface MergedPdfReport {
  documents: number;
  pages: number;
  /** Titles of the parts left out (no PDF and not an image pdf-lib can place), with why. */
  skipped: { title: string; reason: string }[];
}

/**
 * Writes one PDF made of every part's pages, in order, with an outline (bookmark) per part
 * pointing at its first page, to `out`, streaming.
 *
 * pdf-lib builds a document in memory and serialises it at the end: 1,000 scanned pages would
 * sit in memory at once. Here only one source document is loaded at a time: its pages are
 * copied into an output context (pdf-lib's own PDFObjectCopier renumbers every object and
 * brings inherited attributes onto the page), the copied objects are written to the stream
 * at once and dropped from the context. What stays in memory to the end is one byte offset
 * per object (the xref table) and one reference per page (the page tree and the outline),
 * which are written last, after the pages they refer to, as PDF allows.
 */
export async function writeMergedPdf(
  parts: AsyncIterable<PdfPart>,
  out: Writable,
  options: { signal?: AbortSignal; onPart?: (done: number) => void } = {},
): Promise<MergedPdfReport> {
  const sink = new StreamSink(out);
  const context = PDFContext.create();
  const offsets = new Map<number, number>();
  const pagesRef = context.nextRef();
  const outlinesRef = context.nextRef();
  const catalogRef = context.nextRef();
  const pageRefs: PDFRef[] = [];
  const bookmarks: { title: string; firstPage: PDFRef }[] = [];
  const skipped: MergedPdfReport["skipped"] = [];

  // A binary comment after the header tells transfer tools the file is binary (PDF 32000 7.5.2).
  await sink.write(Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1"));

  const writeObject = async (ref: PDFRef, object: PDFObject) => {
    offsets.set(ref.objectNumber, sink.position);
    const body = Buffer.alloc(object.sizeInBytes());
    object.copyBytesInto(body, 0);
    await sink.write(Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, "latin1"));
    await sink.write(body);
    await sink.write(Buffer.from("\nendobj\n", "latin1"));
  };

  /** Writes every object the copier registered since the last flush, then forgets them. */
  const flush = async () => {
    for (const [ref, object] of context.enumerateIndirectObjects()) {
      await writeObject(ref, object);
      context.delete(ref);
    }
  };

  let done = 0;
  for await (const part of parts) {
    if (options.signal?.aborted) throw options.signal.reason ?? new DocketError("cancelled", "cancelled");
    const source = await part.load();
    let document: PDFDocument | null = null;
    let pages: PDFPage[] = [];
    let reason = source ? `cannot place ${source.mimeType}` : "no PDF output";
    try {
      document = source ? await toPdfDocument(source.bytes, source.mimeType) : null;
      // pdf-lib parses lazily: a broken file may only fail when its page tree is read.
      pages = document?.getPages() ?? [];
    } catch (error) {
      document = null;
      // One unreadable member must not cost the whole merge: it is left out and reported.
      reason = `unreadable: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`;
    }
    if (!document) {
      skipped.push({ title: part.title, reason });
      options.onPart?.(++done);
      continue;
    }
    const copier = PDFObjectCopier.for(document.context, context);
    let first: PDFRef | null = null;
    for (const page of pages) {
      const copied = copier.copy(page.node);
      copied.set(PDFName.of("Parent"), pagesRef);
      const ref = context.register(copied);
      first ??= ref;
      pageRefs.push(ref);
    }
    if (first) bookmarks.push({ title: part.title, firstPage: first });
    await flush();
    options.onPart?.(++done);
  }

  // The outline: one item per document, siblings under one root, each opening its first page.
  const itemRefs = bookmarks.map(() => context.nextRef());
  for (let i = 0; i < bookmarks.length; i++) {
    const item = context.obj({
      Title: PDFHexString.fromText(bookmarks[i]!.title),
      Parent: outlinesRef,
      Dest: [bookmarks[i]!.firstPage, "XYZ", null, null, null],
    });
    if (i > 0) item.set(PDFName.of("Prev"), itemRefs[i - 1]!);
    if (i < bookmarks.length - 1) item.set(PDFName.of("Next"), itemRefs[i + 1]!);
    await writeObject(itemRefs[i]!, item);
  }
  const outlines = context.obj({ Type: "Outlines", Count: PDFNumber.of(bookmarks.length) });
  if (itemRefs.length > 0) {
    outlines.set(PDFName.of("First"), itemRefs[0]!);
    outlines.set(PDFName.of("Last"), itemRefs.at(-1)!);
  }
  await writeObject(outlinesRef, outlines);
  await writeObject(pagesRef, context.obj({ Type: "Pages", Kids: pageRefs, Count: PDFNumber.of(pageRefs.length) }));
  await writeObject(
    catalogRef,
    context.obj({ Type: "Catalog", Pages: pagesRef, Outlines: outlinesRef, PageMode: "UseOutlines" }),
  );

  // The cross-reference table: every object number up to the largest, unused ones free.
  const size = context.largestObjectNumber + 1;
  const xrefAt = sink.position;
  const lines: string[] = [`xref\n0 ${size}\n`, "0000000000 65535 f \n"];
  for (let n = 1; n < size; n++) {
    const at = offsets.get(n);
    lines.push(at === undefined ? "0000000000 65535 f \n" : `${String(at).padStart(10, "0")} 00000 n \n`);
    if (lines.length >= 4096) await sink.write(Buffer.from(lines.splice(0).join(""), "latin1"));
  }
  lines.push(`trailer\n<< /Size ${size} /Root ${catalogRef.objectNumber} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  await sink.write(Buffer.from(lines.join(""), "latin1"));
  await sink.end();
  return { documents: bookmarks.length, pages: pageRefs.length, skipped };
}

/** A PDF as it is, or a PNG/JPEG placed on a page of its own size at 72 dpi; null for anything else. */
async function toPdfDocument(bytes: Uint8Array, mimeType: string): Promise<PDFDocument | null> {
  if (mimeType === "application/pdf") return PDFDocument.load(bytes, { updateMetadata: false });
  if (mimeType !== "image/png" && mimeType !== "image/jpeg") return null;
  const document = await PDFDocument.create({ updateMetadata: false });
  const image = mimeType === "image/png" ? await document.embedPng(bytes) : await document.embedJpg(bytes);
  const page = document.addPage([image.width, image.height]);
  page.drawImage(image, { x: 0, y: 0, width: image.width, height: image.height });
  return document;
}
