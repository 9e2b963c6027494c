/**
 * What happens to Tesseract's words after it reads a page: noise words (very low
 * confidence) dropped, a poor page's lines replaced by a second reading's where that reading
 * scores higher, boxes mapped with line and block boxes recomputed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unionBBox, type BBox, type Block, type Word } from "../../src/domain/document-model.js";
import {
  CONFIDENT_LINE,
  dropNoiseWords,
  mapBlocks,
  mergeReadings,
  NOISE_CONFIDENCE,
  SECOND_READING_BELOW,
  wantsSecondReading,
} from "../../src/ocr/second-reading.js";
import { tsvToBlocks, weightedConfidence } from "../../src/ocr/tsv-to-page.js";

const word = (text: string, confidence: number, x0: number, y0: number, w = 40, h = 20): Word => ({
  text,
  confidence,
  bbox: { x0, y0, x1: x0 + w, y1: y0 + h },
});

/** One block per array of lines (each a list of words), boxes and confidences as tsvToBlocks sets them. */
function blocks(...lines: Word[][][]): Block[] {
  return lines.map((ls) => ({
    kind: "paragraph" as const,
    bbox: unionBBox(ls.flat().map((w) => w.bbox)),
    confidence: weightedConfidence(ls.flat()),
    lines: ls.map((words) => ({
      bbox: unionBBox(words.map((w) => w.bbox)),
      confidence: weightedConfidence(words),
      words,
    })),
  }));
}

const texts = (bs: readonly Block[]): string[][] => bs.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text)));

describe("noise words", () => {
  it("drops words below the noise confidence and the lines and blocks they leave empty", () => {
    const read = blocks(
      [[word("TOTAL", 70, 0, 0), word("~", 5, 50, 0), word("12.50", 60, 100, 0)]],
      [[word("|", 3, 0, 100), word("ee", NOISE_CONFIDENCE - 1, 50, 100)]],
    );
    const kept = dropNoiseWords(read);
    assert.deepEqual(texts(kept), [["TOTAL", "12.50"]]);
    // Line and block boxes and confidences are those of the words kept.
    const line = kept[0]!.lines[0]!;
    assert.deepEqual(line.bbox, { x0: 0, y0: 0, x1: 140, y1: 20 });
    assert.ok(line.confidence > 60 && line.confidence < 70, `line confidence ${line.confidence}`);
    assert.deepEqual(kept[0]!.bbox, line.bbox);
  });

  it("keeps a word at the noise confidence", () => {
    assert.deepEqual(texts(dropNoiseWords(blocks([[word("a", NOISE_CONFIDENCE, 0, 0)]]))), [["a"]]);
  });

  it("keeps a low-confidence word in a line read confidently (a misread word, not noise)", () => {
    const line = [word("either", 96, 0, 0), word("by", CONFIDENT_LINE, 50, 0), word("gromnd-water", 12, 100, 0)];
    assert.deepEqual(texts(dropNoiseWords(blocks([line]))), [["either", "by", "gromnd-water"]]);
    const poor = [word("Fe", CONFIDENT_LINE - 20, 0, 0), word("ath", 12, 50, 0)];
    assert.deepEqual(texts(dropNoiseWords(blocks([poor]))), [["Fe"]]);
  });
});

describe("second reading", () => {
  it("is wanted for a page read poorly, not for a good page or an empty one", () => {
    assert.equal(wantsSecondReading(SECOND_READING_BELOW - 1, 30), true);
    assert.equal(wantsSecondReading(SECOND_READING_BELOW, 30), false);
    assert.equal(wantsSecondReading(10, 0), false);
  });

  it("replaces a line by the second reading's words inside it only where they score higher", () => {
    const first = blocks([
      [word("T0TAL", 40, 0, 0), word("l2.5O", 35, 60, 0)], // poor line
      [word("THANK", 90, 0, 50), word("YOU", 92, 60, 50)], // good line
    ]);
    const second = blocks([
      [word("TOTAL", 85, 2, 1), word("12.50", 80, 62, 1)],
      [word("THANX", 60, 0, 50), word("Y0U", 50, 60, 50)],
      [word("STRAY", 99, 0, 200)], // outside every line of the first reading
    ]);
    assert.deepEqual(texts(mergeReadings(first, second)), [
      ["TOTAL", "12.50"],
      ["THANK", "YOU"],
    ]);
  });

  it("keeps a line the second reading did not find", () => {
    const first = blocks([[word("ONLY", 30, 0, 0)]]);
    assert.deepEqual(texts(mergeReadings(first, blocks([[word("ELSE", 99, 0, 300)]]))), [["ONLY"]]);
  });

  it("reads Tesseract TSV of both readings in one frame", () => {
    const tsv = (text: string, conf: number): string =>
      [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        `5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t${conf}\t${text}`,
      ].join("\n");
    const merged = mergeReadings(tsvToBlocks(tsv("R1NGGIT", 41)), tsvToBlocks(tsv("RINGGIT", 77)));
    assert.deepEqual(texts(merged), [["RINGGIT"]]);
  });
});

describe("mapBlocks", () => {
  it("maps every word's box and recomputes line and block boxes", () => {
    const half = (b: BBox): BBox => ({ x0: b.x0 / 2, y0: b.y0 / 2, x1: b.x1 / 2, y1: b.y1 / 2 });
    const mapped = mapBlocks(blocks([[word("A", 90, 0, 0), word("B", 90, 100, 40)]]), half);
    assert.deepEqual(
      mapped[0]!.lines[0]!.words.map((w) => w.bbox),
      [
        { x0: 0, y0: 0, x1: 20, y1: 10 },
        { x0: 50, y0: 20, x1: 70, y1: 30 },
      ],
    );
    assert.deepEqual(mapped[0]!.bbox, { x0: 0, y0: 0, x1: 70, y1: 30 });
  });
});
