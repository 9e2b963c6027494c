import assert from "node:assert/strict";
import { test } from "node:test";
import {
  concatTransformationMatrix,
  degrees,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  StandardFonts,
} from "pdf-lib";
import sharp from "sharp";
import { loadPdfium } from "../../src/pdf/pdfium/pdfium-module.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { TextLayerWorker } from "../../src/pdf/text-layer-worker.js";

test("an image drawn inside a form XObject is placed through the form's matrix and the page's", async () => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([600, 800]);
  const png = await doc.embedPng(
    await sharp({ create: { width: 40, height: 20, channels: 3, background: "#888" } })
      .png()
      .toBuffer(),
  );
  // In form space the image fills 100 × 50 at the origin; /Matrix doubles it and moves it
  // by (10, 20); the page's cm moves the form by (50, 100): (60, 120)–(260, 220) on the page.
  const form = doc.context.formXObject(
    [pushGraphicsState(), concatTransformationMatrix(100, 0, 0, 50, 0, 0), drawObject("Im0"), popGraphicsState()],
    {
      BBox: [0, 0, 200, 200],
      Matrix: [2, 0, 0, 2, 10, 20],
      Resources: { XObject: { Im0: png.ref } },
    },
  );
  const name = page.node.newXObject("Fm0", doc.context.register(form));
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(1, 0, 0, 1, 50, 100),
    drawObject(name),
    popGraphicsState(),
  );
  const [result] = await extractTextLayer(await doc.save());
  assert.equal(result?.content?.imageCount, 1);
  const [x0, y0, x1, y1] = result!.content!.imageBoxes[0]!;
  for (const [got, want] of [
    [x0, 60],
    [y0, 120],
    [x1, 260],
    [y1, 220],
  ] as const)
    assert.ok(Math.abs(got - want) < 0.5, `${result!.content!.imageBoxes[0]!.join(", ")}`);
  // In the page model (72 dpi, top-left origin): y flips against the 800 pt page height.
  const box = result!.images[0]!;
  assert.deepEqual([box.x0, box.y0, box.x1, box.y1].map(Math.round), [60, 580, 260, 680]);
});

test("word boxes follow the glyphs: a narrow word and a wide word of as many letters", async () => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([600, 200]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText("iiii WWWW", { x: 100, y: 100, size: 20, font });
  const [result] = await extractTextLayer(await doc.save());
  const words = result!.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  assert.deepEqual(
    words.map((w) => w.text),
    ["iiii", "WWWW"],
  );
  const [narrow, wide] = words.map((w) => w.bbox.x1 - w.bbox.x0);
  // Helvetica: "i" is 222/1000 em, "W" 944/1000: at 20 pt, 4 × 4.44 and 4 × 18.88 points.
  assert.ok(Math.abs(narrow! - 17.76) < 1, `narrow ${narrow}`);
  assert.ok(Math.abs(wide! - 75.52) < 1, `wide ${wide}`);
  assert.ok(Math.abs(words[0]!.bbox.x0 - 100) < 0.5);
});

test("regions are drawn where the text layer places the images, on rotated pages too (through the worker thread)", async () => {
  const worker = new TextLayerWorker({ idleTimeoutMs: 1_000 });
  try {
    for (const rotate of [0, 90, 180, 270]) {
      const doc = await PDFDocument.create();
      const page = doc.addPage([600, 800]);
      page.setRotation(degrees(rotate));
      const png = await doc.embedPng(
        await sharp({ create: { width: 20, height: 10, channels: 3, background: "#000" } })
          .png()
          .toBuffer(),
      );
      page.drawImage(png, { x: 100, y: 600, width: 200, height: 100 });
      const bytes = await doc.save();
      const [layer] = await worker.extract(bytes, { dpi: 72 });
      const box = layer!.images[0]!;
      // The image's box on the displayed page, with 10 pt of white around it.
      const clip = { x0: box.x0 - 10, y0: box.y0 - 10, x1: box.x1 + 10, y1: box.y1 + 10 };
      const [drawn] = await worker.renderRegions(bytes, [{ page: 1, clip }], { dpi: 144 });
      assert.equal(drawn!.dpi, 144);
      assert.deepEqual([drawn!.origin.x, drawn!.origin.y], [clip.x0, clip.y0], `rotate ${rotate}`);
      assert.deepEqual(
        [drawn!.width, drawn!.height],
        [Math.round((clip.x1 - clip.x0) * 2), Math.round((clip.y1 - clip.y0) * 2)],
      );
      const at = (x: number, y: number) => drawn!.rgba[(y * drawn!.width + x) * 4]!;
      assert.equal(
        at(Math.floor(drawn!.width / 2), Math.floor(drawn!.height / 2)),
        0,
        `rotate ${rotate}: black in the middle`,
      );
      assert.equal(at(5, 5), 255, `rotate ${rotate}: white in the margin`);
      assert.equal(at(25, 25), 0, `rotate ${rotate}: black just inside the image's corner`);
    }
  } finally {
    await worker.close();
  }
});

test("the per-character PDFium functions are called straight on the wasm instance, past the package's checking wrappers", async () => {
  const pdfium = await loadPdfium();
  // The wrappers are JavaScript closures; a wasm export is a native function. Losing the
  // direct binding (a renamed export after an upgrade) would halve the text-layer speed.
  for (const name of [
    "FPDFText_GetUnicode",
    "FPDFText_GetLooseCharBox",
    "FPDFText_GetTextObject",
    "FPDFText_IsGenerated",
  ] as const) {
    assert.match(Function.prototype.toString.call(pdfium[name]), /\[native code\]/, name);
  }
  // A function taking a string keeps the wrapper that encodes it.
  assert.doesNotMatch(Function.prototype.toString.call(pdfium.FPDF_LoadMemDocument), /\[native code\]/);
});
