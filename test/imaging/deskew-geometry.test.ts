import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { before, describe, it } from "node:test";
import sharp from "sharp";
import { chooseCuts, splitIntoBands } from "../../src/imaging/bands.js";
import { estimateSkew } from "../../src/imaging/deskew.js";
import {
  deskewedToUpright,
  normalizeRotation,
  rotatedSize,
  uprightToOriginal,
} from "../../src/imaging/page-geometry.js";
import { withPngDensity } from "../../src/imaging/png-density.js";
import { rotateFine, rotateQuarter } from "../../src/imaging/rotate.js";
import { FIXTURE_LINES, skewed, textImage, type TextImage } from "../fixtures/generate.js";

describe("estimateSkew", () => {
  let fx: TextImage;

  before(async () => {
    fx = await textImage(150);
  });

  it("reports no correction for an upright page", async () => {
    const estimate = await estimateSkew(fx.image);
    assert.equal(estimate.correction, 0);
  });

  for (const angle of [3, -3, 7]) {
    it(`measures a ${angle}° skew to within 0.3°`, async () => {
      const estimate = await estimateSkew(await skewed(fx.image, angle));
      assert.ok(Math.abs(estimate.correction + angle) <= 0.3, `estimated correction ${estimate.correction}`);
      assert.ok(estimate.gain > 1.05);
    });
  }

  it("leaves a blank page alone", async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer();
    assert.equal((await estimateSkew({ png: blank, width: 800, height: 600, dpi: 150 })).correction, 0);
  });

  it("does not block the event loop for long", async () => {
    const page = await skewed(fx.image, 3);
    await estimateSkew(page); // warm up the JIT
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let i = 0; i < 3; i++) await estimateSkew(page);
    delay.disable();
    assert.ok(delay.max / 1e6 < 100, `event loop blocked for ${(delay.max / 1e6).toFixed(1)} ms`);
  });

  it("is undone by rotateFine, giving straight lines", async () => {
    const crooked = await skewed(fx.image, 3);
    const estimate = await estimateSkew(crooked);
    const straight = await rotateFine(crooked, estimate.correction);
    const after = await estimateSkew(straight);
    assert.equal(after.correction, 0);
    const meta = await sharp(straight.png).metadata();
    assert.equal(meta.width, straight.width);
  });

  it("keeps a grey page grey and a colour page in colour", async () => {
    // A grey page turned RGB costs Tesseract a 3× larger decode and a colour conversion.
    assert.equal((await sharp(fx.image.png).metadata()).channels, 1);
    const turned = await rotateFine(fx.image, 3);
    assert.equal((await sharp(turned.png).metadata()).channels, 1);
    assert.equal((await sharp(turned.png).metadata()).density, fx.image.dpi);
    const colour = await sharp(fx.image.png).toColourspace("srgb").png().toBuffer();
    assert.equal((await sharp((await rotateFine({ ...fx.image, png: colour }, 3)).png).metadata()).channels, 3);
  });
});

describe("page geometry", () => {
  it("normalises rotations and sizes", () => {
    assert.equal(normalizeRotation(-90), 270);
    assert.equal(normalizeRotation(450), 90);
    assert.deepEqual(rotatedSize({ width: 10, height: 20 }, 90), { width: 20, height: 10 });
    assert.deepEqual(rotatedSize({ width: 10, height: 20 }, 180), { width: 10, height: 20 });
  });

  it("maps upright boxes back to the original frame for every quarter turn", async () => {
    // A 40×20 image with one black pixel block at x 2..5, y 3..7; rotate, then map back.
    const W = 40;
    const H = 20;
    const raw = Buffer.alloc(W * H, 255);
    for (let y = 3; y < 7; y++) for (let x = 2; x < 5; x++) raw[y * W + x] = 0;
    const png = await sharp(raw, { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();
    for (const rotation of [0, 90, 180, 270]) {
      const up = await rotateQuarter({ png, width: W, height: H, dpi: 72 }, rotation);
      const { data, info } = await sharp(up.png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
      let box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++) {
          if (data[y * info.width + x]! < 128) {
            box = {
              x0: Math.min(box.x0, x),
              y0: Math.min(box.y0, y),
              x1: Math.max(box.x1, x + 1),
              y1: Math.max(box.y1, y + 1),
            };
          }
        }
      }
      assert.deepEqual(
        uprightToOriginal(box, rotation, { width: W, height: H }),
        { x0: 2, y0: 3, x1: 5, y1: 7 },
        `rotation ${rotation}`,
      );
    }
  });

  it("maps deskewed boxes back over the same content", () => {
    const upright = { width: 1000, height: 800 };
    // Rotating by 0 onto the same canvas is the identity.
    assert.deepEqual(deskewedToUpright({ x0: 10, y0: 20, x1: 30, y1: 40 }, 0, upright, upright), {
      x0: 10,
      y0: 20,
      x1: 30,
      y1: 40,
    });
    // The centre stays the centre whatever the angle and canvas growth.
    const deskewed = { width: 1050, height: 860 };
    const c = deskewedToUpright({ x0: 520, y0: 425, x1: 530, y1: 435 }, 3, deskewed, upright);
    assert.ok(Math.abs((c.x0 + c.x1) / 2 - 500) <= 1 && Math.abs((c.y0 + c.y1) / 2 - 400) <= 1, JSON.stringify(c));
  });

  it("writes the DPI into PNGs", async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const meta = await sharp(withPngDensity(png, 300)).metadata();
    assert.equal(meta.density, 300);
    assert.equal(meta.width, 4);
  });
});

describe("bands", () => {
  it("cuts on empty rows near each boundary", () => {
    const ink = new Array<number>(1000).fill(5);
    ink[380] = 0;
    ink[770] = 0;
    assert.deepEqual(chooseCuts(ink, 400), [380, 770]);
    assert.deepEqual(chooseCuts(new Array<number>(300).fill(1), 400), []);
  });

  it("splits a tall page between text lines", async () => {
    const fx = await textImage(200, { lines: [...FIXTURE_LINES, ...FIXTURE_LINES] });
    const bands = await splitIntoBands(fx.image, 400);
    assert.ok(bands.length >= 3);
    assert.equal(
      bands.reduce((sum, b) => sum + b.image.height, 0),
      fx.image.height,
    );
    for (const band of bands.slice(1)) {
      // No word box straddles a cut.
      for (const word of fx.words)
        assert.ok(!(word.bbox.y0 < band.top - 1 && word.bbox.y1 > band.top + 1), `${word.text} cut at ${band.top}`);
    }
  });
});
