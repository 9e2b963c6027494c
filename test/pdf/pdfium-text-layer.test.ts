import assert from "node:assert/strict";
import { test } from "node:test";
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState, StandardFonts } from "pdf-lib";
import sharp from "sharp";
import { extractTextLayer } from "../../src/pdf/text-layer.js";

test("an image drawn inside a form XObject is placed through the form's matrix and the page's", async () => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([600, 800]);
  const png = await doc.embedPng(await sharp({ create: { width: 40, height: 20, channels: 3, background: "#888" } }).png().toBuffer());
  // In form space the image fills 100 × 50 at the origin; /Matrix doubles it and moves it
  // by (10, 20); the page's cm moves the form by (50, 100): (60, 120)–(260, 220) on the page.
  const form = doc.context.formXObject([pushGraphicsState(), concatTransformationMatrix(100, 0, 0, 50, 0, 0), drawObject("Im0"), popGraphicsState()], {
    BBox: [0, 0, 200, 200],
    Matrix: [2, 0, 0, 2, 10, 20],
    Resources: { XObject: { Im0: png.ref } },
  });
  const name = page.node.newXObject("Fm0", doc.context.register(form));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(1, 0, 0, 1, 50, 100), drawObject(name), popGraphicsState());
  const [result] = await extractTextLayer(await doc.save());
  assert.equal(result?.content?.imageCount, 1);
  const [x0, y0, x1, y1] = result!.content!.imageBoxes[0]!;
  for (const [got, want] of [[x0, 60], [y0, 120], [x1, 260], [y1, 220]] as const) assert.ok(Math.abs(got - want) < 0.5, `${result!.content!.imageBoxes[0]!.join(", ")}`);
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
  assert.deepEqual(words.map((w) => w.text), ["iiii", "WWWW"]);
  const [narrow, wide] = words.map((w) => w.bbox.x1 - w.bbox.x0);
  // Helvetica: "i" is 222/1000 em, "W" 944/1000: at 20 pt, 4 × 4.44 and 4 × 18.88 points.
  assert.ok(Math.abs(narrow! - 17.76) < 1, `narrow ${narrow}`);
  assert.ok(Math.abs(wide! - 75.52) < 1, `wide ${wide}`);
  assert.ok(Math.abs(words[0]!.bbox.x0 - 100) < 0.5);
});
