import type { BBox, Block, DocumentModel, Line, Page, Word } from "../domain/document-model.js";
import { renderPages, type RenderOptions } from "./render-pages.js";

/**
 * The document model as JSON, stable: the same model always serialises to the same bytes
 * (fixed key order, coordinates rounded to 1/100 pixel, confidences to 1/100), so artifacts
 * can be compared and cached by hash. Only the model's own fields are written; anything else
 * a producer attached is dropped.
 */
export interface JsonExportOptions {
  /** Indent with two spaces (default false: compact, the model can be large). */
  pretty?: boolean;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
}

function bbox(b: BBox): BBox {
  return { x0: round(b.x0), y0: round(b.y0), x1: round(b.x1), y1: round(b.y1) };
}

function word(w: Word): Word {
  return { text: w.text, bbox: bbox(w.bbox), confidence: round(w.confidence) };
}

function line(l: Line): Line {
  return { bbox: bbox(l.bbox), confidence: round(l.confidence), words: l.words.map(word) };
}

function block(b: Block): Block {
  return {
    kind: b.kind,
    bbox: bbox(b.bbox),
    confidence: round(b.confidence),
    lines: b.lines.map(line),
    ...(b.table ? { table: { rows: b.table.rows.map((r) => r.map(String)) } } : {}),
    ...(b.source === "ocr" ? { source: b.source } : {}),
  };
}

function page(p: Page): Page {
  return {
    number: p.number,
    width: round(p.width),
    height: round(p.height),
    dpi: round(p.dpi),
    source: p.source,
    rotation: p.rotation,
    skew: round(p.skew),
    confidence: round(p.confidence),
    blocks: p.blocks.map(block),
  };
}

/** A normalised copy of the model (what `toJson` writes). */
export function normalizeModel(model: DocumentModel): DocumentModel {
  return {
    version: model.version,
    documentId: model.documentId,
    languages: [...model.languages],
    engine: model.engine,
    pages: model.pages.map(page),
  };
}

export function toJson(model: DocumentModel, options: JsonExportOptions = {}): string {
  return `${JSON.stringify(normalizeModel(model), null, options.pretty ? 2 : undefined)}\n`;
}

/**
 * `toJson` (compact) for large documents: pages are serialised one by one with yields in
 * between, then spliced into the envelope — byte-identical to `toJson(model)`.
 */
export async function toJsonAsync(model: DocumentModel, options: RenderOptions = {}): Promise<string> {
  const envelope = JSON.stringify({ ...normalizeModel({ ...model, pages: [] }), pages: [] });
  const pages = await renderPages(model.pages, (p) => JSON.stringify(page(p)), options);
  // envelope ends in `"pages":[]}`: cut the empty array and its brace, splice the pages in.
  return `${envelope.slice(0, -3)}[${pages.join(",")}]}\n`;
}
