import assert from "node:assert/strict";
import { test } from "node:test";
import {
  displayedBoxToUpright,
  displaySizePx,
  normalizeRotation,
  pdfToPixel,
  pixelToPdf,
  visibleBox,
  uprightToDisplayed,
  type PageGeometry,
  type Rotation,
} from "../../src/pdf/page-geometry.js";
import { openPdf } from "../../src/pdf/pdfjs-loader.js";
import { degrees, PDFDocument } from "pdf-lib";

const geometries: PageGeometry[] = [];
for (const rotate of [0, 90, 180, 270] as const) {
  geometries.push({ viewBox: [0, 0, 612, 792], rotate });
  geometries.push({ viewBox: [-20, 35.5, 400, 300], rotate });
}

test("pdfToPixel agrees with pdf.js's own viewport for every rotation and origin", async () => {
  // One page per geometry, made with pdf-lib, read back by pdf.js.
  const doc = await PDFDocument.create();
  for (const g of geometries) {
    const [x0, y0, x1, y1] = g.viewBox;
    const page = doc.addPage();
    page.setMediaBox(x0, y0, x1 - x0, y1 - y0);
    page.setRotation(degrees(g.rotate));
  }
  const pdf = await openPdf(await doc.save());
  for (const [i, g] of geometries.entries()) {
    const pdfPage = await pdf.getPage(i + 1);
    for (const dpi of [72, 150, 300]) {
      const viewport = pdfPage.getViewport({ scale: dpi / 72 });
      const size = displaySizePx(g, dpi);
      assert.ok(Math.abs(viewport.width - size.width) < 1e-6 && Math.abs(viewport.height - size.height) < 1e-6);
      for (const [x, y] of [
        [g.viewBox[0], g.viewBox[1]],
        [g.viewBox[2], g.viewBox[3]],
        [100, 200],
        [g.viewBox[0] + 7.25, g.viewBox[3] - 3],
      ] as const) {
        const [px, py] = pdfToPixel(g, dpi, x, y);
        const [vx, vy] = viewport.convertToViewportPoint(x, y) as [number, number];
        assert.ok(
          Math.abs(px - vx) < 1e-6 && Math.abs(py - vy) < 1e-6,
          `rotate ${g.rotate} (${x},${y}): ${px},${py} vs ${vx},${vy}`,
        );
        const [bx, by] = pixelToPdf(g, dpi, px, py);
        assert.ok(Math.abs(bx - x) < 1e-9 && Math.abs(by - y) < 1e-9, "pixelToPdf inverts pdfToPixel");
      }
    }
  }
  await pdf.destroy();
});

test("normalizeRotation and visibleBox", () => {
  assert.deepEqual([0, 90, -90, 450, 180, 45, Number.NaN].map(normalizeRotation), [0, 90, 270, 90, 180, 0, 0]);
  assert.deepEqual(visibleBox([10, 10, 700, 900], [0, 0, 612, 792]), [10, 10, 612, 792]);
  assert.deepEqual(visibleBox([612, 792, 0, 0], [0, 0, 612, 792]), [0, 0, 612, 792], "unnormalised rectangles");
  assert.deepEqual(visibleBox([700, 800, 900, 900], [0, 0, 612, 792]), [0, 0, 612, 792], "disjoint crop falls back");
  assert.deepEqual(visibleBox(undefined, [0, 0, 100, 100]), [0, 0, 100, 100]);
});

test("upright ↔ displayed frames: boxes and points agree, and match sharp's quarter turns", () => {
  const displayed = { width: 300, height: 200 };
  const box = { x0: 10, y0: 20, x1: 60, y1: 40 };
  // Where the box's top-left corner pixel goes when the displayed image is turned clockwise.
  const expectedUpright: Record<Rotation, { x0: number; y0: number; x1: number; y1: number }> = {
    0: box,
    90: { x0: 160, y0: 10, x1: 180, y1: 60 },
    180: { x0: 240, y0: 160, x1: 290, y1: 180 },
    270: { x0: 20, y0: 240, x1: 40, y1: 290 },
  };
  for (const rotation of [0, 90, 180, 270] as const) {
    const upright = displayedBoxToUpright(box, rotation, displayed);
    assert.deepEqual(upright, expectedUpright[rotation], `rotation ${rotation}`);
    const corners = [
      uprightToDisplayed(upright.x0, upright.y0, rotation, displayed),
      uprightToDisplayed(upright.x1, upright.y1, rotation, displayed),
    ];
    const xs = corners.map((c) => c[0]).sort((a, b) => a - b);
    const ys = corners.map((c) => c[1]).sort((a, b) => a - b);
    assert.deepEqual({ x0: xs[0], y0: ys[0], x1: xs[1], y1: ys[1] }, box, `round trip ${rotation}`);
  }
});
