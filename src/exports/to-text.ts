import type { DocumentModel } from "../domain/document-model.js";
import { pageText } from "./model-text.js";
import { renderPages, type RenderOptions } from "./render-pages.js";

export interface TextExportOptions {
  /**
   * Between pages. Default "\f" (form feed) on a line of its own, as pdftotext and Tesseract
   * write it: page boundaries survive, and `split("\f")` recovers the pages.
   */
  pageSeparator?: string;
}

/**
 * Plain text in reading order: words joined by spaces, lines by '\n', blocks by a blank line,
 * table rows as tab-separated cells, pages by a form feed. Always ends with a newline.
 */
export function toPlainText(model: DocumentModel, options: TextExportOptions = {}): string {
  return assemble(model.pages.map(pageText), options);
}

/** `toPlainText` for large documents: yields to the event loop between pages. Same output. */
export async function toPlainTextAsync(
  model: DocumentModel,
  options: TextExportOptions & RenderOptions = {},
): Promise<string> {
  return assemble(await renderPages(model.pages, pageText, options), options);
}

function assemble(pages: string[], options: TextExportOptions): string {
  const text = pages.join(options.pageSeparator ?? "\n\f\n");
  return text.endsWith("\n") ? text : `${text}\n`;
}
