import type { PDFDocumentProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { DocketError } from "../errors.js";
import { pdfjsAssetPaths } from "../imaging/pdfjs-assets.js";
import { importPdfjs } from "../imaging/pdfjs-module.js";

export type { PDFDocumentProxy };

/**
 * pdf.js in Node: the legacy build (the modern one assumes browser APIs), with every asset
 * read from the installed package so nothing is ever fetched from the network, `eval`
 * disabled (font programs are interpreted, not compiled from PDF-supplied code), and no
 * font faces or system fonts (we extract text; rendering is the imaging module's concern).
 *
 * pdf.js runs its "worker" on the calling thread (see imaging/pdfjs-module.ts), so parsing
 * happens there: callers process one page at a time and yield between pages.
 */

export interface OpenPdfOptions {
  password?: string;
  signal?: AbortSignal | undefined;
}

/**
 * Open a PDF with pdf.js. `bytes` is copied: pdf.js transfers (detaches) the buffer it is
 * given, which would otherwise empty the caller's copy.
 *
 * Throws DocketError `encrypted_pdf` when a password is needed, `corrupt_file` when pdf.js
 * cannot parse the file at all.
 */
export async function openPdf(bytes: Uint8Array, options: OpenPdfOptions = {}): Promise<PDFDocumentProxy> {
  options.signal?.throwIfAborted();
  // Imported once per thread, on first use: it is large and most processes never need it.
  const pdfjs = await importPdfjs();
  const { standardFontDataUrl, cMapUrl, wasmUrl, iccUrl } = pdfjsAssetPaths();
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl,
    cMapUrl,
    wasmUrl,
    iccUrl,
    ...(options.password === undefined ? {} : { password: options.password }),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    enableXfa: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  const onAbort = (): void => void task.destroy();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await task.promise;
  } catch (error) {
    options.signal?.throwIfAborted();
    throw mapPdfjsError(error);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** pdf.js exceptions carry their class in `name`; map them to Docket's permanent input errors. */
export function mapPdfjsError(error: unknown): DocketError {
  if (error instanceof DocketError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === "PasswordException") {
    return new DocketError("encrypted_pdf", "the PDF is password-protected; upload it without a password", {
      cause: error,
    });
  }
  return new DocketError("corrupt_file", `the PDF cannot be read: ${message}`, { cause: error });
}
