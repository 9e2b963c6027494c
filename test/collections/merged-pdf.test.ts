/**
 * The merged PDF builder on its own: pages of every part in order, a bookmark per part on its
 * first page (read back by pdf.js, an independent reader), text kept searchable, images placed
 * on pages, parts without a PDF left out and reported.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import sharp from "sharp";
import { writeMergedPdf, type PdfPart } from "../../src/collections/compile/merged-pdf.js";

async function pdfWithText(pages: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) doc.addPage([300, 400]).drawText(text, { x: 20, y: 300, size: 14, font });
  return doc.save();
}

async function merge(parts: PdfPart[]) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  async function* iterate() {
    yield* parts;
  }
  const report = await writeMergedPdf(iterate(), out);
  return { report, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

async function readWithPdfjs(bytes: Uint8Array) {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await pdfjs.getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  const texts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    texts.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  const outline = (await doc.getOutline()) ?? [];
  const outlinePages: number[] = [];
  for (const item of outline) {
    const dest = Array.isArray(item.dest) ? item.dest : await doc.getDestination(String(item.dest));
    outlinePages.push((await doc.getPageIndex(dest![0] as never)) + 1);
  }
  const result = { numPages: doc.numPages, texts, titles: outline.map((o) => o.title), outlinePages };
  await doc.destroy();
  return result;
}

describe("merged PDF", () => {
  it("puts every part's pages in order with one bookmark per part on its first page", async () => {
    const a = await pdfWithText(["alpha one", "alpha two"]);
    const b = await pdfWithText(["bravo one"]);
    const c = await pdfWithText(["charlie one", "charlie two", "charlie three"]);
    const { report, bytes } = await merge([
      { title: "Faktura – Łódź.pdf", load: async () => ({ bytes: a, mimeType: "application/pdf" }) },
      { title: "b.pdf", load: async () => ({ bytes: b, mimeType: "application/pdf" }) },
      { title: "c.pdf", load: async () => ({ bytes: c, mimeType: "application/pdf" }) },
    ]);
    assert.deepEqual(report, { documents: 3, pages: 6, skipped: [] });
    const read = await readWithPdfjs(bytes);
    assert.equal(read.numPages, 6);
    assert.deepEqual(read.texts, [
      "alpha one",
      "alpha two",
      "bravo one",
      "charlie one",
      "charlie two",
      "charlie three",
    ]);
    assert.deepEqual(read.titles, ["Faktura – Łódź.pdf", "b.pdf", "c.pdf"]);
    assert.deepEqual(read.outlinePages, [1, 3, 4]);
    // pdf-lib reads it back too (a second, stricter parser of the xref table).
    const again = await PDFDocument.load(bytes);
    assert.equal(again.getPageCount(), 6);
  });

  it("places images on pages and reports the parts it leaves out", async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#c00" } })
      .png()
      .toBuffer();
    const { report, bytes } = await merge([
      { title: "scan.png", load: async () => ({ bytes: png, mimeType: "image/png" }) },
      { title: "scan.tiff", load: async () => ({ bytes: new Uint8Array(8), mimeType: "image/tiff" }) },
      { title: "missing", load: async () => null },
      {
        title: "broken.pdf",
        load: async () => ({ bytes: new Uint8Array(Buffer.from("%PDF-1.4 nothing")), mimeType: "application/pdf" }),
      },
    ]);
    assert.equal(report.pages, 1);
    assert.deepEqual(
      report.skipped.map((s) => s.title),
      ["scan.tiff", "missing", "broken.pdf"],
    );
    const doc = await PDFDocument.load(bytes);
    assert.deepEqual(doc.getPage(0).getSize(), { width: 40, height: 30 });
  });

  it("stops with the signal's reason when cancelled", async () => {
    const controller = new AbortController();
    const a = await pdfWithText(["one"]);
    async function* parts() {
      yield { title: "a", load: async () => ({ bytes: a, mimeType: "application/pdf" }) };
      controller.abort(new Error("cancelled by test"));
      yield { title: "b", load: async () => ({ bytes: a, mimeType: "application/pdf" }) };
    }
    const out = new PassThrough();
    out.resume();
    await assert.rejects(writeMergedPdf(parts(), out, { signal: controller.signal }), /cancelled by test/);
  });
});
