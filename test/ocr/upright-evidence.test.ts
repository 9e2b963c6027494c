import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page, Word } from "../../src/domain/document-model.js";
import { tallWordShare, uprightVerdict } from "../../src/ocr/upright-evidence.js";

const OPTIONS = { acceptConfidence: 55 };

/** A word of `text` at `confidence`, laid out across (wide box) or down (tall box) the page. */
function word(text: string, confidence: number, direction: "across" | "down" = "across"): Word {
  const long = 12 * text.length;
  const bbox = direction === "across" ? { x0: 0, y0: 0, x1: long, y1: 20 } : { x0: 0, y0: 0, x1: 20, y1: long };
  return { text, confidence, bbox };
}

/** A one-line page of `words`; the page confidence is their plain mean (enough here). */
function page(words: Word[]): Page {
  const confidence = words.length === 0 ? 0 : words.reduce((s, w) => s + w.confidence, 0) / words.length;
  const bbox = { x0: 0, y0: 0, x1: 1000, y1: 1000 };
  return {
    number: 1,
    width: 1000,
    height: 1000,
    dpi: 300,
    source: "ocr",
    rotation: 0,
    skew: 0,
    confidence,
    blocks: words.length === 0 ? [] : [{ kind: "paragraph", bbox, confidence, lines: [{ bbox, confidence, words }] }],
  };
}

const repeat = (n: number, make: (i: number) => Word): Word[] => Array.from({ length: n }, (_, i) => make(i));

describe("uprightVerdict", () => {
  it("accepts a page that reads well across", () => {
    assert.equal(uprightVerdict(page(repeat(20, () => word("Invoice", 92))), OPTIONS), "upright");
  });

  it("calls a page sideways when its words run down, however well they read", () => {
    // Tesseract reads sideways text as vertical lines, often with high confidence.
    assert.equal(uprightVerdict(page(repeat(20, () => word("Invoice", 95, "down"))), OPTIONS), "sideways");
    // Short words ("I", "1.") say nothing about direction.
    assert.equal(tallWordShare([word("I", 90, "down"), word("1.", 90, "down"), word("Total", 90)]), 0);
  });

  it("doubts a page that reads as nonsense (upside down)", () => {
    // 30 long words, only one read confidently: like every upside-down page in the corpus.
    const words = [...repeat(29, () => word("SINOY", 30)), word("NOON", 90)];
    assert.equal(uprightVerdict(page(words), OPTIONS), "doubtful");
  });

  it("accepts a faint but upright page on its confidently read words", () => {
    // Mean confidence ~45 (faint thermal print), but 8 of 60 long words read at ≥ 85.
    const words = [...repeat(52, () => word("smudge", 38)), ...repeat(8, () => word("Total", 91))];
    assert.ok(page(words).confidence < OPTIONS.acceptConfidence);
    assert.equal(uprightVerdict(page(words), OPTIONS), "upright");
    // Too few confident words to trust, whatever their share.
    const few = [word("Cash", 90), word("Unit", 90), ...repeat(8, () => word("xqzv", 10))];
    assert.equal(uprightVerdict(page(few), OPTIONS), "doubtful");
  });

  it("leaves a page where nothing was read alone", () => {
    assert.equal(uprightVerdict(page([]), OPTIONS), "no-text");
  });
});
