import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { init } from "@embedpdf/pdfium";

/**
 * PDFium (the PDF engine of Chrome), compiled to WebAssembly by @embedpdf/pdfium, for
 * reading text layers.
 *
 * Why not pdf.js for this: pdf.js builds a complete web font out of every embedded font
 * before it hands out a single character (its text extraction and rendering share one font
 * loader), which was about half the CPU of reading a digital invoice's text layer. PDFium
 * reads the same text with real per-glyph boxes in about a tenth of the time (measured on
 * the invoice2data PDFs: 5 ms against 50 ms a document, warm). pdf.js still renders pages.
 *
 * The wasm binary ships inside the npm package and is read from disk: nothing is fetched.
 * One instance per thread, created on first use (about 100 ms) and kept.
 */

/**
 * The PDFium functions Docket calls, with the types the C API gives them (an FPDF_BOOL is
 * an int: non-zero is success).
 */
export interface PdfiumFunctions {
  PDFiumExt_Init(): void;
  FPDF_LoadMemDocument(data: number, size: number, password: string): number;
  FPDF_CloseDocument(doc: number): void;
  FPDF_GetLastError(): number;
  FPDF_GetPageCount(doc: number): number;
  FPDF_LoadPage(doc: number, index: number): number;
  FPDF_ClosePage(page: number): void;
  FPDFPage_GetMediaBox(page: number, left: number, bottom: number, right: number, top: number): number;
  FPDFPage_GetCropBox(page: number, left: number, bottom: number, right: number, top: number): number;
  FPDFPage_GetRotation(page: number): number;
  FPDF_GetPageWidthF(page: number): number;
  FPDF_GetPageHeightF(page: number): number;
  FPDFPage_CountObjects(page: number): number;
  FPDFPage_GetObject(page: number, index: number): number;
  FPDFPageObj_GetType(object: number): number;
  FPDFPageObj_GetBounds(object: number, left: number, bottom: number, right: number, top: number): number;
  FPDFPageObj_GetMatrix(object: number, matrix: number): number;
  FPDFFormObj_CountObjects(form: number): number;
  FPDFFormObj_GetObject(form: number, index: number): number;
  FPDFText_LoadPage(page: number): number;
  FPDFText_ClosePage(textPage: number): void;
  FPDFText_CountChars(textPage: number): number;
  FPDFText_GetUnicode(textPage: number, index: number): number;
  FPDFText_IsGenerated(textPage: number, index: number): number;
  FPDFText_HasUnicodeMapError(textPage: number, index: number): number;
  FPDFText_GetLooseCharBox(textPage: number, index: number, rect: number): number;
  FPDFText_GetMatrix(textPage: number, index: number, matrix: number): number;
  FPDFText_GetFontSize(textPage: number, index: number): number;
  FPDFText_GetTextObject(textPage: number, index: number): number;
  FPDFTextObj_GetTextRenderMode(textObject: number): number;
  FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number;
  FPDFBitmap_Destroy(bitmap: number): void;
  FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): number;
  FPDFBitmap_GetBuffer(bitmap: number): number;
  FPDFBitmap_GetStride(bitmap: number): number;
  FPDF_RenderPageBitmap(
    bitmap: number,
    page: number,
    startX: number,
    startY: number,
    sizeX: number,
    sizeY: number,
    rotate: number,
    flags: number,
  ): void;
}

export interface Pdfium extends PdfiumFunctions {
  malloc(size: number): number;
  free(pointer: number): void;
  /** The current wasm memory (replaced when it grows: never keep a view across calls that allocate). */
  heapU8(): Uint8Array;
  heapF32(): Float32Array;
}

