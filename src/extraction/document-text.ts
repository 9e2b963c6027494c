/**
 * The document model as plain text, for extractors that read text with regular expressions
 * (invoice2data templates, the LLM), with a way back from any character range to the words
 * it covers and their boxes.
 *
 * The text imitates `pdftotext -layout`, which invoice2data templates are written against:
 * words on one visual row share a text line even when the model split them into separate
 * lines (a label at the left, its value in another column); a phrase's words are separated by
 * one space, and a wider gap by as many spaces as it is character widths, at least two, with
 * text placed at its column on a grid of the page's average character width (so indentation
 * and columns survive); vertical gaps become blank lines; pages end with "\f". Pure.
 */
import type { BBox, DocumentModel, Page } from "../domain/document-model.js";
import type { FieldSource } from "./types.js";

/** One word of the text: its character range and where it is printed. */
export interface WordSpan {
  start: number;
  end: number;
  /** 1-based page number. */
  page: number;
  bbox: BBox;
}

export interface DocumentText {
  /** Rows in reading order joined by "\n"; pages separated by "\n\f". */
  text: string;
  /** Every word's character range, in text order (ascending `start`, never overlapping). */
  spans: WordSpan[];
  /** Each page's character range in `text`, and the pixel density of its boxes. */
  pages: Array<{ number: number; start: number; end: number; dpi: number }>;
}

/** A gap this many character widths wide or more is a column gap, not a word space. */
const COLUMN_GAP = 1.5;
/** Two lines are on one row when they overlap vertically by this share of the smaller height. */
const ROW_OVERLAP = 0.5;
/** At most this many blank lines for a vertical gap: more says nothing a template could use. */
const MAX_BLANK_LINES = 4;

interface RowWord {
  text: string;
  bbox: BBox;
}

interface Row {
  y0: number;
  y1: number;
  words: RowWord[];
}

export function buildDocumentText(model: DocumentModel): DocumentText {
  const parts: string[] = [];
  const spans: WordSpan[] = [];
  const pages: DocumentText["pages"] = [];
  let offset = 0;
  const emit = (s: string) => {
    parts.push(s);
    offset += s.length;
  };
  model.pages.forEach((page, index) => {
    if (index > 0) emit("\n\f");
    const start = offset;
    layoutPage(page, emit, (text, bbox) => {
      spans.push({ start: offset, end: offset + text.length, page: page.number, bbox });
      emit(text);
    });
    pages.push({ number: page.number, start, end: offset, dpi: page.dpi });
  });
  return { text: parts.join(""), spans, pages };
}

function layoutPage(page: Page, emit: (s: string) => void, emitWord: (text: string, bbox: BBox) => void): void {
  const rows = groupRows(page);
  if (rows.length === 0) return;
  let minX = Infinity;
  const heights: number[] = [];
  const perChar: number[] = [];
  for (const row of rows) {
    heights.push(row.y1 - row.y0);
    for (const w of row.words) {
      minX = Math.min(minX, w.bbox.x0);
      if (w.text.length >= 2 && w.bbox.x1 > w.bbox.x0) perChar.push((w.bbox.x1 - w.bbox.x0) / w.text.length);
    }
  }
  // The grid is as fine as the page's narrower text (the lower quartile of the words' character
  // widths), as pdftotext's is: columns rarely collide and indentation shows.
  const charWidth = perChar.length > 0 ? quantile(perChar, 0.25) : Math.max(1, median(heights) / 2);
  const pitch = linePitch(rows, median(heights));

  rows.forEach((row, r) => {
    if (r > 0) {
      const previous = rows[r - 1]!;
      const step = (row.y0 + row.y1) / 2 - (previous.y0 + previous.y1) / 2;
      const blank = pitch > 0 ? Math.min(MAX_BLANK_LINES, Math.max(0, Math.floor(step / pitch) - 1)) : 0;
      emit("\n".repeat(1 + blank));
    }
    let length = 0;
    let previousX1 = -Infinity;
    for (const w of row.words) {
      const column = Math.round((w.bbox.x0 - minX) / charWidth);
      let spaces: number;
      if (length === 0) spaces = column;
      else if ((w.bbox.x0 - previousX1) / charWidth < COLUMN_GAP) spaces = 1;
      else spaces = Math.max(2, column - length, Math.round((w.bbox.x0 - previousX1) / charWidth));
      if (spaces > 0) emit(" ".repeat(spaces));
      emitWord(w.text, w.bbox);
      length += spaces + w.text.length;
      previousX1 = w.bbox.x1;
    }
  });
}

