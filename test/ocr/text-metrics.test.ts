import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bagOfCharactersError,
  characterErrorRate,
  editDistance,
  normalizeForCer,
  sortedLinesCer,
  sortedWordsCer,
} from "../../src/ocr/cer.js";
import { ocrConfigFromEnv } from "../../src/ocr/ocr-config.js";
import { imageScaleFor, ocrModePreset, resolutionPreset } from "../../src/ocr/ocr-presets.js";
import { pageText } from "../../src/ocr/page-text.js";
import { parseOsdOutput } from "../../src/ocr/cli/cli-backend.js";
import { tsvToBlocks } from "../../src/ocr/tsv-to-page.js";
import { OCR_MODES, RESOLUTION_MODES } from "../../src/domain/types.js";

describe("CER", () => {
  it("computes Levenshtein distance", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("abc", "abc"), 0);
    assert.equal(editDistance("żółw", "zolw"), 3, "code points, not UTF-16 units");
  });

  it("normalises whitespace, quotes and dashes", () => {
    assert.equal(normalizeForCer("  it’s \n a—test  "), "it's a-test");
    assert.equal(characterErrorRate("hello  world", "hello world"), 0);
    assert.equal(characterErrorRate("hallo world", "hello world"), 1 / 11);
    assert.equal(characterErrorRate("", ""), 0);
    assert.equal(characterErrorRate("x", ""), 1);
  });

  it("offers order-insensitive variants for receipts", () => {
    assert.equal(sortedLinesCer("b line\na line", "a line\nb line"), 0);
    assert.ok(sortedLinesCer("a line", "a line\nb line") > 0);
    assert.equal(sortedWordsCer("QTY PRICE\nTOTAL", "TOTAL\nQTY\nPRICE"), 0);
    assert.ok(sortedWordsCer("QTY PRlCE", "QTY PRICE") > 0);
    assert.equal(bagOfCharactersError("cba", "abc"), 0);
    assert.equal(bagOfCharactersError("abd", "abc"), 1 / 3);
    assert.equal(bagOfCharactersError("ab", "abc"), 1 / 3);
  });
});

describe("tsvToBlocks", () => {
  const tsv = [
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
    "1\t1\t0\t0\t0\t0\t0\t0\t1000\t800\t-1\t",
    "2\t1\t1\t0\t0\t0\t10\t10\t300\t60\t-1\t",
    "3\t1\t1\t1\t0\t0\t10\t10\t300\t60\t-1\t",
    "4\t1\t1\t1\t1\t0\t10\t10\t300\t25\t-1\t",
    "5\t1\t1\t1\t1\t1\t10\t10\t100\t25\t96.5\tHello",
    "5\t1\t1\t1\t1\t2\t120\t12\t190\t23\t90\tworld",
    "4\t1\t1\t1\t2\t0\t10\t45\t300\t25\t-1\t",
    "5\t1\t1\t1\t2\t1\t10\t45\t60\t25\t80\tagain",
    "5\t1\t1\t1\t2\t2\t80\t45\t60\t25\t95\t ",
    "2\t1\t2\t0\t0\t0\t10\t100\t300\t30\t-1\t",
    "3\t1\t2\t1\t0\t0\t10\t100\t300\t30\t-1\t",
    "4\t1\t2\t1\t1\t0\t10\t100\t300\t30\t-1\t",
    "5\t1\t2\t1\t1\t1\t10\t100\t50\t30\t70\tBye",
  ].join("\n");

  it("builds paragraphs → lines → words with boxes and confidences", () => {
    const blocks = tsvToBlocks(tsv);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0]!.kind, "paragraph");
    assert.equal(blocks[0]!.lines.length, 2);
    assert.deepEqual(blocks[0]!.lines[0]!.words[1], {
      text: "world",
      bbox: { x0: 120, y0: 12, x1: 310, y1: 35 },
      confidence: 90,
    });
    assert.deepEqual(blocks[0]!.lines[0]!.bbox, { x0: 10, y0: 10, x1: 310, y1: 35 });
    assert.equal(blocks[0]!.lines[1]!.words.length, 1, "blank words dropped");
    // Line confidence is the length-weighted mean: (96.5*5 + 90*5) / 10.
    assert.equal(blocks[0]!.lines[0]!.confidence, 93.25);
    const page = {
      number: 1,
      width: 1000,
      height: 800,
      dpi: 300,
      source: "ocr" as const,
      rotation: 0,
      skew: 0,
      confidence: 0,
      blocks,
    };
    assert.equal(pageText(page), "Hello world\nagain\n\nBye");
  });

  it("applies the box mapping to every word", () => {
    const blocks = tsvToBlocks(tsv, (b) => ({ x0: b.x0 + 1, y0: b.y0 + 2, x1: b.x1 + 1, y1: b.y1 + 2 }));
    assert.deepEqual(blocks[1]!.lines[0]!.words[0]!.bbox, { x0: 11, y0: 102, x1: 61, y1: 132 });
    assert.deepEqual(blocks[1]!.bbox, { x0: 11, y0: 102, x1: 61, y1: 132 });
  });

  it("returns nothing for empty output", () => {
    assert.deepEqual(tsvToBlocks(""), []);
  });
});

describe("presets and configuration", () => {
  it("maps every OCR and resolution mode", () => {
    for (const mode of OCR_MODES) assert.ok(ocrModePreset(mode).psm > 0);
    const dpis = RESOLUTION_MODES.map((m) => resolutionPreset(m).dpi);
    assert.deepEqual(
      dpis,
      [...dpis].sort((a, b) => a - b),
      "presets grow in resolution",
    );
    assert.equal(resolutionPreset("gundam").tiling, true);
    assert.equal(imageScaleFor(resolutionPreset("base"), 300), 1);
    assert.equal(imageScaleFor(resolutionPreset("tiny"), 300), 1 / 3);
    assert.equal(imageScaleFor(resolutionPreset("large"), 100), 2, "upscaling is capped at 2×");
  });

  it("parses the environment", () => {
    assert.deepEqual(ocrConfigFromEnv({}), { engine: "auto" });
    assert.deepEqual(
      ocrConfigFromEnv({ DOCKET_OCR_ENGINE: "cli", DOCKET_OCR_WORKERS: "3", DOCKET_TESSDATA_DIRS: "/a:/b" }),
      {
        engine: "cli",
        workers: 3,
        tessdataDirs: ["/a", "/b"],
      },
    );
    assert.throws(() => ocrConfigFromEnv({ DOCKET_OCR_ENGINE: "gpu" }));
  });

  it("parses tesseract OSD output", () => {
    const out =
      "Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 8.51\nScript: Latin\nScript confidence: 3.2\n";
    assert.deepEqual(parseOsdOutput(out), { rotation: 270, confidence: 8.51, script: "Latin" });
    assert.equal(parseOsdOutput("Too few characters. Skipping this page"), undefined);
  });
});
