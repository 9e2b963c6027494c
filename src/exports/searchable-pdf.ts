import {
  beginText,
  endText,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFArray,
  setFontAndSize,
  setTextMatrix,
  setTextRenderingMode,
  showText,
  TextRenderingMode,
  type PDFOperator,
  type PDFPage,
} from "pdf-lib";
import type { BBox, DocumentModel, Line, Page } from "../domain/document-model.js";
import { DocketError } from "../errors.js";
import {
  displaySizePt,
  normalizeRotation,
  pixelToPdf,
  uprightToDisplayed,
  visibleBox,
  type PageGeometry,
} from "../pdf/page-geometry.js";
import { yieldToEventLoop } from "../pdf/yield.js";
import { embedOcrTextFont, type OcrFontChoice, type OcrTextFont } from "./ocr-text-font.js";
import { applyFieldsMetadata, type FieldsMetadata } from "./pdf-fields-metadata.js";

/**
 * The searchable PDF: the document as it looks, with the recognised text as an invisible
 * layer (text render mode 3, the standard way; viewers select and search it, printers skip
 * it) placed word by word over the ink.
 *
 * - PDF input: the original file is loaded and its pages are kept as they are (vector
 *   content, fonts, annotations, outline — nothing is rasterised); only recognised text is
 *   added: all of an OCR page's, and on a "text-layer" page (which already carries its own
 *   text) only the blocks OCRed from its images (`block.source === "ocr"`). The original
 *   content is wrapped in q/Q so our text starts from a clean graphics state whatever the
 *   page left behind. When there is no recognised text to add, the original file is
 *   returned unchanged — unless there are extracted fields to write as metadata.
 * - Fields (options.fields): written into the Info dictionary and an XMP packet
 *   (pdf-fields-metadata.ts) of whatever PDF is produced.
 * - Image input: one new page per model page, sized to the image at its resolution, with the
 *   image drawn full-page and the text on top.
 *
 * Coordinates: a model page is in its UPRIGHT frame (the displayed page — after /Rotate —
 * turned `page.rotation` degrees clockwise so the text reads left to right; text-layer pages
 * have rotation 0), in pixels at page.dpi. Each point is turned back into the displayed frame,
 * then mapped to PDF user space through the page's visible box and /Rotate (page-geometry),
 * scaled by the ratio of the PDF page size to the model page size, so a model made at any dpi
 * lands right. Each word gets its own text matrix: at its box's left edge on the line's
 * baseline, sized to the line height, and stretched horizontally to span the box exactly — so
 * selecting a word highlights that word, and on a sideways scan the text runs along the lines.
 */

export interface PageImage {
  bytes: Uint8Array;
  format: "png" | "jpeg";
  /** Pixels per inch; default: the model page's dpi. */
  dpi?: number;
}

/** Loads the image for a 1-based page number (rendered pages, or the pages of a TIFF as PNG). */
export type PageImageProvider = (pageNumber: number) => Promise<PageImage>;

export type SearchablePdfSource =
  | {
      kind: "pdf";
      bytes: Uint8Array;
      /**
       * Used when the PDF cannot be rewritten: an encrypted file (opened without a password but
       * with an owner password; pdf-lib cannot decrypt it). Without it such a file fails with
       * `encrypted_pdf`.
       */
      fallbackImages?: PageImageProvider;
    }
  | { kind: "images"; images: PageImageProvider };

export interface SearchablePdfOptions {
  signal?: AbortSignal | undefined;
  /** Called after each page. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** "unicode" (default): embedded Liberation Sans; "helvetica": standard font, smaller, Latin-1 only. */
  font?: OcrFontChoice;
  /** Document title for image-built PDFs, and for a PDF without one when fields are written. */
  title?: string;
  /** Extracted fields to carry as metadata (Info and XMP; pdf-fields-metadata.ts). */
  fields?: FieldsMetadata | null | undefined;
  /** The modification date written with the fields (default: now). */
  now?: Date;
}

