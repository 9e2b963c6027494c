/**
 * An index over the document model for the rules: per page, visual rows (the source lines of
 * every block that share a baseline band, so a label in one column and its value in another
 * come together) made of segments (runs of words without a column-sized gap), in reading order.
 */
import { unionBBox, type BBox, type DocumentModel, type Word } from "../../domain/document-model.js";
import { labelKey } from "../normalize/text.js";

export interface LayoutWord {
  text: string;
  /** The word folded for label matching (labelKey). */
  key: string;
  bbox: BBox;
  /** 0–100 as the model has it. */
  confidence: number;
}

/** Words read as one run: a column cell, a label, a value. */
export interface Segment {
  words: LayoutWord[];
  bbox: BBox;
  text: string;
}

export interface Row {
  page: number;
  /** Position in the whole document's reading order. */
  index: number;
  segments: Segment[];
  bbox: BBox;
}

export interface PageLayout {
  number: number;
  width: number;
  height: number;
  rows: Row[];
}

export interface Layout {
  pages: PageLayout[];
  /** Every row of every page in reading order. */
  rows: Row[];
  /** The median text height: the unit distances are judged in. */
  lineHeight: number;
}

/** A gap wider than this many line heights splits a line into two segments (a column gap). */
const SEGMENT_GAP = 1.6;

export function buildLayout(model: DocumentModel): Layout {
  const pages: PageLayout[] = [];
  const rows: Row[] = [];
  const heights: number[] = [];
  for (const page of model.pages) {
    const segments: Segment[] = [];
    for (const block of page.blocks) {
      for (const line of block.lines) {
        const words = line.words.flatMap(splitWord).filter((w) => w.text.trim() !== "");
        if (words.length === 0) continue;
        words.sort((a, b) => a.bbox.x0 - b.bbox.x0);
        const height = median(words.map((w) => w.bbox.y1 - w.bbox.y0)) || 1;
        heights.push(height);
        segments.push(...splitAtGaps(words, height));
      }
    }
    const pageRows = groupRows(segments).map((segs) => ({
      page: page.number,
      index: 0,
      segments: segs,
      bbox: unionBBox(segs.map((s) => s.bbox)),
    }));
    for (const row of pageRows) {
      row.index = rows.length;
      rows.push(row);
    }
    pages.push({ number: page.number, width: page.width, height: page.height, rows: pageRows });
  }
  return { pages, rows, lineHeight: median(heights) || 10 };
}

/**
 * "NIP:7740001454" is a label and a value printed without a space: split after the colon
 * (when letters precede it, so times like 8:13 stay whole), sharing the box by characters.
 */
function splitWord(word: Word): LayoutWord[] {
  // "n°562044387", "Nr.123", "#4711": a number sign glued to its number.
  const m = /^(\p{L}[\p{L}\p{N}.\-/]*:)(\S+)$/u.exec(word.text) ?? /^((?:n°|nº|#))(\d\S*)$/iu.exec(word.text);
  if (!m) return [toLayoutWord(word.text, word.bbox, word.confidence)];
  const [label, value] = [m[1]!, m[2]!];
  const cut = word.bbox.x0 + ((word.bbox.x1 - word.bbox.x0) * label.length) / word.text.length;
  return [
    toLayoutWord(label, { ...word.bbox, x1: cut }, word.confidence),
    toLayoutWord(value, { ...word.bbox, x0: cut }, word.confidence),
  ];
}

function toLayoutWord(text: string, bbox: BBox, confidence: number): LayoutWord {
  return { text, key: labelKey(text), bbox, confidence };
}

function splitAtGaps(words: LayoutWord[], height: number): Segment[] {
  const out: Segment[] = [];
  let current: LayoutWord[] = [];
  for (const word of words) {
    const last = current[current.length - 1];
    if (last && word.bbox.x0 - last.bbox.x1 > SEGMENT_GAP * height) {
      out.push(segment(current));
      current = [];
    }
    current.push(word);
  }
  if (current.length > 0) out.push(segment(current));
  return out;
}

export function segment(words: LayoutWord[]): Segment {
  return { words, bbox: unionBBox(words.map((w) => w.bbox)), text: words.map((w) => w.text).join(" ") };
}

/**
 * Segments whose vertical extents overlap by half the smaller height, and that do not overlap
 * horizontally, form a row. Greedy from the top: each segment joins the row whose band it
 * shares most, else starts one.
 */
function groupRows(segments: Segment[]): Segment[][] {
  const sorted = [...segments].sort((a, b) => center(a.bbox) - center(b.bbox) || a.bbox.x0 - b.bbox.x0);
  const rows: Array<{ segs: Segment[]; y0: number; y1: number }> = [];
  for (const seg of sorted) {
    let best: (typeof rows)[number] | null = null;
    let bestOverlap = 0;
    // Only the last few rows can share a band with a segment further down the page.
    for (let i = rows.length - 1; i >= Math.max(0, rows.length - 6); i--) {
      const row = rows[i]!;
      const overlap = Math.min(row.y1, seg.bbox.y1) - Math.max(row.y0, seg.bbox.y0);
      const smaller = Math.min(row.y1 - row.y0, seg.bbox.y1 - seg.bbox.y0);
      if (overlap < 0.5 * smaller || overlap <= bestOverlap) continue;
      if (row.segs.some((s) => s.bbox.x0 < seg.bbox.x1 - 1 && seg.bbox.x0 < s.bbox.x1 - 1)) continue;
      best = row;
      bestOverlap = overlap;
    }
    if (best) {
      best.segs.push(seg);
      best.y0 = Math.min(best.y0, seg.bbox.y0);
      best.y1 = Math.max(best.y1, seg.bbox.y1);
    } else rows.push({ segs: [seg], y0: seg.bbox.y0, y1: seg.bbox.y1 });
  }
  for (const row of rows) row.segs.sort((a, b) => a.bbox.x0 - b.bbox.x0);
  rows.sort((a, b) => a.y0 + a.y1 - (b.y0 + b.y1));
  return rows.map((r) => r.segs);
}

const center = (b: BBox) => (b.y0 + b.y1) / 2;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The text of a row, segments separated by a wide gap marker (for regexes that must not cross columns). */
export function rowText(row: Row): string {
  return row.segments.map((s) => s.text).join("   ");
}
