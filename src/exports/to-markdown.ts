import type { Block, DocumentModel, Line, Page } from "../domain/document-model.js";
import { listMarker } from "../pdf/layout/text-patterns.js";
import { tableFromLines } from "./line-table.js";
import { bodyLineHeightPt, lineHeightPt, lineText } from "./model-text.js";
import { renderPages, type RenderOptions } from "./render-pages.js";

/**
 * Markdown from the document model, conservative: structure is emitted only where the model
 * states it (block kinds from text-layer layout) or the geometry shows it plainly:
 * - headings: blocks of kind "heading", and short blocks (≤ 2 lines) set clearly larger than
 *   the body text (≥ 1.5× its line height); the level follows the size ratio
 *   (≥ 2× → #, ≥ 1.5× → ##, else ###);
 * - list items: kind "list_item" or a first word that is a bullet/enumerator ("•", "-", "1.",
 *   "a)"); bullets become "- ", numbers keep their marker;
 * - tables: kind "table" with cells, or a block whose lines split into aligned columns;
 * - everything else is a paragraph: its lines joined with spaces (a line ending in "-" is
 *   joined without a space, keeping the hyphen: "well-known" stays right, "docu-ment" stays
 *   visibly hyphenated rather than silently wrong).
 * Pages are separated by `<!-- page N -->` comments (invisible when rendered).
 */
export interface MarkdownExportOptions {
  /** Emit `<!-- page N -->` before each page after the first (default true). */
  pageMarkers?: boolean;
}

const INFERRED_HEADING_RATIO = 1.5;
const INFERRED_HEADING_MAX_LINES = 2;

/** Escape characters that Markdown would read as syntax inside running text. */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}

/** Escape what would make a paragraph's start read as a heading, quote, list or rule. */
function escapeLineStart(text: string): string {
  return text
    .replace(/^(#{1,6})(\s|$)/, "\\$1$2")
    .replace(/^([>+-])(\s|$)/, "\\$1$2")
    .replace(/^(\d{1,9})([.)])(\s|$)/, "$1\\$2$3")
    .replace(/^(=+|-+)\s*$/, "\\$1");
}

function joinLines(lines: readonly Line[]): string {
  let out = "";
  for (const line of lines) {
    const text = lineText(line);
    if (text === "") continue;
    if (out === "") out = text;
    else if (/\p{L}-$/u.test(out)) out += text;
    else out += ` ${text}`;
  }
  return out;
}

function headingLevel(ratio: number): number {
  if (ratio >= 2) return 1;
  if (ratio >= 1.5) return 2;
  return 3;
}

function blockHeightRatio(block: Block, page: Page, body: number): number {
  if (body <= 0 || block.lines.length === 0) return 1;
  const heights = block.lines.map((l) => lineHeightPt(l, page)).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)] ?? body;
  return median / body;
}

function renderTable(rows: string[][]): string {
  const width = Math.max(...rows.map((r) => r.length));
  const cell = (text: string | undefined): string =>
    escapeInline(text ?? "")
      .replace(/\|/g, "\\|")
      .trim();
  const line = (r: string[]): string => `| ${Array.from({ length: width }, (_, i) => cell(r[i])).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), `|${" --- |".repeat(width)}`, ...body.map(line)].join("\n");
}

function renderListItem(block: Block): string {
  const text = joinLines(block.lines);
  const [first = "", ...rest] = text.split(" ");
  const marker = listMarker(first);
  const remainder = rest.join(" ");
  if (marker?.kind === "number" && /^\d{1,9}[.)]$/.test(first)) return `${first} ${escapeInline(remainder)}`;
  if (marker?.kind === "number") return `- ${escapeInline(first)} ${escapeInline(remainder)}`.trimEnd();
  if (marker?.kind === "bullet") {
    // "•Item" (glued) keeps the word after the bullet.
    const glued = first.length > marker.marker.length ? first.slice(marker.marker.length) + " " : "";
    return `- ${escapeInline(glued + remainder).trim()}`;
  }
  return `- ${escapeInline(text)}`;
}

function renderBlock(block: Block, page: Page, body: number): string {
  if (block.lines.length === 0 && !block.table) return "";
  if (block.kind === "table") {
    const rows = block.table?.rows.length ? block.table.rows : tableFromLines(block);
    if (rows && rows.length > 0) return renderTable(rows);
  }
  const ratio = blockHeightRatio(block, page, body);
  const firstWord = block.lines[0]?.words[0]?.text;
  if (block.kind === "list_item" || (block.kind !== "heading" && listMarker(firstWord) !== null)) {
    return renderListItem(block);
  }
  const inferredHeading =
    (block.kind === "paragraph" || block.kind === "other") &&
    block.lines.length <= INFERRED_HEADING_MAX_LINES &&
    ratio >= INFERRED_HEADING_RATIO;
  if (block.kind === "heading" || inferredHeading) {
    const text = joinLines(block.lines);
    return text === "" ? "" : `${"#".repeat(headingLevel(ratio))} ${escapeInline(text)}`;
  }
  if (block.kind !== "table") {
    const rows = tableFromLines(block);
    if (rows) return renderTable(rows);
  }
  return escapeLineStart(escapeInline(joinLines(block.lines)));
}

export function toMarkdown(model: DocumentModel, options: MarkdownExportOptions = {}): string {
  const body = bodyLineHeightPt(model);
  return assemble(
    model.pages,
    model.pages.map((page) => pageMarkdown(page, body)),
    options,
  );
}

/** `toMarkdown` for large documents: yields to the event loop between pages. Same output. */
export async function toMarkdownAsync(
  model: DocumentModel,
  options: MarkdownExportOptions & RenderOptions = {},
): Promise<string> {
  const body = bodyLineHeightPt(model);
  return assemble(model.pages, await renderPages(model.pages, (page) => pageMarkdown(page, body), options), options);
}

function assemble(pages: readonly Page[], rendered: string[], options: MarkdownExportOptions): string {
  const parts: string[] = [];
  rendered.forEach((md, i) => {
    if (i > 0 && options.pageMarkers !== false) parts.push(`<!-- page ${pages[i]?.number ?? i + 1} -->`);
    if (md !== "") parts.push(md);
  });
  return parts.length === 0 ? "" : `${parts.join("\n\n")}\n`;
}

/** One page: blocks separated by blank lines, consecutive list items as one tight list. */
function pageMarkdown(page: Page, body: number): string {
  let out = "";
  let previousWasListItem = false;
  for (const block of page.blocks) {
    const md = renderBlock(block, page, body);
    if (md === "") continue;
    const isListItem = /^(- |\d{1,9}[.)] )/.test(md) && isListBlock(block);
    if (out !== "") out += previousWasListItem && isListItem ? "\n" : "\n\n";
    out += md;
    previousWasListItem = isListItem;
  }
  return out;
}

function isListBlock(block: Block): boolean {
  return (
    block.kind === "list_item" || (block.kind !== "heading" && listMarker(block.lines[0]?.words[0]?.text) !== null)
  );
}
