import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PDFDocument, degrees } from "pdf-lib";
import sharp from "sharp";
import { DocketError } from "../../src/errors.js";
import { PdfPageRenderer } from "../../src/imaging/pdf-page-renderer.js";
import { openPdfForRendering } from "../../src/imaging/pdf-rendering.js";
import { clampRenderDpi } from "../../src/imaging/render-limits.js";
import { imageOnlyPdf, mixedPdf, textImage, textLayerPdf } from "../fixtures/generate.js";

async function meanGrey(png: Buffer): Promise<number> {
  const stats = await sharp(png).stats();
  return stats.channels[0]!.mean;
}

describe("clampRenderDpi", () => {
  it("keeps ordinary pages at the requested DPI", () => {
    const r = clampRenderDpi(612, 792, 300);
    assert.deepEqual(r, { dpi: 300, width: 2550, height: 3300, clamped: false });
  });

  it("lowers the DPI of huge pages to the pixel cap", () => {
    // 2160 pt square at 300 DPI = 9000² = 81 MP (the shared corpus's worst page).
    const r = clampRenderDpi(2160, 2160, 300, { maxPixels: 50_000_000, maxSide: 20_000, minDpi: 10 });
    assert.equal(r.clamped, true);
    assert.ok(r.width * r.height <= 50_000_000);
    assert.ok(r.dpi > 230 && r.dpi < 236, `dpi ${r.dpi}`);
  });

  it("respects the longest-side limit", () => {
    const r = clampRenderDpi(14_400, 72, 300, { maxPixels: 1e12, maxSide: 20_000, minDpi: 10 });
    assert.ok(r.width <= 20_000);
  });
});

describe("openPdfForRendering", () => {
  let textPdf: Uint8Array;

  before(async () => {
    textPdf = (await textLayerPdf([{}, { rotate: 90 }, { widthPt: 200, heightPt: 100, lines: ["small"] }])).bytes;
  });

  it("renders each page at the requested DPI as an 8-bit grey PNG", async () => {
    const pdf = await openPdfForRendering(textPdf);
    try {
      assert.equal(pdf.numPages, 3);
      const page = await pdf.renderPage(1, { dpi: 144 });
      const { pages } = await textLayerPdf([{}]);
      assert.equal(page.width, Math.ceil((pages[0]!.widthPt * 144) / 72));
      assert.equal(page.height, Math.ceil((pages[0]!.heightPt * 144) / 72));
      assert.equal(page.dpi, 144);
      const meta = await sharp(page.png).metadata();
      assert.equal(meta.channels, 1);
      assert.equal(meta.depth, "uchar");
      assert.equal(meta.density, 144, "the PNG carries its DPI");
      // Mostly white paper with some ink.
      const mean = await meanGrey(page.png);
      assert.ok(mean > 200 && mean < 255, `mean grey ${mean}`);
    } finally {
      await pdf.close();
    }
  });

  it("reuses its render thread for the next document, which renders as if it were fresh", async () => {
    const pdf = await openPdfForRendering(textPdf);
    try {
      assert.equal((await pdf.renderPage(1, { dpi: 144 })).dpi, 144);
    } finally {
      await pdf.close();
    }
    // The thread is reused for the next document, which renders as if it were fresh.
    const again = await openPdfForRendering(textPdf);
    try {
      assert.equal(again.numPages, 3);
      assert.equal((await again.renderPage(3, { dpi: 72 })).width, 200);
    } finally {
      await again.close();
    }
  });

  it("applies /Rotate (width and height swap) and reports it", async () => {
    const pdf = await openPdfForRendering(textPdf);
    try {
      const upright = await pdf.renderPage(1, { dpi: 72 });
      const turned = await pdf.renderPage(2, { dpi: 72 });
      assert.equal(turned.pdfRotate, 90);
      assert.equal(turned.width, upright.height);
      assert.equal(turned.height, upright.width);
    } finally {
      await pdf.close();
    }
  });

  it("rejects pages outside the document", async () => {
    const pdf = await openPdfForRendering(textPdf);
    try {
      await assert.rejects(
        pdf.renderPage(9, { dpi: 72 }),
        (e: unknown) => e instanceof DocketError && e.code === "validation_error",
      );
      // The handle stays usable after a bad request.
      assert.equal((await pdf.renderPage(3, { dpi: 72 })).width, 200);
    } finally {
      await pdf.close();
    }
  });

  it("classifies garbage as a permanent corrupt_file", async () => {
    await assert.rejects(
      openPdfForRendering(new TextEncoder().encode("%PDF-1.4 this is not really a pdf")),
      (e: unknown) => e instanceof DocketError && e.code === "corrupt_file" && e.permanent,
    );
  });

  it("renders image-only and mixed PDFs", async () => {
    const mixed = await openPdfForRendering(await mixedPdf(100));
    try {
      assert.equal(mixed.numPages, 2);
      for (const n of [1, 2]) {
        const page = await mixed.renderPage(n, { dpi: 100 });
        const mean = await meanGrey(page.png);
        assert.ok(mean > 200 && mean < 254, `page ${n} mean grey ${mean}`);
      }
    } finally {
      await mixed.close();
    }
  });

  it("cancels: an aborted render rejects with `cancelled` and closes the handle", async () => {
    // A page big enough that rendering takes a while: 60×60 inches at 200 DPI (clamped to 50 MP).
    const doc = await PDFDocument.create();
    const page = doc.addPage([4320, 4320]);
    for (let i = 0; i < 200; i++) page.drawCircle({ x: 50 + i * 20, y: 50 + i * 20, size: 40 + i, borderWidth: 3 });
    const pdf = await openPdfForRendering(await doc.save());
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(
      pdf.renderPage(1, { dpi: 200, signal: controller.signal }),
      (e: unknown) => e instanceof DocketError && e.code === "cancelled",
    );
    assert.ok(Date.now() - started < 1000, `cancel took ${Date.now() - started} ms`);
    await assert.rejects(
      pdf.renderPage(1, { dpi: 10 }),
      (e: unknown) => e instanceof DocketError && e.code === "cancelled",
    );
    await pdf.close();
  });
});

describe("PdfPageRenderer large single-image pages", () => {
  let scan: Uint8Array;
  let renderer: PdfPageRenderer;
  let fastPath: PdfPageRenderer;

  before(async () => {
    const fx = await textImage(100, { lines: ["Large image fast path"] });
    scan = await imageOnlyPdf([fx.image]);
    // Rotate the page too: the fast path must apply /Rotate like pdfjs.
    const doc = await PDFDocument.load(scan);
    doc.getPage(0).setRotation(degrees(90));
    scan = await doc.save();
    renderer = await PdfPageRenderer.open(scan);
    fastPath = await PdfPageRenderer.open(scan, { largeImagePixels: 1 });
  });

  after(async () => {
    await renderer.close();
    await fastPath.close();
  });

  it("draws the same page as pdfjs when the image is decoded by sharp", async () => {
    const a = await renderer.render({ page: 1, dpi: 100 });
    const b = await fastPath.render({ page: 1, dpi: 100 });
    assert.equal(b.width, a.width);
    assert.equal(b.height, a.height);
    const ra = await sharp(a.png).raw().toBuffer();
    const rb = await sharp(b.png).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < ra.length; i++) diff += Math.abs(ra[i]! - rb[i]!);
    const meanDiff = diff / ra.length;
    assert.ok(meanDiff < 8, `mean absolute difference ${meanDiff.toFixed(2)} grey levels`);
  });
});
