import type { BBox, DocumentModel, Line, Page } from "../domain/document-model.js";
import { renderPages, type RenderOptions } from "./render-pages.js";

/**
 * hOCR 1.2 (XHTML) from the document model: ocr_page (bbox, ppageno, scan_res) →
 * ocr_carea (one per block) → ocr_par → ocr_line (bbox, baseline, x_size) → ocrx_word
 * (bbox, x_wconf). The output is well-formed XML: text and attributes are escaped, and
 * characters XML forbids (controls, lone surrogates, U+FFFE/FFFF) are dropped, because a
 * text layer may contain anything.
 */
export interface HocrExportOptions {
  /** Shown as the page's `image` property (e.g. the original file name). */
  imageName?: string;
  /** Written as ocr-system; default "docket". */
  system?: string;
}

// Everything XML 1.0 does not allow in a document.
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function box(b: BBox): string {
  const r = (n: number): number => Math.max(0, Math.round(n));
  return `bbox ${r(b.x0)} ${r(b.y0)} ${r(b.x1)} ${r(b.y1)}`;
}

/** hOCR wants a language tag; the model uses Tesseract codes ("eng"), which are ISO 639-2/3 — valid BCP 47 primary tags. */
function langAttr(languages: readonly string[]): string {
  const first = languages[0];
  return first && /^[a-z]{2,3}$/i.test(first) ? ` lang="${first.toLowerCase()}"` : "";
}

function lineTitle(line: Line): string {
  const height = Math.max(1, Math.round(line.bbox.y1 - line.bbox.y0));
  // Baseline as Tesseract writes it: slope and offset from the line box's bottom-left.
  // We do not track baselines; 0 0 (the box bottom) is the honest approximation.
  return `${box(line.bbox)}; baseline 0 0; x_size ${height}; x_descenders ${Math.round(height * 0.2)}; x_ascenders ${Math.round(height * 0.2)}`;
}

function pageBlock(page: Page, lang: string, imageName: string | undefined): string {
  const p = page.number;
  const out: string[] = [];
  const image = imageName ? `image "${imageName.replace(/"/g, "")}"; ` : "";
  const res = Math.round(page.dpi);
  out.push(
    `  <div class="ocr_page" id="page_${p}" title="${xmlEscape(
      `${image}${box({ x0: 0, y0: 0, x1: page.width, y1: page.height })}; ppageno ${page.number - 1}; scan_res ${res} ${res}`,
    )}">`,
  );
  let lineNo = 0;
  let wordNo = 0;
  page.blocks.forEach((block, b) => {
    const id = `${p}_${b + 1}`;
    out.push(`   <div class="ocr_carea" id="block_${id}" title="${box(block.bbox)}">`);
    out.push(`    <p class="ocr_par" id="par_${id}"${lang} title="${box(block.bbox)}">`);
    for (const line of block.lines) {
      lineNo += 1;
      out.push(`     <span class="ocr_line" id="line_${p}_${lineNo}" title="${lineTitle(line)}">`);
      const words = line.words.map((word) => {
        wordNo += 1;
        const conf = Math.max(0, Math.min(100, Math.round(word.confidence)));
        return `<span class="ocrx_word" id="word_${p}_${wordNo}" title="${box(word.bbox)}; x_wconf ${conf}">${xmlEscape(word.text)}</span>`;
      });
      out.push(`      ${words.join(" ")}`);
      out.push("     </span>");
    }
    out.push("    </p>");
    out.push("   </div>");
  });
  out.push("  </div>");
  return out.join("\n");
}

export function toHocr(model: DocumentModel, options: HocrExportOptions = {}): string {
  const lang = langAttr(model.languages);
  return assemble(
    model,
    model.pages.map((page) => pageBlock(page, lang, options.imageName)),
    options,
  );
}

/** `toHocr` for large documents: yields to the event loop between pages. Same output. */
export async function toHocrAsync(
  model: DocumentModel,
  options: HocrExportOptions & RenderOptions = {},
): Promise<string> {
  const lang = langAttr(model.languages);
  return assemble(
    model,
    await renderPages(model.pages, (page) => pageBlock(page, lang, options.imageName), options),
    options,
  );
}

function assemble(model: DocumentModel, pages: string[], options: HocrExportOptions): string {
  const lang = langAttr(model.languages);
  const system = xmlEscape(options.system ?? "docket");
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    `<html xmlns="http://www.w3.org/1999/xhtml"${lang ? ` xml:lang="${model.languages[0]?.toLowerCase()}"${lang}` : ""}>`,
    " <head>",
    `  <title>${xmlEscape(options.imageName ?? model.documentId)}</title>`,
    '  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
    `  <meta name="ocr-system" content="${system}"/>`,
    '  <meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>',
    `  <meta name="ocr-number-of-pages" content="${model.pages.length}"/>`,
    ...(model.languages.length ? [`  <meta name="ocr-langs" content="${xmlEscape(model.languages.join(" "))}"/>`] : []),
    " </head>",
    " <body>",
  ];
  return `${[...head, ...pages, " </body>", "</html>"].join("\n")}\n`;
}