/** The model's lines on a page grouped into visual rows (top to bottom), each row's words left to right. */
function groupRows(page: Page): Row[] {
  const lines: Row[] = [];
  for (const block of page.blocks) {
    for (const line of block.lines) {
      const words = line.words
        .filter((w) => w.text.trim() !== "")
        .map((w) => ({ text: w.text.replace(/\s+/g, " ").trim(), bbox: w.bbox }));
      if (words.length === 0) continue;
      let y0 = Infinity;
      let y1 = -Infinity;
      for (const w of words) {
        y0 = Math.min(y0, w.bbox.y0);
        y1 = Math.max(y1, w.bbox.y1);
      }
      lines.push({ y0, y1, words });
    }
  }
  lines.sort((a, b) => a.y0 + a.y1 - (b.y0 + b.y1));
  const rows: Row[] = [];
  let current: Row | null = null;
  for (const line of lines) {
    if (current && sameRow(current, line)) {
      current.words.push(...line.words);
      // The row's band is what its lines share: a tall word (a big "INVOICE" title) beside
      // two small lines must not pull the second into the first one's row.
      current.y0 = Math.max(current.y0, line.y0);
      current.y1 = Math.min(current.y1, line.y1);
    } else {
      current = { y0: line.y0, y1: line.y1, words: [...line.words] };
      rows.push(current);
    }
  }
  for (const row of rows) row.words.sort((a, b) => a.bbox.x0 - b.bbox.x0);
  return rows;
}

function sameRow(row: Row, line: Row): boolean {
  const overlap = Math.min(row.y1, line.y1) - Math.max(row.y0, line.y0);
  const smaller = Math.min(row.y1 - row.y0, line.y1 - line.y0);
  return smaller > 0 ? overlap >= ROW_OVERLAP * smaller : Math.abs(row.y0 - line.y0) < 1e-6;
}

/** The usual distance between consecutive rows' centres: single-spaced text, not the gaps between paragraphs. */
function linePitch(rows: Row[], medianHeight: number): number {
  const steps: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const step = (rows[i]!.y0 + rows[i]!.y1) / 2 - (rows[i - 1]!.y0 + rows[i - 1]!.y1) / 2;
    if (step > 0 && step <= 2.5 * medianHeight) steps.push(step);
  }
  return steps.length > 0 ? median(steps) : 1.3 * medianHeight;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

const median = (values: number[]) => quantile(values, 0.5);

/**
 * Where a character range of `dt.text` is printed: the page of its first word and the union
 * of the boxes of its words on that page. Null when the range covers no word (whitespace, or
 * text that is not in the document).
 */
export function sourceOf(dt: DocumentText, start: number, end: number): FieldSource | null {
  if (!(end > start)) return null;
  const spans = dt.spans;
  // First span that ends after `start`.
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  let page = -1;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = lo; i < spans.length && spans[i]!.start < end; i++) {
    const s = spans[i]!;
    if (page === -1) page = s.page;
    if (s.page !== page) break;
    x0 = Math.min(x0, s.bbox.x0);
    y0 = Math.min(y0, s.bbox.y0);
    x1 = Math.max(x1, s.bbox.x1);
    y1 = Math.max(y1, s.bbox.y1);
  }
  if (page === -1) return null;
  return { page, bbox: [round(x0), round(y0), round(x1), round(y1)] };
}

/**
 * Where a piece of text (as someone quoted it: the LLM, a person) occurs in the document:
 * exactly, else with any whitespace between its words, else also ignoring case. The first
 * occurrence; null when it is not there.
 */
export function locateText(dt: DocumentText, needle: string): { start: number; end: number } | null {
  const trimmed = needle.trim();
  if (trimmed === "") return null;
  const exact = dt.text.indexOf(trimmed);
  if (exact !== -1) return { start: exact, end: exact + trimmed.length };
  const words = trimmed.split(/\s+/).map(escapeRegExp);
  // Words may be printed with any spacing between them, and the quote may have dropped a
  // space that the layout shows (or added one): join with optional whitespace.
  const pattern = words.join("\\s*");
  for (const flags of ["u", "iu"]) {
    const m = new RegExp(pattern, flags).exec(dt.text);
    if (m) return { start: m.index, end: m.index + m[0].length };
  }
  return null;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

const round = (n: number) => Math.round(n * 100) / 100;