export async function buildSearchablePdf(
  model: DocumentModel,
  source: SearchablePdfSource,
  options: SearchablePdfOptions = {},
): Promise<Uint8Array> {
  if (source.kind === "images") return fromImages(model, source.images, options);
  // Nothing to add (every page kept its own text layer and no image on it was read, or OCR
  // found no words): the original file already is the searchable PDF. Returned byte for
  // byte, which is both exact (no rewrite by pdf-lib) and cheap (no parse and save: the bulk
  // of a text-layer job's export). With fields to write, the file is rewritten only for them.
  const nothingToAdd = !model.pages.some((p) => hasWords(recognisedText(p)));
  if (nothingToAdd && !options.fields) return new Uint8Array(source.bytes);
  let doc: PDFDocument;
  try {
    // Loaded ignoring encryption only to ask whether it is encrypted (pdf-lib's own error
    // class cannot be recognised reliably: it is compiled to ES5).
    doc = await PDFDocument.load(source.bytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (error) {
    throw new DocketError("corrupt_file", `the PDF cannot be rewritten: ${(error as Error).message}`, { cause: error });
  }
  if (doc.isEncrypted) {
    // Metadata alone is not worth turning the pages into pictures: the file stays as it is.
    if (nothingToAdd) return new Uint8Array(source.bytes);
    if (source.fallbackImages) return fromImages(model, source.fallbackImages, options);
    throw new DocketError("encrypted_pdf", "the PDF is encrypted and cannot be rewritten with a text layer");
  }
  return overlayOnPdf(doc, model, options);
}

function stampFields(doc: PDFDocument, options: SearchablePdfOptions): void {
  if (options.fields)
    applyFieldsMetadata(doc, options.fields, { title: options.title, ...(options.now ? { now: options.now } : {}) });
}

async function overlayOnPdf(
  doc: PDFDocument,
  model: DocumentModel,
  options: SearchablePdfOptions,
): Promise<Uint8Array> {
  const pages = doc.getPages();
  const todo = model.pages.map(recognisedText).filter(hasWords);
  let font: OcrTextFont | undefined;
  for (const [i, page] of todo.entries()) {
    options.signal?.throwIfAborted();
    const pdfPage = pages[page.number - 1];
    if (!pdfPage) {
      throw new DocketError(
        "validation_error",
        `model page ${page.number} is not in the PDF (it has ${pages.length} pages)`,
      );
    }
    font ??= await embedOcrTextFont(doc, options.font);
    const geometry = geometryOf(pdfPage);
    addInvisibleText(pdfPage, page, geometry, font);
    options.onProgress?.(i + 1, todo.length);
    await yieldToEventLoop();
  }
  stampFields(doc, options);
  return doc.save({ useObjectStreams: true });
}

async function fromImages(
  model: DocumentModel,
  images: PageImageProvider,
  options: SearchablePdfOptions,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  if (options.title) doc.setTitle(options.title);
  doc.setProducer("Docket");
  doc.setCreator("Docket");
  let font: OcrTextFont | undefined;
  for (const [i, page] of model.pages.entries()) {
    options.signal?.throwIfAborted();
    const image = await images(page.number);
    const embedded = image.format === "png" ? await doc.embedPng(image.bytes) : await doc.embedJpg(image.bytes);
    const dpi = image.dpi ?? page.dpi;
    if (!(dpi > 0)) throw new DocketError("validation_error", `page ${page.number} has no usable resolution`);
    const width = (embedded.width * 72) / dpi;
    const height = (embedded.height * 72) / dpi;
    const pdfPage = doc.addPage([width, height]);
    pdfPage.drawImage(embedded, { x: 0, y: 0, width, height });
    if (hasWords(page)) {
      font ??= await embedOcrTextFont(doc, options.font);
      addInvisibleText(pdfPage, page, { viewBox: [0, 0, width, height], rotate: 0 }, font);
    }
    options.onProgress?.(i + 1, model.pages.length);
    await yieldToEventLoop();
  }
  stampFields(doc, options);
  return doc.save({ useObjectStreams: true });
}

/**
 * The part of a model page the PDF does not have as text yet: an OCR page whole; of a
 * text-layer page only the blocks read from its images (its own text is already there).
 */
function recognisedText(page: Page): Page {
  return page.source === "text-layer" ? { ...page, blocks: page.blocks.filter((b) => b.source === "ocr") } : page;
}

function hasWords(page: Page): boolean {
  return page.blocks.some((b) => b.lines.some((l) => l.words.some((w) => w.text.trim() !== "")));
}

function numbersOf(array: PDFArray | undefined): [number, number, number, number] | undefined {
  if (!array || array.size() !== 4) return undefined;
  const values = array.asArray().map((o) => (o instanceof PDFNumber ? o.asNumber() : NaN));
  return values.every(Number.isFinite) ? (values as [number, number, number, number]) : undefined;
}

/** The page's visible box and rotation, read the way pdf.js reads them (so both sides agree). */
function geometryOf(page: PDFPage): PageGeometry {
  const media = numbersOf(page.node.MediaBox()) ?? [0, 0, 612, 792];
  const cropRaw = page.node.get(PDFName.of("CropBox")) ?? undefined;
  const crop = cropRaw ? numbersOf(page.node.context.lookupMaybe(cropRaw, PDFArray)) : undefined;
  return { viewBox: visibleBox(crop, media), rotate: normalizeRotation(page.getRotation().angle) };
}

type Vec = [number, number];

function addInvisibleText(pdfPage: PDFPage, page: Page, geometry: PageGeometry, font: OcrTextFont): void {
  if (!(page.width > 0 && page.height > 0)) return;
  // The model is in the upright frame (what OCR read); the PDF page shows the displayed frame.
  const rotation = normalizeRotation(page.rotation);
  const quarter = rotation === 90 || rotation === 270;
  const displayedPx = quarter ? { width: page.height, height: page.width } : { width: page.width, height: page.height };
  const displayPt = displaySizePt(geometry);
  const sx = displayPt.width / displayedPx.width;
  const sy = displayPt.height / displayedPx.height;
  // Upright model pixels → displayed pixels → PDF user space (via "pixels at 72 dpi").
  const toPdf = (x: number, y: number): Vec => {
    const [dx, dy] = uprightToDisplayed(x, y, rotation, displayedPx);
    return pixelToPdf(geometry, 72, dx * sx, dy * sy);
  };
  const fontKey = pdfPage.node.newFontDictionary(font.font.name, font.font.ref);
  const ops: PDFOperator[] = [
    beginText(),
    setFontAndSize(fontKey, 1),
    setTextRenderingMode(TextRenderingMode.Invisible),
  ];
  const emHeight = font.ascent - font.descent;

  for (const block of page.blocks) {
    for (const line of block.lines) {
      // Upright text reads left to right: size from the line's height, one baseline per line.
      const size = line.bbox.y1 - line.bbox.y0;
      if (!(size > 0)) continue;
      const fontSize = size / emHeight;
      const baseline = line.bbox.y1 + font.descent * fontSize;
      const words = wordsOf(line);
      words.forEach((word, index) => {
        const text = font.encodable(word.text);
        const natural = font.font.widthOfTextAtSize(text, 1);
        const span = word.bbox.x1 - word.bbox.x0;
        if (!(natural > 0 && span > 0)) return;
        const o = toPdf(word.bbox.x0, baseline);
        const a = toPdf(word.bbox.x0 + 1, baseline); // one pixel along the text
        const u = toPdf(word.bbox.x0, baseline - 1); // one pixel up
        const hScale = span / (natural * fontSize);
        ops.push(
          setTextMatrix(
            (a[0] - o[0]) * fontSize * hScale,
            (a[1] - o[1]) * fontSize * hScale,
            (u[0] - o[0]) * fontSize,
            (u[1] - o[1]) * fontSize,
            o[0],
            o[1],
          ),
          // A trailing space (outside the word's box) lets extractors see the word break.
          showText(font.font.encodeText(index < words.length - 1 ? `${text} ` : text)),
        );
      });
    }
  }
  ops.push(endText());
  pdfPage.pushOperators(...ops);
}

function wordsOf(line: Line): Array<{ text: string; bbox: BBox }> {
  return line.words.filter((w) => w.text.trim() !== "" && w.bbox.x1 > w.bbox.x0 && w.bbox.y1 > w.bbox.y0);
}
