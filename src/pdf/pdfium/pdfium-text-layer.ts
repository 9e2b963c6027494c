import { unionBBox, type BBox } from "../../domain/document-model.js";
import { DocketError } from "../../errors.js";
import type { PageContentStats, PdfRect } from "../content-stats.js";
import { roundOrientation, type Orientation, type PositionedWord } from "../layout/positioned-word.js";
import { clampRenderDpi } from "../../imaging/render-limits.js";
import { apply, IDENTITY, multiply, type Matrix } from "../pdf-matrix.js";
import { displaySizePt, normalizeRotation, pdfToPixel, visibleBox, type PageGeometry } from "../page-geometry.js";
import { FPDF_BITMAP_BGRA, FPDF_ERR, FPDF_PAGEOBJ, FPDF_RENDER, loadPdfium, type Pdfium } from "./pdfium-module.js";

/** What one page yields: its geometry, its words (page pixels at `dpi`) and its content facts. */
export interface PdfiumPageText {
  geometry: PageGeometry;
  words: PositionedWord[];
  stats: PageContentStats;
}

/** A part of a page rendered to pixels: RGBA, `width × height`, at `dpi`. */
export interface RenderedRegionPixels {
  rgba: Uint8Array;
  width: number;
  height: number;
  dpi: number;
  /** Where the image's top-left corner lies on the displayed page, in points. */
  origin: { x: number; y: number };
}

/** Enough for any real page; a page of thousands of tiny images (a pattern) stops recording. */
const MAX_IMAGE_BOXES = 64;
/** Form XObjects nest; real files go a few levels deep, hostile ones forever. */
const MAX_FORM_DEPTH = 8;
/** Text render modes 3 (invisible) and 7 (clip only): the hidden text layers OCR tools write. */
const INVISIBLE_MODES = new Set([3, 7]);
const WHITESPACE = /\s/u;

/**
 * A PDF opened in PDFium. The bytes are copied into wasm memory, which PDFium reads from
 * while the document is open; `close()` frees both (call it in a finally).
 */
export class PdfiumDocument {
  private constructor(
    private readonly pdfium: Pdfium,
    private readonly handle: number,
    private readonly data: number,
    /** Scratch space for out-parameters (a rectangle, a matrix). */
    private readonly scratch: number,
    readonly pageCount: number,
  ) {}

  /**
   * Throws DocketError `encrypted_pdf` when a password is needed (an empty user password
   * opens, as in every viewer), `corrupt_file` when PDFium cannot parse the file at all.
   */
  static async open(bytes: Uint8Array): Promise<PdfiumDocument> {
    const pdfium = await loadPdfium();
    const data = pdfium.malloc(Math.max(1, bytes.length));
    pdfium.heapU8().set(bytes, data);
    const handle = pdfium.FPDF_LoadMemDocument(data, bytes.length, "");
    if (handle === 0) {
      const code = pdfium.FPDF_GetLastError();
      pdfium.free(data);
      if (code === FPDF_ERR.PASSWORD || code === FPDF_ERR.SECURITY) {
        throw new DocketError("encrypted_pdf", "the PDF is password-protected; upload it without a password");
      }
      throw new DocketError("corrupt_file", `the PDF cannot be read (PDFium error ${code})`);
    }
    return new PdfiumDocument(pdfium, handle, data, pdfium.malloc(64), pdfium.FPDF_GetPageCount(handle));
  }

  close(): void {
    this.pdfium.FPDF_CloseDocument(this.handle);
    this.pdfium.free(this.data);
    this.pdfium.free(this.scratch);
  }

