/**
 * Document models for extraction tests, drawn as text: each string is a printed row, each
 * character a fixed-width cell, so a test reads like the page it describes. Runs of words
 * separated by two or more spaces become separate model lines in separate blocks, as the
 * layout analysis leaves a label and its value in another column.
 */
import type { Block, DocumentModel, Page, Word } from "../../../src/domain/document-model.js";

export const CHAR_WIDTH = 6;
export const ROW_HEIGHT = 14;
export const TEXT_HEIGHT = 10;
export const MARGIN = 40;

export interface LayoutOptions {
  /** Page source (default text-layer). */
  source?: Page["source"];
  /** Word confidence (default 100). */
  confidence?: number;
}

/** The box of `text` if printed at row `row`, column `column` of a page drawn by `modelFromLayout`. */
export function cellBox(row: number, column: number, text: string): [number, number, number, number] {
  const y0 = MARGIN + row * ROW_HEIGHT;
  return [MARGIN + column * CHAR_WIDTH, y0, MARGIN + (column + text.length) * CHAR_WIDTH, y0 + TEXT_HEIGHT];
}

export function pageFromLayout(rows: readonly string[], number: number, options: LayoutOptions = {}): Page {
  const blocks: Block[] = [];
  rows.forEach((row, r) => {
    // Runs: words separated by single spaces; two spaces or more end a run.
    for (const run of row.matchAll(/\S+(?: \S+)*/g)) {
      const words: Word[] = [];
      for (const w of run[0].matchAll(/\S+/g)) {
        const [x0, y0, x1, y1] = cellBox(r, run.index + w.index, w[0]);
        words.push({ text: w[0], bbox: { x0, y0, x1, y1 }, confidence: options.confidence ?? 100 });
      }
      const bbox = { x0: words[0]!.bbox.x0, y0: words[0]!.bbox.y0, x1: words.at(-1)!.bbox.x1, y1: words[0]!.bbox.y1 };
      blocks.push({
        kind: "paragraph",
        bbox,
        confidence: options.confidence ?? 100,
        lines: [{ bbox, confidence: options.confidence ?? 100, words }],
      });
    }
  });
  return {
    number,
    width: 2 * MARGIN + 100 * CHAR_WIDTH,
    height: 2 * MARGIN + rows.length * ROW_HEIGHT,
    dpi: 72,
    source: options.source ?? "text-layer",
    rotation: 0,
    skew: 0,
    confidence: options.confidence ?? 100,
    // Blocks in an order that is not reading order: building the text must not depend on it.
    blocks: blocks.reverse(),
  };
}

export function modelFromLayout(pages: ReadonlyArray<readonly string[]>, options: LayoutOptions = {}): DocumentModel {
  return {
    version: 1,
    documentId: "test-document",
    languages: ["pol", "eng"],
    engine: "test",
    pages: pages.map((rows, i) => pageFromLayout(rows, i + 1, options)),
  };
}
