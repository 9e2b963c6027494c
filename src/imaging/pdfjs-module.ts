/**
 * The one way this codebase imports pdf.js (for text extraction and for rendering).
 *
 * Why not a plain `import()`: Node 20 needs pdf.js's legacy build, and that build bundles
 * core-js polyfills that REPLACE built-ins process-wide (per thread): `Array.prototype.push`
 * (core-js distrusts V8's handling of lengths near 2^53), and `JSON.stringify` / `JSON.parse`
 * (for the JSON.rawJSON and source-text proposals). The replacements are written in
 * JavaScript and are several times slower than V8's; after pdf.js loaded, every push and
 * every JSON call in the thread paid for it: the HTTP server's serialization, the database
 * driver, and pdf.js itself (profiled: `push` was the single largest self-time entry of text
 * extraction). Nothing here or in pdf.js relies on those edge cases, so the native functions
 * are put back. The polyfills that only ADD what Node 20 lacks (Promise.withResolvers,
 * Map.prototype.getOrInsert, Uint8Array.prototype.toHex, ...) stay: pdf.js uses them.
 *
 * The worker module is imported too and exposed as `globalThis.pdfjsWorker`, pdf.js's hook
 * for running its "worker" on the calling thread: pdf.js would otherwise import it lazily
 * at the first getDocument(), re-installing the polyfills after they had been undone.
 */
type PdfjsModule = typeof import("pdfjs-dist/legacy/build/pdf.mjs");

// Captured when this module is first evaluated, which is before pdf.js can have run: every
// import of pdf.js goes through importPdfjs() below.
const NATIVE: readonly (readonly [object, string, unknown])[] = [
  [Array.prototype, "push", Array.prototype.push],
  [JSON, "stringify", JSON.stringify],
  [JSON, "parse", JSON.parse],
];

/** Puts back the built-ins a polyfill replaced (same attributes as the originals). */
export function restoreNativeBuiltins(): void {
  for (const [owner, name, native] of NATIVE) {
    if ((owner as Record<string, unknown>)[name] !== native) {
      Object.defineProperty(owner, name, { value: native, writable: true, enumerable: false, configurable: true });
    }
  }
}

let loading: Promise<PdfjsModule> | undefined;

/** pdf.js (legacy build) with its worker on this thread, imported once per thread. */
export function importPdfjs(): Promise<PdfjsModule> {
  loading ??= (async () => {
    const [pdfjs, worker] = await Promise.all([
      import("pdfjs-dist/legacy/build/pdf.mjs"),
      import("pdfjs-dist/legacy/build/pdf.worker.mjs"),
    ]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    restoreNativeBuiltins();
    return pdfjs;
  })();
  return loading;
}
