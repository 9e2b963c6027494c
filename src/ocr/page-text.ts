/**
 * Plain reading-order text of an OCR page: words joined by spaces, lines by newlines, blocks
 * by blank lines. The canonical txt export lives with the exporters; this is the minimal
 * form OCR quality checks (tests, benchmark, logs) compare against ground truth.
 */
import type { Page } from "../domain/document-model.js";

export function pageText(page: Page): string {
  return page.blocks
    .map((block) => block.lines.map((line) => line.words.map((w) => w.text).join(" ")).join("\n"))
    .join("\n\n");
}
