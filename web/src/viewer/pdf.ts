import type { PDFDocumentProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

type Pdfjs = typeof import("pdfjs-dist");

let loading: Promise<Pdfjs> | null = null;

/** pdf.js, loaded on first use (it is most of the UI's bytes and only the page viewer needs it). */
function pdfjs(): Promise<Pdfjs> {
  loading ??= import("pdfjs-dist").then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = workerUrl;
    return lib;
  });
  return loading;
}

/** Resources copied next to the UI by the build (web/vite.config.ts); nothing is fetched from elsewhere. */
const resource = (path: string) => new URL(`/pdfjs/${path}/`, window.location.origin).href;

export async function openPdf(bytes: ArrayBuffer): Promise<PDFDocumentProxy> {
  const lib = await pdfjs();
  return lib.getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: resource("standard_fonts"),
    cMapUrl: resource("cmaps"),
    cMapPacked: true,
    iccUrl: resource("iccs"),
    wasmUrl: resource("wasm"),
    // The CSP allows no eval; pdf.js then interprets PostScript functions instead of compiling them.
    isEvalSupported: false,
    enableXfa: false,
  }).promise;
}

/** Renders page `number` (1-based, /Rotate applied as the server's renderer does) at `width` pixels. */
export async function renderPdfPage(pdf: PDFDocumentProxy, number: number, width: number): Promise<HTMLCanvasElement> {
  const page = await pdf.getPage(number);
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: width / base.width });
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(viewport.width));
  canvas.height = Math.max(1, Math.round(viewport.height));
  await page.render({ canvas, viewport, background: "#ffffff" }).promise;
  page.cleanup();
  return canvas;
}
