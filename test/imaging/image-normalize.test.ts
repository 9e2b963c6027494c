import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import sharp from "sharp";
import { DocketError } from "../../src/errors.js";
import { openImageForOcr } from "../../src/imaging/image-normalize.js";
import { DEFAULT_DPI, plausibleDpi } from "../../src/imaging/raster.js";
import { multiPageTiff, pngVariant, rotated, textImage, toJpeg, type TextImage } from "../fixtures/generate.js";

/** Grey PNG, 8-bit, no alpha: what every normalised page must be. */
async function assertOcrReady(png: Buffer): Promise<sharp.Metadata> {
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, "png");
  assert.equal(meta.channels, 1, "grey");
  assert.equal(meta.depth, "uchar", "8-bit");
  assert.equal(meta.hasAlpha, false);
  return meta;
}

/** Mean absolute grey difference between two same-sized images. */
async function meanDiff(a: Buffer, b: Buffer): Promise<number> {
  const ra = await sharp(a).toColourspace("b-w").raw().toBuffer();
  const rb = await sharp(b).toColourspace("b-w").raw().toBuffer();
  assert.equal(ra.length, rb.length);
  let sum = 0;
  for (let i = 0; i < ra.length; i++) sum += Math.abs(ra[i]! - rb[i]!);
  return sum / ra.length;
}

describe("plausibleDpi", () => {
  it("believes real scan resolutions and defaults the rest to 300", () => {
    assert.equal(plausibleDpi(300), 300);
    assert.equal(plausibleDpi(200.4), 200);
    assert.equal(plausibleDpi(undefined), DEFAULT_DPI);
    assert.equal(plausibleDpi(1), DEFAULT_DPI);
    assert.equal(plausibleDpi(72), DEFAULT_DPI, "72 is a software default, not a scan");
    assert.equal(plausibleDpi(1e6), DEFAULT_DPI);
    assert.equal(plausibleDpi(Number.NaN), DEFAULT_DPI);
  });
});

describe("openImageForOcr", () => {
  let fx: TextImage;

  before(async () => {
    fx = await textImage(150, { lines: ["Normalise me"] });
  });

  it("normalises JPEG to grey PNG and reads its DPI", async () => {
    const opened = await openImageForOcr(await toJpeg(fx.image, { dpi: 150 }));
    assert.equal(opened.format, "jpeg");
    assert.equal(opened.pageCount, 1);
    const page = await opened.page(0);
    await assertOcrReady(page.png);
    assert.equal(page.dpi, 150);
    assert.equal(page.declaredDpi, 150);
    assert.equal(page.width, fx.image.width);
  });

  it("defaults the DPI to 300 when the file has none or an absurd one", async () => {
    const page = await (await openImageForOcr(await toJpeg(fx.image, { dpi: 2 }))).page(0);
    assert.equal(page.dpi, 300);
  });

  it("converts CMYK, 16-bit, palette and alpha images", async () => {
    const inputs: Array<[string, Buffer]> = [
      ["cmyk jpeg", await toJpeg(fx.image, { cmyk: true })],
      ["rgb16 png", await pngVariant(fx.image, "rgb16")],
      ["palette png", await pngVariant(fx.image, "palette")],
      ["alpha png", await pngVariant(fx.image, "alpha")],
    ];
    for (const [name, bytes] of inputs) {
      const page = await (await openImageForOcr(bytes)).page(0);
      await assertOcrReady(page.png);
      const stats = await sharp(page.png).stats();
      // White paper (transparent paper must become white, not black) with dark ink.
      assert.ok(stats.channels[0]!.mean > 200, `${name}: mean ${stats.channels[0]!.mean}`);
      assert.ok(stats.channels[0]!.min < 80, `${name}: min ${stats.channels[0]!.min}`);
    }
  });

  it("applies the EXIF orientation", async () => {
    // Store the pixels turned 90° clockwise with EXIF 8 ("rotate 270 to display").
    const stored = await rotated(fx.image, 90);
    const jpeg = await toJpeg(stored, { exifOrientation: 8 });
    const page = await (await openImageForOcr(jpeg)).page(0);
    assert.equal(page.exifOrientation, 8);
    assert.equal(page.width, fx.image.width);
    assert.equal(page.height, fx.image.height);
    const upright = await meanDiff(page.png, fx.image.png);
    const flipped = await meanDiff(page.png, (await rotated(fx.image, 180)).png);
    assert.ok(upright < 3 && upright < flipped / 3, `diff to upright ${upright}, to upside-down ${flipped}`);
  });

  it("splits a multi-page TIFF into pages, one at a time", async () => {
    const second = await textImage(150, { lines: ["Second page!"] });
    const tiff = await multiPageTiff([fx.image, second.image, fx.image], 150);
    const opened = await openImageForOcr(tiff);
    assert.equal(opened.format, "tiff");
    assert.equal(opened.pageCount, 3);
    const pages = [await opened.page(0), await opened.page(1), await opened.page(2)];
    for (const page of pages) {
      await assertOcrReady(page.png);
      assert.equal(page.height, fx.image.height);
    }
    const raw = await Promise.all(pages.map((p) => sharp(p.png).raw().toBuffer()));
    assert.ok(raw[0]!.equals(raw[2]!), "pages 1 and 3 are the same image");
    assert.ok(!raw[0]!.equals(raw[1]!), "page 2 differs");
    await assert.rejects(opened.page(3), (e: unknown) => e instanceof DocketError && e.code === "validation_error");
  });

  it("downscales oversized pages and refuses decompression bombs", async () => {
    const png = await pngVariant(fx.image, "rgb");
    const small = await (await openImageForOcr(png, { maxOutputPixels: 20_000 })).page(0);
    assert.ok(small.width * small.height <= 20_000);
    assert.equal(small.downscaled, true);
    assert.ok(small.dpi < 300);
    await assert.rejects(
      (await openImageForOcr(png, { maxInputPixels: 1000 })).page(0),
      (e: unknown) => e instanceof DocketError && e.code === "image_too_large" && e.permanent,
    );
  });

  it("rejects data that is not an image", async () => {
    await assert.rejects(
      openImageForOcr(Buffer.from("definitely not an image")),
      (e: unknown) => e instanceof DocketError && e.code === "unsupported_type",
    );
  });
});