/** FPDF_GetLastError values. */
export const FPDF_ERR = { PASSWORD: 4, SECURITY: 5 } as const;
/** FPDFBitmap_BGRA: four bytes a pixel (RGBA in memory with FPDF_REVERSE_BYTE_ORDER). */
export const FPDF_BITMAP_BGRA = 4;
/** Render flags: draw annotations (stamps, filled forms), and write RGBA instead of BGRA. */
export const FPDF_RENDER = { ANNOT: 0x01, REVERSE_BYTE_ORDER: 0x10 } as const;
/** FPDFPageObj_GetType values. */
export const FPDF_PAGEOBJ = { TEXT: 1, IMAGE: 3, FORM: 5 } as const;

interface EmscriptenRuntime {
  wasmExports: Record<string, unknown> & { malloc(size: number): number; free(pointer: number): void };
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
}

/**
 * Functions that take and return only numbers, called straight on the wasm instance. The
 * package's build keeps Emscripten's checking wrappers (ccall, argument-count asserts), four
 * JavaScript calls around each C call; the text-layer loop makes about seven calls a
 * character, and those wrappers cost more than PDFium's work (a digital invoice's text layer:
 * 6.8 ms through them, 3.7 ms straight, warm). Numbers pass through unchanged, so nothing is lost.
 * Functions taking strings (FPDF_LoadMemDocument's password) keep the wrapper that encodes them.
 */
const NUMERIC_FUNCTIONS = [
  "FPDF_GetLastError",
  "FPDF_GetPageCount",
  "FPDF_LoadPage",
  "FPDF_ClosePage",
  "FPDFPage_GetMediaBox",
  "FPDFPage_GetCropBox",
  "FPDFPage_GetRotation",
  "FPDF_GetPageWidthF",
  "FPDF_GetPageHeightF",
  "FPDFPage_CountObjects",
  "FPDFPage_GetObject",
  "FPDFPageObj_GetType",
  "FPDFPageObj_GetBounds",
  "FPDFPageObj_GetMatrix",
  "FPDFFormObj_CountObjects",
  "FPDFFormObj_GetObject",
  "FPDFText_LoadPage",
  "FPDFText_ClosePage",
  "FPDFText_CountChars",
  "FPDFText_GetUnicode",
  "FPDFText_IsGenerated",
  "FPDFText_HasUnicodeMapError",
  "FPDFText_GetLooseCharBox",
  "FPDFText_GetMatrix",
  "FPDFText_GetFontSize",
  "FPDFText_GetTextObject",
  "FPDFTextObj_GetTextRenderMode",
] as const satisfies readonly (keyof PdfiumFunctions)[];

function directExports(runtime: EmscriptenRuntime): Partial<PdfiumFunctions> {
  const out: Record<string, unknown> = {};
  for (const name of NUMERIC_FUNCTIONS) {
    const exported = runtime.wasmExports[name];
    // A build that names an export differently keeps the wrapped function: slower, still right.
    if (typeof exported === "function") out[name] = exported;
  }
  return out as Partial<PdfiumFunctions>;
}

let loading: Promise<Pdfium> | undefined;

export function loadPdfium(): Promise<Pdfium> {
  loading ??= instantiate().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function instantiate(): Promise<Pdfium> {
  const wasmPath = createRequire(import.meta.url).resolve("@embedpdf/pdfium/pdfium.wasm");
  const file = readFileSync(wasmPath);
  // A Buffer may be a view into a larger pool: hand over exactly the file's bytes.
  const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const wrapped = (await init({ wasmBinary })) as unknown as PdfiumFunctions & { pdfium: EmscriptenRuntime };
  wrapped.PDFiumExt_Init();
  const runtime = wrapped.pdfium;
  return Object.assign(Object.create(wrapped) as PdfiumFunctions, directExports(runtime), {
    malloc: (size: number) => {
      const pointer = runtime.wasmExports.malloc(size);
      if (pointer === 0) throw new Error(`PDFium could not allocate ${size} bytes`);
      return pointer;
    },
    free: (pointer: number) => runtime.wasmExports.free(pointer),
    heapU8: () => runtime.HEAPU8,
    heapF32: () => runtime.HEAPF32,
  }) as Pdfium;
}