  /** Page `n` (1-based) loaded; the caller closes it with FPDF_ClosePage. */
  private loadPage(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= this.pageCount))
      throw new DocketError("corrupt_file", `the PDF has no page ${n}`);
    const page = this.pdfium.FPDF_LoadPage(this.handle, n - 1);
    if (page === 0) throw new DocketError("corrupt_file", `the PDF cannot be read: page ${n} does not load`);
    return page;
  }

  /** Page `n` (1-based): words with boxes at `dpi`, and what its content draws. */
  readPage(n: number, dpi: number): PdfiumPageText {
    const { pdfium } = this;
    const page = this.loadPage(n);
    try {
      const geometry = this.geometryOf(page);
      const textPage = pdfium.FPDFText_LoadPage(page);
      if (textPage === 0)
        throw new DocketError("corrupt_file", `the PDF cannot be read: the text of page ${n} does not load`);
      let text: { words: PositionedWord[]; visible: number; invisible: number };
      try {
        text = this.readText(textPage, geometry, dpi);
      } finally {
        pdfium.FPDFText_ClosePage(textPage);
      }
      const images = this.imageRects(page);
      const [vx0, vy0, vx1, vy1] = geometry.viewBox;
      const pageArea = Math.max((vx1 - vx0) * (vy1 - vy0), 1);
      const areas = images.map(([x0, y0, x1, y1]) => (x1 - x0) * (y1 - y0));
      return {
        geometry,
        words: text.words,
        stats: {
          visibleTextBytes: text.visible,
          invisibleTextBytes: text.invisible,
          imageCount: images.length,
          imageCoverage: Math.min(1, areas.reduce((s, a) => s + a, 0) / pageArea),
          largestImageCoverage: Math.min(1, Math.max(0, ...areas) / pageArea),
          imageBoxes: images.slice(0, MAX_IMAGE_BOXES),
        },
      };
    } finally {
      pdfium.FPDF_ClosePage(page);
    }
  }

  /**
   * Render the part of page `n` inside `clip` (points on the page as displayed: top-left
   * origin, after /Rotate) at `dpi`, on white. PDFium draws only into the bitmap, so a
   * logo-sized region costs a logo's worth of pixels, not a page's. The DPI is lowered when
   * the region would exceed the renderer's pixel limits.
   */
  renderRegion(n: number, clip: BBox, dpi: number): RenderedRegionPixels {
    const { pdfium } = this;
    const page = this.loadPage(n);
    let bitmap = 0;
    try {
      const size = displaySizePt(this.geometryOf(page));
      const render = clampRenderDpi(Math.max(1, clip.x1 - clip.x0), Math.max(1, clip.y1 - clip.y0), dpi);
      const scale = render.dpi / 72;
      const x0 = Math.floor(clip.x0 * scale);
      const y0 = Math.floor(clip.y0 * scale);
      const width = Math.max(1, Math.ceil(clip.x1 * scale) - x0);
      const height = Math.max(1, Math.ceil(clip.y1 * scale) - y0);
      bitmap = pdfium.FPDFBitmap_CreateEx(width, height, FPDF_BITMAP_BGRA, 0, 0);
      if (bitmap === 0)
        throw new DocketError("internal_error", `PDFium could not allocate a ${width}×${height} bitmap`, {
          permanent: false,
        });
      pdfium.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xffffffff);
      // The whole page at this scale, shifted so the region's corner lands on the bitmap's.
      pdfium.FPDF_RenderPageBitmap(
        bitmap,
        page,
        -x0,
        -y0,
        Math.round(size.width * scale),
        Math.round(size.height * scale),
        0,
        FPDF_RENDER.ANNOT | FPDF_RENDER.REVERSE_BYTE_ORDER,
      );
      const stride = pdfium.FPDFBitmap_GetStride(bitmap);
      const buffer = pdfium.FPDFBitmap_GetBuffer(bitmap);
      const heap = pdfium.heapU8();
      const rgba = new Uint8Array(width * height * 4);
      for (let row = 0; row < height; row++)
        rgba.set(heap.subarray(buffer + row * stride, buffer + row * stride + width * 4), row * width * 4);
      return { rgba, width, height, dpi: render.dpi, origin: { x: x0 / scale, y: y0 / scale } };
    } finally {
      if (bitmap !== 0) pdfium.FPDFBitmap_Destroy(bitmap);
      pdfium.FPDF_ClosePage(page);
    }
  }

  private floats(count: number): Float32Array {
    return new Float32Array(this.pdfium.heapU8().buffer, this.scratch, count);
  }

  /** The visible area (CropBox ∩ MediaBox, in user space) and /Rotate, as the renderer and exports use them. */
  private geometryOf(page: number): PageGeometry {
    const { pdfium, scratch } = this;
    const box = (read: typeof pdfium.FPDFPage_GetMediaBox): [number, number, number, number] | undefined => {
      if (!read.call(pdfium, page, scratch, scratch + 4, scratch + 8, scratch + 12)) return undefined;
      const [left, bottom, right, top] = this.floats(4);
      return [left!, bottom!, right!, top!];
    };
    // A page without a MediaBox of its own or inherited is malformed; PDFium then assumes Letter-like sizes.
    const media = box(pdfium.FPDFPage_GetMediaBox) ?? [
      0,
      0,
      pdfium.FPDF_GetPageWidthF(page),
      pdfium.FPDF_GetPageHeightF(page),
    ];
    return {
      viewBox: visibleBox(box(pdfium.FPDFPage_GetCropBox), media),
      rotate: normalizeRotation(pdfium.FPDFPage_GetRotation(page) * 90),
    };
  }

  /**
   * PDFium's characters in content order, with the spaces and line breaks it infers from the
   * layout ("generated"), grouped into words: a word ends at whitespace and where the text
   * direction changes. Boxes are the glyphs' loose boxes (font ascent to descent).
   */
  private readText(
    textPage: number,
    geometry: PageGeometry,
    dpi: number,
  ): { words: PositionedWord[]; visible: number; invisible: number } {
    const { pdfium, scratch } = this;
    const count = pdfium.FPDFText_CountChars(textPage);
    const words: PositionedWord[] = [];
    // A text object (one run of one font) has one render mode, direction and size for all its characters.
    const runs = new Map<number, { mode: number; orientation: Orientation; size: number }>();
    const [ox, oy] = pdfToPixel(geometry, dpi, 0, 0);
    const runOf = (object: number, i: number): { mode: number; orientation: Orientation; size: number } => {
      const known = object === 0 ? undefined : runs.get(object);
      if (known !== undefined) return known;
      pdfium.FPDFText_GetMatrix(textPage, i, scratch);
      const [a = 1, b = 0, c = 0, d = 1] = this.floats(4);
      const [dx, dy] = pdfToPixel(geometry, dpi, a, b);
      const run = {
        mode: object === 0 ? 0 : pdfium.FPDFTextObj_GetTextRenderMode(object),
        orientation: roundOrientation((Math.atan2(dy - oy, dx - ox) * 180) / Math.PI),
        size: (pdfium.FPDFText_GetFontSize(textPage, i) * (Math.hypot(c, d) || 1) * dpi) / 72,
      };
      if (object !== 0) runs.set(object, run);
      return run;
    };
    let visible = 0;
    let invisible = 0;
    let current: { text: string; box: BBox; size: number; orientation: Orientation } | null = null;
    const flush = (): void => {
      if (current === null) return;
      words.push({
        text: current.text,
        bbox: current.box,
        confidence: 100,
        size: current.size,
        orientation: current.orientation,
        joinBefore: false,
        joinAfter: false,
      });
      current = null;
    };
    for (let i = 0; i < count; i++) {
      const code = pdfium.FPDFText_GetUnicode(textPage, i);
      const generated = pdfium.FPDFText_IsGenerated(textPage, i) === 1;
      const char =
        code === 0 || pdfium.FPDFText_HasUnicodeMapError(textPage, i) === 1 ? "\uFFFD" : safeFromCodePoint(code);
      if (generated || WHITESPACE.test(char)) {
        flush();
        continue;
      }
      const { mode, orientation, size } = runOf(pdfium.FPDFText_GetTextObject(textPage, i), i);
      if (INVISIBLE_MODES.has(mode)) invisible++;
      else visible++;

      if (!pdfium.FPDFText_GetLooseCharBox(textPage, i, scratch)) {
        // No box (a zero-size glyph): keep the character, the word's box stands.
        if (current !== null) current.text += char;
        continue;
      }
      const [left, top, right, bottom] = this.floats(4);
      const corners = [pdfToPixel(geometry, dpi, left!, bottom!), pdfToPixel(geometry, dpi, right!, top!)];
      const box: BBox = {
        x0: Math.min(corners[0]![0], corners[1]![0]),
        y0: Math.min(corners[0]![1], corners[1]![1]),
        x1: Math.max(corners[0]![0], corners[1]![0]),
        y1: Math.max(corners[0]![1], corners[1]![1]),
      };
      if (current !== null && current.orientation !== orientation) flush();
      if (current === null) {
        current = { text: char, box, size, orientation };
      } else {
        current.text += char;
        current.box = unionBBox([current.box, box]);
        current.size = Math.max(current.size, size);
      }
    }
    flush();
    return { words, visible, invisible };
  }

  /** Bounding boxes (user space) of the images the page draws, forms included, in drawing order. */
  private imageRects(page: number): PdfRect[] {
    const { pdfium } = this;
    const out: PdfRect[] = [];
    const visit = (count: number, objectAt: (i: number) => number, transform: Matrix, depth: number): void => {
      for (let i = 0; i < count && out.length < MAX_IMAGE_BOXES; i++) {
        const object = objectAt(i);
        const type = pdfium.FPDFPageObj_GetType(object);
        if (type === FPDF_PAGEOBJ.IMAGE) {
          const rect = this.boundsOf(object, transform);
          if (rect !== undefined) out.push(rect);
        } else if (type === FPDF_PAGEOBJ.FORM && depth < MAX_FORM_DEPTH) {
          // A form's objects report bounds in the form's space: carry its matrix down.
          if (!pdfium.FPDFPageObj_GetMatrix(object, this.scratch)) continue;
          const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = this.floats(6);
          visit(
            pdfium.FPDFFormObj_CountObjects(object),
            (k) => pdfium.FPDFFormObj_GetObject(object, k),
            multiply([a, b, c, d, e, f], transform),
            depth + 1,
          );
        }
      }
    };
    visit(pdfium.FPDFPage_CountObjects(page), (i) => pdfium.FPDFPage_GetObject(page, i), IDENTITY, 0);
    return out;
  }

  private boundsOf(object: number, transform: Matrix): PdfRect | undefined {
    const { scratch } = this;
    if (!this.pdfium.FPDFPageObj_GetBounds(object, scratch, scratch + 4, scratch + 8, scratch + 12)) return undefined;
    const [left = 0, bottom = 0, right = 0, top = 0] = this.floats(4);
    const points = [
      apply(transform, left, bottom),
      apply(transform, right, bottom),
      apply(transform, left, top),
      apply(transform, right, top),
    ];
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }
}

function safeFromCodePoint(code: number): string {
  return code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\uFFFD" : String.fromCodePoint(code);
}
