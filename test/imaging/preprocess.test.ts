/**
 * The per-page preprocessing on generated images whose truth is known: glyph height
 * measured and brought into the band Tesseract reads best, one column told from two,
 * text running across told from text turned sideways, adaptive binarisation whitening an
 * uneven background while keeping the text, colour print read in its darkest channel, and a
 * photographed page's outline found and flattened.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import sharp from "sharp";
import { sauvola } from "../../src/imaging/binarize.js";
import { openImageForOcr } from "../../src/imaging/image-normalize.js";
import { findPageOutline, flattenPage } from "../../src/imaging/page-outline.js";
import { planPreprocessing, rescale, TARGET_BAND } from "../../src/imaging/preprocess.js";
import type { RasterImage } from "../../src/imaging/raster.js";
import { decodeGrey, measureText } from "../../src/imaging/text-metrics.js";
import { PSM, psmForLayout } from "../../src/ocr/ocr-presets.js";
import { rotated, textImage, type TextImage } from "../fixtures/generate.js";
import { simulatePhoto } from "./simulated-photo.js";

async function rasterOf(pipeline: sharp.Sharp, dpi: number): Promise<RasterImage> {
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height, dpi };
}

describe("glyph height and rescaling", () => {
  let small: TextImage;
  let large: TextImage;

  before(async () => {
    // 16 pt Helvetica: capitals ~11.5 pt, x-height ~8.3 pt → ~12 px at 100 DPI, ~46 px at 400.
    small = await textImage(100);
    large = await textImage(400);
  });

  it("measures glyph heights that scale with the resolution", async () => {
    const a = await measureText(small.image);
    const b = await measureText(large.image);
    assert.ok(a.glyphs >= 20 && b.glyphs >= 20, `glyphs found: ${a.glyphs}, ${b.glyphs}`);
    assert.ok(a.glyphHeight >= 8 && a.glyphHeight <= 18, `100 DPI glyph height ${a.glyphHeight}`);
    // 4× the resolution: the dominant height may be the x-height at one and the cap height at
    // the other (a mode of a two-peaked histogram), so between 2.5× and 5×.
    const ratio = b.glyphHeight / a.glyphHeight;
    assert.ok(ratio > 2.5 && ratio < 5, `400/100 DPI glyph height ratio ${ratio}`);
  });

  for (const [name, pick] of [
    ["small print is enlarged", () => small],
    ["large print is reduced", () => large],
  ] as const) {
    it(`${name} so its glyphs land in the target band`, async () => {
      const fx = pick();
      const before = await measureText(fx.image);
      const plan = planPreprocessing(before, fx.image);
      assert.notEqual(plan.scale, 1, `glyph height ${before.glyphHeight} should be outside the band`);
      const after = await measureText(await rescale(fx.image, plan.scale));
      assert.ok(
        after.glyphHeight >= TARGET_BAND.min && after.glyphHeight <= TARGET_BAND.max,
        `after ×${plan.scale}: glyph height ${after.glyphHeight} not in ${TARGET_BAND.min}–${TARGET_BAND.max}`,
      );
    });
  }

  it("leaves a page whose glyphs are already in the band alone, and a blank page too", async () => {
    const fx = await textImage(300);
    const m = await measureText(fx.image);
    if (m.glyphHeight >= TARGET_BAND.min && m.glyphHeight <= TARGET_BAND.max)
      assert.equal(planPreprocessing(m, fx.image).scale, 1);
    const blank = await rasterOf(
      sharp({ create: { width: 600, height: 800, channels: 3, background: "#ffffff" } }).toColourspace("b-w"),
      300,
    );
    const b = await measureText(blank);
    assert.equal(b.glyphs, 0);
    assert.equal(planPreprocessing(b, blank).scale, 1);
  });
});

describe("layout: columns and direction", () => {
  it("reads one column of text with --psm 4 and two columns with full layout analysis", async () => {
    const fx = await textImage(150);
    const one = await measureText(fx.image);
    assert.equal(one.columns, 1);
    assert.equal(psmForLayout("document", one), PSM.SINGLE_COLUMN);
    // The same column twice, side by side with a wide gutter: a two-column page.
    const gutter = 120;
    const two = await rasterOf(
      sharp({
        create: { width: fx.image.width * 2 + gutter, height: fx.image.height, channels: 3, background: "#ffffff" },
      })
        .composite([
          { input: fx.image.png, left: 0, top: 0 },
          { input: fx.image.png, left: fx.image.width + gutter, top: 0 },
        ])
        .toColourspace("b-w"),
      150,
    );
    const m = await measureText(two);
    assert.equal(m.columns, 2);
    assert.equal(psmForLayout("document", m), PSM.AUTO);
  });

  it("keeps full layout analysis for a page turned sideways (orientation handling needs it)", async () => {
    const fx = await textImage(150);
    const side = await measureText(await rotated(fx.image, 90));
    assert.ok(side.rowColumnContrast < 0.6, `sideways row/column contrast ${side.rowColumnContrast}`);
    assert.equal(psmForLayout("document", side), PSM.AUTO);
    const upright = await measureText(fx.image);
    assert.ok(upright.rowColumnContrast > 1, `upright row/column contrast ${upright.rowColumnContrast}`);
  });
});

describe("adaptive binarisation", () => {
  it("turns an unevenly lit background white and keeps the text black", async () => {
    const fx = await textImage(150);
    const grey = await decodeGrey(fx.image, Infinity);
    // Light falling off from 235 on the left to 110 on the right: a shadow across the page.
    const shaded = new Uint8Array(grey.data.length);
    for (let y = 0; y < grey.height; y++)
      for (let x = 0; x < grey.width; x++) {
        const i = y * grey.width + x;
        shaded[i] = Math.round((grey.data[i]! / 255) * (235 - (125 * x) / grey.width));
      }
    const out = sauvola({ data: shaded, width: grey.width, height: grey.height }, { window: 45 });
    let background = 0;
    let backgroundWhite = 0;
    let ink = 0;
    let inkBlack = 0;
    for (let i = 0; i < grey.data.length; i++) {
      if (grey.data[i]! === 255) {
        background++;
        if (out.data[i] === 255) backgroundWhite++;
      } else if (grey.data[i]! < 80) {
        ink++;
        if (out.data[i] === 0) inkBlack++;
      }
    }
    assert.ok(backgroundWhite / background > 0.995, `background white: ${(backgroundWhite / background).toFixed(4)}`);
    assert.ok(inkBlack / ink > 0.9, `text kept black: ${(inkBlack / ink).toFixed(3)}`);
    // A global threshold cannot do both on this page: the dark side's paper is darker than
    // the light side's text strokes' edges.
    const dimPaper = shaded[grey.width - 2]!;
    assert.ok(dimPaper < 120, `the shadowed paper is dark (${dimPaper})`);
  });
});

describe("ink channel", () => {
  it("reads blue print under a dark pen mark in the darkest channel, black print in luminance", async () => {
    const fx = await textImage(150);
    // Print in `colour`, and a thick black pen stroke across the top (a note on a receipt):
    // luminance's global threshold then falls between pen and print and loses the print.
    const tinted = async (colour: string): Promise<Buffer> => {
      const mask = await sharp(fx.image.png).negate().toColourspace("b-w").png().toBuffer();
      const pen = await sharp({
        create: { width: Math.round(fx.image.width * 0.8), height: 40, channels: 3, background: "#000000" },
      })
        .png()
        .toBuffer();
      const print = await sharp({
        create: { width: fx.image.width, height: fx.image.height, channels: 3, background: colour },
      })
        .joinChannel(mask)
        .png()
        .toBuffer();
      return sharp({ create: { width: fx.image.width, height: fx.image.height, channels: 3, background: "#ffffff" } })
        .composite([{ input: print }, { input: pen, left: 20, top: 4 }])
        .jpeg({ quality: 95 })
        .toBuffer();
    };
    const blue = await (await openImageForOcr(await tinted("#80a8ff"))).page(0);
    assert.equal(blue.ink, "darkest");
    const black = await (await openImageForOcr(await tinted("#000000"))).page(0);
    assert.equal(black.ink, "luminance");
  });
});

describe("photographed pages", () => {
  it("finds the page outline of a simulated phone photo and flattens it", async () => {
    const fx = await textImage(150);
    const photo = await simulatePhoto(fx.image, { seed: 5, tilt: 0.1 });
    const flat = await flattenPage(photo.image);
    assert.ok(flat !== undefined, "no page found in the photo");
    const tolerance = Math.max(photo.image.width, photo.image.height) * 0.015;
    flat.quad.forEach((p, i) => {
      const q = photo.quad[i]!;
      assert.ok(
        Math.hypot(p.x - q.x, p.y - q.y) <= tolerance,
        `corner ${i}: found ${p.x.toFixed(0)},${p.y.toFixed(0)}, true ${q.x.toFixed(0)},${q.y.toFixed(0)}`,
      );
    });
    // Flattened to about the page's shape: the mean of opposite edges, which perspective
    // shortens (the far edge) by up to the tilt, so within 20%.
    const aspect = flat.image.width / flat.image.height;
    const trueAspect = fx.image.width / fx.image.height;
    assert.ok(Math.abs(aspect / trueAspect - 1) < 0.2, `aspect ${aspect.toFixed(3)} vs ${trueAspect.toFixed(3)}`);
    // The flat page maps back onto the photo's corners.
    const back = flat.toPhoto({ x: 0, y: 0 });
    assert.ok(Math.hypot(back.x - flat.quad[0].x, back.y - flat.quad[0].y) < 1);
  });

  it("leaves scans alone: paper to the edges, or a white page on white", async () => {
    const fx = await textImage(150);
    assert.equal(await flattenPage(fx.image), undefined);
    const grey = await decodeGrey(fx.image, 360_000);
    assert.equal(findPageOutline(grey), undefined);
  });
});
