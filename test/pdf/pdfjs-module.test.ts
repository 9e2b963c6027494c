import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importPdfjs } from "../../src/imaging/pdfjs-module.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { FIXTURE_LINES, textLayerPdf } from "../fixtures/generate.js";

// V8's own functions, taken before anything in this process loaded pdf.js (the imports above
// load it lazily). Compared by identity: core-js makes its replacements print as
// "[native code]", so the source text proves nothing.
const NATIVE_PUSH = Array.prototype.push;
const NATIVE_STRINGIFY = JSON.stringify;
const NATIVE_PARSE = JSON.parse;

describe("importPdfjs", () => {
  it("leaves V8's own push and JSON in place after pdf.js (and its worker) loaded, and keeps the additions pdf.js needs", async () => {
    const pdfjs = await importPdfjs();
    // The worker bundle runs on this thread through this hook, not through a lazy import.
    assert.ok((globalThis as { pdfjsWorker?: { WorkerMessageHandler?: unknown } }).pdfjsWorker?.WorkerMessageHandler);
    const { bytes } = await textLayerPdf();
    const pages = await extractTextLayer(bytes);
    const text = pages
      .flatMap((p) => p.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text))))
      .join(" ");
    assert.ok(text.includes(FIXTURE_LINES[0]!.split(" ")[0]!), text);
    assert.equal(Array.prototype.push, NATIVE_PUSH, "Array.prototype.push was replaced");
    assert.equal(JSON.stringify, NATIVE_STRINGIFY, "JSON.stringify was replaced");
    assert.equal(JSON.parse, NATIVE_PARSE, "JSON.parse was replaced");
    assert.equal(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers, "function");
    assert.equal(typeof pdfjs.getDocument, "function");
    // And they behave: push returns the new length, JSON round-trips.
    const a: number[] = [];
    assert.equal(a.push(1, 2), 2);
    assert.deepEqual(JSON.parse(JSON.stringify({ a: [1, "x"] })), { a: [1, "x"] });
  });
});
