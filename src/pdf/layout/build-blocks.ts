import { unionBBox, type BBox, type Block, type BlockKind, type Line } from "../../domain/document-model.js";
import type { LayoutLine } from "./build-lines.js";
import { height, median, width } from "./positioned-word.js";
import { listMarker } from "./text-patterns.js";
import { orderBlocks } from "./reading-order.js";

/**
 * Lines → blocks (paragraphs, headings, list items, simple tables), in reading order.
 * Deliberately conservative: a wrong table or heading is worse than a plain paragraph, so
 * each rule needs clear geometric evidence. All thresholds are multiples of the text size.
 */

/** Lines closer than this (top to top, in text sizes) belong to the same paragraph. */
const MAX_LINE_PITCH = 1.7;
/** Sizes within this ratio are "the same size" (paragraph continuation). */
const SAME_SIZE_RATIO = 1.25;
/** A block whose text is at least this much larger than the body text is a heading… */
const HEADING_SIZE_RATIO = 1.2;
/** …if it is short. */
const HEADING_MAX_LINES = 3;
/**
 * Table cells hold few words; more looks like columns of prose (two text columns also make
 * "rows" of two aligned "cells"). Two-column tables must be terser than wider ones.
 */
const TABLE_MAX_WORDS_PER_CELL = 3;
const TWO_COLUMN_TABLE_MAX_WORDS_PER_CELL = 2;
const TABLE_MIN_ROWS = 2;
/** Rows further apart than this (in text sizes) end a table. */
const TABLE_MAX_ROW_GAP = 2.5;

interface Row {
  cells: LayoutLine[];
  y0: number;
  y1: number;
}

function toModelLine(line: LayoutLine): Line {
  return {
    bbox: line.bbox,
    confidence: Math.min(...line.words.map((w) => w.confidence)),
    words: line.words.map((w) => ({ text: w.text, bbox: w.bbox, confidence: w.confidence })),
  };
}

function block(kind: BlockKind, lines: LayoutLine[], table?: { rows: string[][] }): Block & { size: number } {
  const modelLines = lines.map(toModelLine);
  return {
    kind,
    bbox: unionBBox(modelLines.map((l) => l.bbox)),
    confidence: modelLines.length ? Math.min(...modelLines.map((l) => l.confidence)) : 0,
    lines: modelLines,
    ...(table ? { table } : {}),
    size: median(lines.map((l) => l.size)),
  };
}

/** Rows: lines (of one orientation) whose vertical bands overlap; cells left to right. */
function groupRows(lines: LayoutLine[]): Row[] {
  const sorted = [...lines].sort((a, b) => a.frame.y0 - b.frame.y0);
  const rows: Row[] = [];
  for (const line of sorted) {
    const row = rows[rows.length - 1];
    const h = height(line.frame);
    if (row) {
      const overlap = Math.min(row.y1, line.frame.y1) - Math.max(row.y0, line.frame.y0);
      if (overlap >= 0.5 * Math.min(h, row.y1 - row.y0)) {
        row.cells.push(line);
        row.y0 = Math.min(row.y0, line.frame.y0);
        row.y1 = Math.max(row.y1, line.frame.y1);
        continue;
      }
    }
    rows.push({ cells: [line], y0: line.frame.y0, y1: line.frame.y1 });
  }
  for (const row of rows) row.cells.sort((a, b) => a.frame.x0 - b.frame.x0);
  return rows;
}

/** Same number of cells, and each cell overlaps only its counterpart horizontally. */
function rowsAlign(a: Row, b: Row): boolean {
  if (a.cells.length !== b.cells.length || a.cells.length < 2) return false;
  for (let i = 0; i < a.cells.length; i++) {
    const ca = a.cells[i]?.frame;
    const cb = b.cells[i]?.frame;
    if (!ca || !cb) return false;
    const overlaps = Math.min(ca.x1, cb.x1) - Math.max(ca.x0, cb.x0) > 0;
    const leftAligned = Math.abs(ca.x0 - cb.x0) < 1.0 * Math.max(height(ca), height(cb));
    const rightAligned = Math.abs(ca.x1 - cb.x1) < 1.0 * Math.max(height(ca), height(cb));
    if (!overlaps && !leftAligned && !rightAligned) return false;
    const next = b.cells[i + 1]?.frame;
    if (next && ca.x1 > next.x0) return false;
  }
  return true;
}

function isTableLike(rows: Row[]): boolean {
  if (rows.length < TABLE_MIN_ROWS) return false;
  const cells = rows.flatMap((r) => r.cells);
  const words = cells.reduce((n, c) => n + c.words.length, 0);
  const columns = rows[0]?.cells.length ?? 0;
  return words / cells.length <= (columns >= 3 ? TABLE_MAX_WORDS_PER_CELL : TWO_COLUMN_TABLE_MAX_WORDS_PER_CELL);
}

