/**
 * Document models for extraction tests, laid out like a page: each line is text at a position,
 * its words boxed by character (a fixed pitch), so three or more spaces inside a line make a
 * column gap, as a printed form has.
 */
import type { Block, DocumentModel, Line, Page, Word } from "../../../src/domain/document-model.js";

export interface TextLine {
  x: number;
  y: number;
  text: string;
  /** Font size in points (default 10): word height, and a character is 0.55 of it wide. */
  size?: number;
  /** Word confidence 0–100 (default 100, a text layer). */
  confidence?: number;
}

export interface PageSpec {
  lines: TextLine[];
  width?: number;
  height?: number;
  source?: "text-layer" | "ocr";
}

function lineOf(spec: TextLine): Line {
  const size = spec.size ?? 10;
  const pitch = size * 0.55;
  const confidence = spec.confidence ?? 100;
  const words: Word[] = [];
  for (const m of spec.text.matchAll(/\S+/g)) {
    const x0 = spec.x + m.index * pitch;
    words.push({ text: m[0], bbox: { x0, y0: spec.y, x1: x0 + m[0].length * pitch, y1: spec.y + size }, confidence });
  }
  const x1 = words.length > 0 ? words[words.length - 1]!.bbox.x1 : spec.x;
  return { bbox: { x0: spec.x, y0: spec.y, x1, y1: spec.y + size }, confidence, words };
}

/** One block per line, as a text layer or OCR may give them (rows are the layout index's job). */
export function pageOf(spec: PageSpec, number = 1): Page {
  const blocks: Block[] = spec.lines.map((l) => {
    const line = lineOf(l);
    return { kind: "paragraph", bbox: line.bbox, confidence: line.confidence, lines: [line] };
  });
  const source = spec.source ?? "text-layer";
  const confidence = blocks.length > 0 ? blocks.reduce((s, b) => s + b.confidence, 0) / blocks.length : 0;
  return {
    number,
    width: spec.width ?? 595,
    height: spec.height ?? 842,
    dpi: 72,
    source,
    rotation: 0,
    skew: 0,
    confidence,
    blocks,
  };
}

export function modelOf(...pages: PageSpec[]): DocumentModel {
  return {
    version: 1,
    documentId: "test",
    languages: ["pol", "eng"],
    engine: "test",
    pages: pages.map((p, i) => pageOf(p, i + 1)),
  };
}

/** Lines stacked from `top` every `step` points at the same x. */
export function stack(x: number, top: number, texts: string[], step = 14, size = 10): TextLine[] {
  return texts.map((text, i) => ({ x, y: top + i * step, text, size }));
}
