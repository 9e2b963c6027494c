/**
 * Renders pages of one PDF with pdfjs-dist (legacy build, the one that runs in Node) onto an
 * @napi-rs/canvas canvas. This module does the CPU-heavy work and is meant to run inside the
 * render worker thread (pdf-render.worker.ts), never on the main event loop; it is a plain
 * module so it can also be tested directly.
 *
 * Memory: one page is rendered at a time and its canvas is released before the next; the
 * page size is capped by render-limits.ts; pdfjs's page resources are freed after each page
 * (`page.cleanup()`), so a 500-page document costs one page of memory, not 500. Pages that
 * are a single huge scanned image skip pdfjs (which decodes such an image at full size three
 * times over) and are drawn by large-image-page.ts.
 */
import { createCanvas } from "@napi-rs/canvas";
import { PDFDocument } from "pdf-lib";
import sharp from "sharp";
import { DocketError } from "../errors.js";
import { renderLargeImagePage } from "./large-image-page.js";
import { withPngDensity } from "./png-density.js";
import { findSingleImagePlacement, type PlacedImage } from "./pdf-image-placement.js";
import { pdfjsAssetPaths } from "./pdfjs-assets.js";
import { importPdfjs } from "./pdfjs-module.js";
import { clampRenderDpi, DEFAULT_RENDER_LIMITS, type RenderLimits } from "./render-limits.js";

// Types only: the runtime module is imported lazily so merely importing this file is cheap.
type Pdfjs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
type PdfDocument = Awaited<ReturnType<Pdfjs["getDocument"]>["promise"]>;
type RenderParameters = Parameters<Awaited<ReturnType<PdfDocument["getPage"]>>["render"]>[0];

export type RenderColour = "grey" | "rgb";

export interface RenderPageRequest {
  /** 1-based page number. */
  page: number;
  dpi: number;
  /** Grey (default; what OCR reads, 4× smaller) or RGB. */
  colour?: RenderColour;
}

export interface RenderedPage {
  png: Buffer;
  width: number;
  height: number;
  /** The DPI actually used (lower than requested when the page hit the size limits). */
  dpi: number;
  requestedDpi: number;
  /** The page's /Rotate, already applied to the rendered image. */
  pdfRotate: number;
}

/** Classify pdfjs's exceptions (plain objects with a `name`) into Docket's permanent error codes. */
export function classifyPdfError(error: unknown): DocketError {
  if (error instanceof DocketError) return error;
  const name = typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";
  const message =
    typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
  if (name === "PasswordException") {
    return new DocketError("encrypted_pdf", "the PDF is encrypted and needs a password", { cause: error });
  }
  if (name === "InvalidPDFException" || name === "FormatError") {
    return new DocketError("corrupt_file", `the PDF could not be read: ${message}`, { cause: error });
  }
  return new DocketError("internal_error", `PDF rendering failed: ${message}`, { cause: error, permanent: false });
}

export interface PdfRendererOptions {
  limits?: RenderLimits;
  /**
   * Images with at least this many pixels, alone on their page, are rendered by sharp rather
   * than pdfjs (see large-image-page.ts). 30 MP: below it pdfjs's copies cost < ~300 MB.
   */
  largeImagePixels?: number;
}

export const DEFAULT_LARGE_IMAGE_PIXELS = 30_000_000;

export class PdfPageRenderer {
  /** pdf-lib's view of the same bytes, parsed on first need (only to look for huge single-image pages). */
  private structure: Promise<PDFDocument | undefined> | undefined;

  private constructor(
    private readonly doc: PdfDocument,
    private readonly bytes: Uint8Array,
    private readonly limits: RenderLimits,
    private readonly largeImagePixels: number,
  ) {}

