import assert from "node:assert/strict";
import { test } from "node:test";
import type { PageContentStats } from "../../src/pdf/content-stats.js";
import { assessTextLayer } from "../../src/pdf/assess-text-layer.js";
import { modelBlock, modelLine, modelPage } from "./fixtures.js";

function pageWith(lines: string[]) {
  return modelPage(
    1,
    [
      modelBlock(
        "paragraph",
        lines.map((t, i) => modelLine(t, 100, 100 + i * 60, 40)),
      ),
    ],
    {
      source: "text-layer",
      dpi: 300,
    },
  );
}

const text: PageContentStats = {
  visibleTextBytes: 500,
  invisibleTextBytes: 0,
  imageCount: 0,
  imageCoverage: 0,
  largestImageCoverage: 0,
  imageBoxes: [],
};
const scan: PageContentStats = {
  visibleTextBytes: 0,
  invisibleTextBytes: 0,
  imageCount: 1,
  imageCoverage: 1,
  largestImageCoverage: 1,
  imageBoxes: [[0, 0, 612, 792]],
};
const sentence = "The quick brown fox jumps over the lazy dog near the river bank today";

test("normal text is usable", () => {
  const verdict = assessTextLayer(pageWith([sentence, sentence]), text);
  assert.deepEqual([verdict.usable, verdict.reason, verdict.invisibleOnly, verdict.mixed], [true, "ok", false, false]);
  assert.equal(verdict.chars, 2 * sentence.replace(/ /g, "").length);
  // Without content stats the text alone decides.
  assert.equal(assessTextLayer(pageWith([sentence])).usable, true);
});

test("empty pages are unusable", () => {
  assert.equal(assessTextLayer(pageWith([]), scan).reason, "empty");
  assert.equal(assessTextLayer(pageWith(["   "])).reason, "empty");
});

test("garbage: unmapped glyphs, symbol soup, vowel-less words", () => {
  const pua = "\uE001\uE002\uE003 \uE004\uE005 ok";
  assert.equal(assessTextLayer(pageWith([pua, pua])).reason, "garbage");
  assert.equal(assessTextLayer(pageWith(["\uFFFD\uFFFD\uFFFD abc def ghi"])).reason, "garbage");
  assert.equal(assessTextLayer(pageWith(["#$%^ &*() !@#$ ^&*( )(*& abc"])).reason, "garbage");
  const shifted = Array.from({ length: 6 }, () => "Thkr wrds hvnt gt vwls xcpt bcs sprt fnts").join(" ");
  assert.equal(assessTextLayer(pageWith([shifted])).reason, "garbage");
  // Non-Latin scripts are not judged by Latin vowels.
  const greek = Array.from({ length: 6 }, () => "Αυτό είναι ένα κείμενο στα ελληνικά χωρίς λατινικά").join(" ");
  assert.equal(assessTextLayer(pageWith([greek])).usable, true);
});

test("too sparse: a stamp on a scan, or almost nothing", () => {
  assert.equal(assessTextLayer(pageWith(["Page 3"]), scan).reason, "too_sparse");
  assert.equal(
    assessTextLayer(pageWith(["Scanned with a phone app 2024"]), scan).reason,
    "too_sparse",
    "under 0.5 chars per square inch",
  );
  assert.equal(assessTextLayer(pageWith(["7"])).reason, "too_sparse");
  // The same short text on a page without a scan is fine (a title page).
  assert.equal(assessTextLayer(pageWith(["Annual Report"]), text).usable, true);
});

test("invisible-only text (an existing OCR layer) is trusted; visible text over big images is flagged mixed", () => {
  const lines = Array.from({ length: 12 }, () => sentence);
  const ocrLayer = { ...scan, invisibleTextBytes: 800 };
  const verdict = assessTextLayer(pageWith(lines), ocrLayer);
  assert.deepEqual([verdict.usable, verdict.reason, verdict.invisibleOnly], [true, "invisible_ocr_layer", true]);
  const mixed = assessTextLayer(pageWith(lines), {
    ...text,
    imageCount: 1,
    imageCoverage: 0.4,
    largestImageCoverage: 0.4,
  });
  assert.deepEqual([mixed.usable, mixed.reason, mixed.mixed], [true, "ok", true]);
  // An invisible layer of garbage is still garbage.
  assert.equal(assessTextLayer(pageWith(["\uE001\uE002\uE003\uE004 \uE005\uE006"]), ocrLayer).reason, "garbage");
});
