import { unionBBox, type BBox } from "../../domain/document-model.js";
import { fromFrame, height, median, toFrame, type Orientation, type PositionedWord } from "./positioned-word.js";

/** A line of words in one reading direction, words left to right (in that direction). */
export interface LayoutLine {
  words: PositionedWord[];
  /** Page-space box. */
  bbox: BBox;
  /** Box in the orientation's frame (text reads left to right there). */
  frame: BBox;
  orientation: Orientation;
  /** Median text size of the words, page pixels. */
  size: number;
}

/**
 * Tunables, in multiples of the text size. A word joins a line when it overlaps the line's
 * vertical band by half the smaller height and the horizontal gap is under MAX_GAP: wider
 * gaps are column gutters or table cells, which must stay separate lines for reading order
 * and table detection. Word spacing is ~0.25–0.35 em; justified text rarely exceeds 1 em.
 */
const MIN_VERTICAL_OVERLAP = 0.5;
const MAX_GAP = 1.5;
/** Fragments closer than this with no whitespace between them are one word split by pdf.js. */
const JOIN_GAP = 0.12;

interface OpenLine {
  words: Array<{ word: PositionedWord; frame: BBox }>;
  x1: number;
  y0: number;
  y1: number;
  size: number;
}

function overlapRatio(a0: number, a1: number, b0: number, b1: number): number {
  const overlap = Math.min(a1, b1) - Math.max(a0, b0);
  const smaller = Math.min(a1 - a0, b1 - b0);
  return smaller > 0 ? overlap / smaller : 0;
}

/** Nearly the same box and the same text: a fake-bold double print, or a duplicated text layer. */
function isDuplicate(a: { word: PositionedWord; frame: BBox }, b: { word: PositionedWord; frame: BBox }): boolean {
  if (a.word.text !== b.word.text) return false;
  const w = Math.max(a.frame.x1 - a.frame.x0, 1e-6);
  return Math.abs(a.frame.x0 - b.frame.x0) < 0.2 * w && Math.abs(a.frame.y0 - b.frame.y0) < 0.2 * height(a.frame);
}

function linesOneOrientation(words: PositionedWord[], orientation: Orientation): LayoutLine[] {
  const items = words
    .map((word) => ({ word, frame: toFrame(word.bbox, orientation) }))
    .sort((a, b) => a.frame.x0 - b.frame.x0 || a.frame.y0 - b.frame.y0);
  const open: OpenLine[] = [];
  for (const item of items) {
    const h = Math.max(height(item.frame), 1e-6);
    let best: OpenLine | undefined;
    let bestScore = -Infinity;
    for (const line of open) {
      const gap = item.frame.x0 - line.x1;
      const scale = Math.max(line.size, h);
      if (gap > MAX_GAP * scale || gap < -0.5 * scale) continue;
      const ratio = overlapRatio(line.y0, line.y1, item.frame.y0, item.frame.y1);
      if (ratio < MIN_VERTICAL_OVERLAP) continue;
      const score = ratio - Math.max(gap, 0) / (10 * scale);
      if (score > bestScore) {
        bestScore = score;
        best = line;
      }
    }
    if (!best) {
      open.push({ words: [item], x1: item.frame.x1, y0: item.frame.y0, y1: item.frame.y1, size: h });
      continue;
    }
    const last = best.words[best.words.length - 1];
    if (last && isDuplicate(last, item)) continue;
    const gap = item.frame.x0 - best.x1;
    if (last && last.word.joinAfter && item.word.joinBefore && gap < JOIN_GAP * best.size) {
      // One word split over two pdf.js items: glue the text and the boxes.
      const merged: PositionedWord = {
        ...last.word,
        text: last.word.text + item.word.text,
        bbox: unionBBox([last.word.bbox, item.word.bbox]),
        joinAfter: item.word.joinAfter,
      };
      best.words[best.words.length - 1] = { word: merged, frame: unionBBox([last.frame, item.frame]) };
    } else {
      best.words.push(item);
    }
    best.x1 = Math.max(best.x1, item.frame.x1);
    // Keep the band anchored to the line's first words, widening only a little, so a tall
    // neighbour (a drop cap, a superscript) cannot pull the next line into this one.
    best.y0 = Math.min(best.y0, item.frame.y0 + 0.25 * h);
    best.y1 = Math.max(best.y1, item.frame.y1 - 0.25 * h);
  }
  return open.map((line) => {
    const ordered = line.words.sort((a, b) => a.frame.x0 - b.frame.x0);
    const frame = unionBBox(ordered.map((w) => w.frame));
    return {
      words: ordered.map((w) => w.word),
      frame,
      bbox: fromFrame(frame, orientation),
      orientation,
      size: median(ordered.map((w) => w.word.size)),
    };
  });
}

/** Group words into lines, separately for each reading direction. */
export function buildLines(words: readonly PositionedWord[]): LayoutLine[] {
  const byOrientation = new Map<Orientation, PositionedWord[]>();
  for (const word of words) {
    const list = byOrientation.get(word.orientation) ?? [];
    list.push(word);
    byOrientation.set(word.orientation, list);
  }
  const lines: LayoutLine[] = [];
  for (const [orientation, list] of byOrientation) lines.push(...linesOneOrientation(list, orientation));
  return lines;
}
