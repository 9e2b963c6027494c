import type { Block, Line, Word } from "../domain/document-model.js";

/**
 * Table rows from a block's geometry, for models whose producer did not mark tables (OCR):
 * each line is cut into cells at gaps much wider than its word spacing, and the block is a
 * table only when every line has the same number (≥ 2) of cells and the cells line up in
 * columns. Conservative on purpose: prose never has aligned wide gaps on every line.
 */

const MIN_ROWS = 2;
/** A cell break is a gap at least this many times the line height… */
const GAP_LINE_HEIGHTS = 1.2;
/** …and at least this many times the line's median word gap. */
const GAP_WORD_GAPS = 2.5;
const WORD_GAP_MAX_LINE_HEIGHTS = 0.6;
/** Prose in two columns also splits into aligned "cells"; real cells are terse. */
const MAX_WORDS_PER_CELL = 3;
const TWO_COLUMN_MAX_WORDS_PER_CELL = 2;

interface Cell {
  words: Word[];
  x0: number;
  x1: number;
}

function splitCells(line: Line): Cell[] {
  const words = [...line.words].sort((a, b) => a.bbox.x0 - b.bbox.x0);
  const first = words[0];
  if (!first) return [];
  const height = Math.max(line.bbox.y1 - line.bbox.y0, 1e-6);
  const gaps = words.slice(1).map((w, i) => w.bbox.x0 - (words[i]?.bbox.x1 ?? w.bbox.x0));
  const sortedGaps = gaps.filter((g) => g > 0).sort((a, b) => a - b);
  const typical = sortedGaps[Math.floor(sortedGaps.length / 2)] ?? 0;
  // A line of one-word cells has only wide gaps: then the "typical" gap is a cell gap and
  // must not raise the threshold. Word spacing proper is under ~0.6 of the line height.
  const wordGap = typical <= WORD_GAP_MAX_LINE_HEIGHTS * height ? typical : 0;
  const threshold = Math.max(GAP_LINE_HEIGHTS * height, GAP_WORD_GAPS * wordGap);
  const cells: Cell[] = [{ words: [first], x0: first.bbox.x0, x1: first.bbox.x1 }];
  words.slice(1).forEach((word, i) => {
    const current = cells[cells.length - 1];
    if (!current) return;
    if ((gaps[i] ?? 0) >= threshold) cells.push({ words: [word], x0: word.bbox.x0, x1: word.bbox.x1 });
    else {
      current.words.push(word);
      current.x1 = Math.max(current.x1, word.bbox.x1);
    }
  });
  return cells;
}

function columnsAlign(rows: Cell[][]): boolean {
  const columns = rows[0]?.length ?? 0;
  for (let c = 0; c < columns; c++) {
    for (let r = 1; r < rows.length; r++) {
      const a = rows[r - 1]?.[c];
      const b = rows[r]?.[c];
      const nextB = rows[r]?.[c + 1];
      const nextA = rows[r - 1]?.[c + 1];
      if (!a || !b) return false;
      const overlaps = Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0);
      if (!overlaps) return false;
      if ((nextB && a.x1 > nextB.x0) || (nextA && b.x1 > nextA.x0)) return false;
    }
  }
  return true;
}

/** Cell texts row by row, or null when the block does not look like a table. */
export function tableFromLines(block: Block): string[][] | null {
  if (block.lines.length < MIN_ROWS) return null;
  const rows = block.lines.map(splitCells);
  const columns = rows[0]?.length ?? 0;
  if (columns < 2 || rows.some((r) => r.length !== columns)) return null;
  const cells = rows.flat();
  const words = cells.reduce((n, c) => n + c.words.length, 0);
  if (words / cells.length > (columns >= 3 ? MAX_WORDS_PER_CELL : TWO_COLUMN_MAX_WORDS_PER_CELL)) return null;
  if (!columnsAlign(rows)) return null;
  return rows.map((r) => r.map((c) => c.words.map((w) => w.text).join(" ")));
}