/** Find runs of aligned rows; return the tables and the lines that are not in one. */
function extractTables(lines: LayoutLine[]): { tables: Array<Block & { size: number }>; rest: LayoutLine[] } {
  const rows = groupRows(lines);
  const tables: Array<Block & { size: number }> = [];
  const used = new Set<LayoutLine>();
  let i = 0;
  while (i < rows.length) {
    const run: Row[] = [];
    const first = rows[i];
    if (first && first.cells.length >= 2) {
      run.push(first);
      let j = i + 1;
      while (j < rows.length) {
        const prev = run[run.length - 1];
        const next = rows[j];
        if (!prev || !next) break;
        const size = median(prev.cells.map((c) => c.size));
        if (next.y0 - prev.y1 > TABLE_MAX_ROW_GAP * size || !rowsAlign(prev, next)) break;
        run.push(next);
        j += 1;
      }
      if (isTableLike(run)) {
        const cellLines = run.flatMap((r) => r.cells);
        for (const c of cellLines) used.add(c);
        const rowsText = run.map((r) => r.cells.map((c) => c.words.map((w) => w.text).join(" ")));
        tables.push(block("table", cellLines, { rows: rowsText }));
        i = j;
        continue;
      }
    }
    i += 1;
  }
  return { tables, rest: lines.filter((l) => !used.has(l)) };
}

function xOverlap(a: BBox, b: BBox): number {
  return Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
}

/** Paragraphs: consecutive lines of similar size, close pitch, horizontally overlapping. */
function buildParagraphs(lines: LayoutLine[]): LayoutLine[][] {
  const sorted = [...lines].sort((a, b) => a.frame.y0 - b.frame.y0 || a.frame.x0 - b.frame.x0);
  const groups: LayoutLine[][] = [];
  for (const line of sorted) {
    const startsListItem = listMarker(line.words[0]?.text) !== null;
    let target: LayoutLine[] | undefined;
    if (!startsListItem) {
      for (let g = groups.length - 1; g >= 0 && !target; g--) {
        const group = groups[g];
        const last = group?.[group.length - 1];
        if (!group || !last) continue;
        const size = Math.max(last.size, line.size);
        const pitch = line.frame.y0 - last.frame.y0;
        const sameSize =
          Math.max(last.size, line.size) / Math.max(Math.min(last.size, line.size), 1e-6) <= SAME_SIZE_RATIO;
        const overlap = xOverlap(last.frame, line.frame) > 0.2 * Math.min(width(last.frame), width(line.frame));
        if (pitch > 0 && pitch <= MAX_LINE_PITCH * size && sameSize && overlap) target = group;
      }
    }
    if (target) target.push(line);
    else groups.push([line]);
  }
  return groups;
}

function classify(lines: LayoutLine[], bodySize: number): BlockKind {
  if (listMarker(lines[0]?.words[0]?.text) !== null) return "list_item";
  const size = median(lines.map((l) => l.size));
  if (bodySize > 0 && lines.length <= HEADING_MAX_LINES && size >= HEADING_SIZE_RATIO * bodySize) return "heading";
  return "paragraph";
}

/** The text size most characters are set in: the body text. */
export function bodyTextSize(lines: readonly LayoutLine[]): number {
  const bySize = new Map<number, number>();
  for (const line of lines) {
    const key = Math.round(line.size * 2) / 2;
    const chars = line.words.reduce((n, w) => n + w.text.length, 0);
    bySize.set(key, (bySize.get(key) ?? 0) + chars);
  }
  let best = 0;
  let bestChars = -1;
  for (const [size, chars] of bySize) {
    if (chars > bestChars) {
      best = size;
      bestChars = chars;
    }
  }
  return best;
}

/** Lines of one page → blocks in reading order. */
export function buildBlocks(lines: readonly LayoutLine[]): Block[] {
  const bodySize = bodyTextSize(lines);
  const blocks: Array<Block & { size: number }> = [];
  const byOrientation = new Map<number, LayoutLine[]>();
  for (const line of lines) byOrientation.set(line.orientation, [...(byOrientation.get(line.orientation) ?? []), line]);
  for (const group of byOrientation.values()) {
    const { tables, rest } = extractTables(group);
    blocks.push(...tables);
    for (const paragraph of buildParagraphs(rest)) blocks.push(block(classify(paragraph, bodySize), paragraph));
  }
  return orderBlocks(blocks).map(({ size: _size, ...rest }) => rest);
}
