/**
 * What is done with Tesseract's words after it has read a page (#19; docs/OCR.md,
 * "Preprocessing", has the measurements):
 *
 * - **Noise words are dropped.** A word Tesseract itself scores below NOISE_CONFIDENCE is
 *   rarely a word of the page (SROIE: 9–24% of the words below 30 match a word of the
 *   transcript, 93% of those at ≥ 90): it is what the recogniser made of a logo, a pen mark,
 *   a table rule or a scanner's edge, and it costs a reader (and search, and field
 *   extraction) more than the nothing it replaces. Unless the rest of its line was read
 *   confidently (CONFIDENT_LINE): there it is a real word misread ("gromnd-water" in a clean
 *   book line), and half a word is better than none.
 * - **A second reading, line by line.** On a page read poorly (confidence below
 *   SECOND_READING_BELOW) as one column (--psm 4), the page is read again, smaller
 *   (SECOND_READING_SCALE) and as one uniform block (--psm 6), which finds the lines' extent
 *   and baselines differently; each line of the first
 *   reading is replaced by the second reading's words inside its box when those score higher.
 *   Tesseract's confidence picks the better of two readings of one line far more often than
 *   of two whole pages (whole-page choice was tried and measured: right half of the time).
 */
import { unionBBox, type BBox, type Block, type Line, type Word } from "../domain/document-model.js";
import { weightedConfidence } from "./tsv-to-page.js";

/** Words Tesseract scores below this are dropped as noise. */
export const NOISE_CONFIDENCE = 30;
/** A noise word is kept when the other words of its line score at least this. */
export const CONFIDENT_LINE = 80;
/** Pages whose first reading scores below this are read a second time. */
export const SECOND_READING_BELOW = 85;
/**
 * The second reading is of the page scaled by this (glyphs ~18 px instead of ~28): measured
 * on SROIE's even receipts, ×0.65 and ×0.79 read best (CER 0.753× and 0.754× the CLI), ×1 0.790×,
 * ×1.25 0.774×, ×0.5 0.795×; and it is fewer pixels to read.
 */
export const SECOND_READING_SCALE = 0.65;

/**
 * The blocks without noise words: below NOISE_CONFIDENCE, in a line whose other words score
 * below CONFIDENT_LINE (or alone in it). Lines and blocks left empty are dropped, boxes recomputed.
 */
export function dropNoiseWords(blocks: readonly Block[]): Block[] {
  return rebuild(blocks, (line) =>
    line.words.filter((w) => {
      if (w.confidence >= NOISE_CONFIDENCE) return true;
      const others = line.words.filter((o) => o !== w);
      return others.length > 0 && weightedConfidence(others) >= CONFIDENT_LINE;
    }),
  );
}

/** Whether a page read with this confidence is worth reading a second time. */
export function wantsSecondReading(confidence: number, wordCount: number): boolean {
  return wordCount > 0 && confidence < SECOND_READING_BELOW;
}

/**
 * Each line of `first` replaced by the words of `second` whose centre lies inside the line's
 * box, when there are any and their length-weighted confidence is higher. Both readings must
 * be in the same frame (boxes of the same image).
 */
export function mergeReadings(first: readonly Block[], second: readonly Block[]): Block[] {
  const others = second.flatMap((b) => b.lines.flatMap((l) => l.words));
  return rebuild(first, (line) => {
    const inside = others.filter((w) => centreInside(w.bbox, line.bbox));
    return inside.length > 0 && weightedConfidence(inside) > line.confidence ? inside : line.words;
  });
}

function centreInside(box: BBox, line: BBox): boolean {
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  // A few pixels of slack across: the second reading may cut a line's first or last word wider.
  const slack = Math.max(2, (line.y1 - line.y0) / 4);
  return cy >= line.y0 && cy <= line.y1 && cx >= line.x0 - slack && cx <= line.x1 + slack;
}

/** Blocks with each line's words replaced by `words(line)`; empty lines and blocks go. */
function rebuild(blocks: readonly Block[], words: (line: Line) => Word[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    const lines: Line[] = [];
    for (const line of block.lines) {
      const kept = words(line);
      if (kept.length === 0) continue;
      lines.push({ bbox: unionBBox(kept.map((w) => w.bbox)), confidence: weightedConfidence(kept), words: kept });
    }
    if (lines.length === 0) continue;
    out.push({
      ...block,
      bbox: unionBBox(lines.map((l) => l.bbox)),
      confidence: weightedConfidence(lines.flatMap((l) => l.words)),
      lines,
    });
  }
  return out;
}

/** The blocks with every word's box mapped by `map` (line and block boxes recomputed). */
export function mapBlocks(blocks: readonly Block[], map: (box: BBox) => BBox): Block[] {
  return rebuild(blocks, (line) => line.words.map((w) => ({ ...w, bbox: map(w.bbox) })));
}
