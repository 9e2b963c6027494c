/**
 * Images on text-layer pages: where the content stream draws them (in the page model's pixel
 * space) and which of them are worth OCRing on their own.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import sharp from "sharp";
import type { BBox, Page } from "../../src/domain/document-model.js";
import { pickImageRegions } from "../../src/pdf/pick-image-regions.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { makeTextPdf } from "./fixtures.js";

const close = (a: BBox, b: BBox) =>
  Math.max(Math.abs(a.x0 - b.x0), Math.abs(a.y0 - b.y0), Math.abs(a.x1 - b.x1), Math.abs(a.y1 - b.y1)) < 0.01;

test("image boxes are reported in the page's pixel space, after /Rotate", async () => {
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: "#888" } })
    .png()
    .toBuffer();
  const image = { png, x: 100, y: 200, width: 200, height: 100 };
  const runs = [{ text: "Some digital text", x: 72, y: 700 }];
  const pdf = await makeTextPdf([
    { image, runs },
    { image, runs, rotate: 90 },
  ]);
  const [upright, sideways] = await extractTextLayer(pdf, { dpi: 144 });
  // Upright: y measured from the top (792 − 300 = 492 pt), doubled at 144 dpi.
  assert.ok(close(upright!.images[0]!, { x0: 200, y0: 984, x1: 600, y1: 1184 }), JSON.stringify(upright!.images));
  // Turned 90° clockwise: user-space y becomes the displayed x, user-space x the displayed y.
  assert.ok(close(sideways!.images[0]!, { x0: 400, y0: 200, x1: 600, y1: 600 }), JSON.stringify(sideways!.images));
  assert.deepEqual(upright!.content?.imageBoxes, [[100, 200, 300, 300]]);
});

function pageWithWordsAt(boxes: BBox[]): Page {
  return {
    number: 1,
    width: 612,
    height: 792,
    dpi: 72,
    source: "text-layer",
    rotation: 0,
    skew: 0,
    confidence: 100,
    blocks: boxes.map((bbox) => ({
      kind: "paragraph",
      bbox,
      confidence: 100,
      lines: [{ bbox, confidence: 100, words: [{ text: "word", bbox, confidence: 100 }] }],
    })),
  };
}

test("picks pasted pictures, not icons, backgrounds, images under text or the same image twice", () => {
  const page = pageWithWordsAt([
    { x0: 60, y0: 60, x1: 300, y1: 74 },
    { x0: 60, y0: 620, x1: 120, y1: 634 },
  ]);
  const screenshot = { x0: 60, y0: 100, x1: 460, y1: 160 };
  const lower = { x0: 300, y0: 400, x1: 500, y1: 460 };
  const images: BBox[] = [
    lower,
    { x0: 20, y0: 20, x1: 40, y1: 40 }, // an icon
    { x0: 0, y0: 0, x1: 612, y1: 792 }, // a full-page background
    { x0: 40, y0: 600, x1: 300, y1: 700 }, // a box with text set over it
    { x0: 62, y0: 102, x1: 458, y1: 158 }, // the screenshot again (e.g. its soft mask)
    screenshot,
    { x0: 300, y0: 700, x1: 600, y1: 706 }, // a rule: too thin for a line of text
  ];
  assert.deepEqual(pickImageRegions(page, images), [screenshot, lower], "in reading order");
});