  /** Parse the document. The caller must not modify `data` afterwards. */
  static async open(data: Uint8Array, options: PdfRendererOptions = {}): Promise<PdfPageRenderer> {
    const pdfjs = await importPdfjs();
    const assets = pdfjsAssetPaths();
    const task = pdfjs.getDocument({
      // pdfjs may transfer (detach) the buffer it is given; keep ours for pdf-lib.
      data: data.slice(),
      standardFontDataUrl: assets.standardFontDataUrl,
      cMapUrl: assets.cMapUrl,
      cMapPacked: true,
      wasmUrl: assets.wasmUrl,
      iccUrl: assets.iccUrl,
      // No eval (untrusted input), no system fonts (a fresh machine has none; glyphs are
      // drawn as paths from the embedded or standard fonts), quiet console.
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: pdfjs.VerbosityLevel.ERRORS,
      // validate refuses larger images; this caps pdf.js's own decoders if one slips past.
      maxImageSize: 100_000_000,
    });
    try {
      const doc = await task.promise;
      return new PdfPageRenderer(
        doc,
        data,
        options.limits ?? DEFAULT_RENDER_LIMITS,
        options.largeImagePixels ?? DEFAULT_LARGE_IMAGE_PIXELS,
      );
    } catch (error) {
      await task.destroy().catch(() => undefined);
      throw classifyPdfError(error);
    }
  }

  get numPages(): number {
    return this.doc.numPages;
  }

  async render(request: RenderPageRequest): Promise<RenderedPage> {
    if (!Number.isInteger(request.page) || request.page < 1 || request.page > this.doc.numPages) {
      throw new DocketError("validation_error", `page ${request.page} is outside 1..${this.doc.numPages}`);
    }
    let page;
    try {
      page = await this.doc.getPage(request.page);
    } catch (error) {
      throw classifyPdfError(error);
    }
    try {
      // The unscaled viewport already includes /Rotate, so width/height are as displayed.
      const base = page.getViewport({ scale: 1 });
      const fit = clampRenderDpi(base.width, base.height, request.dpi, this.limits);
      const colour = request.colour ?? "grey";
      const large = await this.largeImage(request.page);
      if (large !== undefined) {
        const [x0, y0, x1, y1] = page.view as [number, number, number, number];
        const out = await renderLargeImagePage({
          image: large,
          box: { x0, y0, x1, y1 },
          rotate: page.rotate,
          dpi: fit.dpi,
          colour,
        });
        return {
          ...out,
          png: withPngDensity(out.png, fit.dpi),
          dpi: fit.dpi,
          requestedDpi: request.dpi,
          pdfRotate: page.rotate,
        };
      }
      const viewport = page.getViewport({ scale: fit.dpi / 72 });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      const canvas = createCanvas(width, height);
      const context = canvas.getContext("2d");
      // Scans have no background of their own; OCR wants black on white, not on transparent.
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, width, height);
      const params = {
        canvas: canvas as unknown,
        canvasContext: context as unknown,
        viewport,
        background: "#ffffff",
      } as RenderParameters;
      try {
        await page.render(params).promise;
      } catch (error) {
        throw classifyPdfError(error);
      }
      const rgba = canvas.data();
      let image = sharp(rgba, { raw: { width, height, channels: 4 }, limitInputPixels: false }).removeAlpha();
      image = colour === "grey" ? image.toColourspace("b-w") : image.toColourspace("srgb");
      // Fast deflate: these PNGs live for seconds, size matters less than CPU.
      const png = await image.png({ compressionLevel: 3, adaptiveFiltering: false }).toBuffer();
      return {
        png: withPngDensity(png, fit.dpi),
        width,
        height,
        dpi: fit.dpi,
        requestedDpi: request.dpi,
        pdfRotate: page.rotate,
      };
    } finally {
      // Drop decoded images and fonts of this page now rather than when the document closes.
      page.cleanup();
    }
  }

  /** The page's single huge image, when the page is nothing else; undefined sends it to pdfjs. */
  private async largeImage(pageNumber: number): Promise<PlacedImage | undefined> {
    this.structure ??= PDFDocument.load(this.bytes, { updateMetadata: false, ignoreEncryption: true }).catch(
      () => undefined,
    );
    const structure = await this.structure;
    if (structure === undefined) return undefined;
    try {
      const placed = findSingleImagePlacement(structure, pageNumber - 1);
      return placed !== undefined && placed.width * placed.height >= this.largeImagePixels ? placed : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.doc.destroy();
  }
}
