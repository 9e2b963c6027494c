/**
 * The PDF module against the real documents in ../shared/data (skipped when absent): page
 * counts, sizes and /Rotate from the manifest, text-layer character counts per page, the
 * verdicts on image-only, mixed and already-OCRed pages, and invoice numbers found in the
 * text layers of real digital invoices.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "../../src/domain/document-model.js";
import { assessTextLayer } from "../../src/pdf/assess-text-layer.js";
import { inspectDocument } from "../../src/pdf/inspect-document.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { SHARED_DATA_DIR, sharedDataSkipReason } from "../support/environment.js";

interface ManifestPage {
  page: number;
  size_pts: string;
  rotate: number;
  text_layer_chars: number;
}
interface ManifestEntry {
  pages: number;
  per_page: ManifestPage[];
  expected_substrings_in_order_lowercase?: string[];
}

const skip = sharedDataSkipReason();
const pdfDir = join(SHARED_DATA_DIR, "pdfs");
const manifest: Record<string, ManifestEntry> =
  skip === undefined
    ? (JSON.parse(readFileSync(join(pdfDir, "manifest.json"), "utf8")) as Record<string, ManifestEntry>)
    : {};

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Text as the manifest counts it: words joined by spaces, lines by newlines. */
function layerText(page: Page): string {
  return page.blocks.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" "))).join("\n");
}

describe("shared data: PDFs", { skip }, () => {
  for (const [name, entry] of Object.entries(manifest)) {
    test(name, async () => {
      const bytes = read(join(pdfDir, name));
      const info = await inspectDocument(bytes, "application/pdf");
      assert.equal(info.numPages, entry.pages);
      const pages = await extractTextLayer(bytes);
      assert.equal(pages.length, entry.pages);
      for (const expected of entry.per_page) {
        const inspected = info.pages[expected.page - 1];
        const extracted = pages[expected.page - 1];
        assert.ok(inspected && extracted);
        const [w, h] = expected.size_pts.split(/\s*x\s*/).map((s) => parseFloat(s));
        const [x0, y0, x1, y1] = inspected.viewBox ?? [0, 0, 0, 0];
        assert.ok(
          Math.abs(x1 - x0 - (w ?? 0)) < 0.5 && Math.abs(y1 - y0 - (h ?? 0)) < 0.5,
          `${name} p${expected.page} size`,
        );
        assert.equal(inspected.rotate, expected.rotate, `${name} p${expected.page} rotate`);

        const text = layerText(extracted.page);
        const verdict = assessTextLayer(extracted.page, extracted.content);
        if (expected.text_layer_chars === 0) {
          assert.equal(text, "", `${name} p${expected.page} has no text layer`);
          assert.equal(verdict.reason, "empty");
        } else {
          const ratio = text.length / expected.text_layer_chars;
          assert.ok(
            ratio > 0.8 && ratio < 1.2,
            `${name} p${expected.page}: ${text.length} chars vs ${expected.text_layer_chars}`,
          );
          assert.equal(verdict.usable, true, `${name} p${expected.page}: ${verdict.detail}`);
        }
      }
      if (entry.expected_substrings_in_order_lowercase) {
        // Only what the text layer holds; the rest needs OCR.
        const all = pages
          .map((p) => layerText(p.page).replace(/\s+/g, " "))
          .join(" ")
          .toLowerCase();
        const present = entry.expected_substrings_in_order_lowercase.filter((s) => all.includes(s));
        assert.ok(present.length > 0, `${name}: no expected text in the layer`);
        let cursor = -1;
        for (const s of present) {
          const at = all.indexOf(s, cursor + 1);
          assert.ok(at > cursor, `${name}: "${s}" out of order`);
          cursor = at;
        }
      }
    });
  }

  test("already-OCRed pages are recognised as an invisible OCR layer", async () => {
    const [graph] = await extractTextLayer(read(join(pdfDir, "ocrmypdf/graph_ocred.pdf")));
    assert.ok(graph);
    assert.equal(assessTextLayer(graph.page, graph.content).reason, "invisible_ocr_layer");
    const multipage = await extractTextLayer(read(join(pdfDir, "ocrmypdf/multipage.pdf")), { pages: [4] });
    assert.equal(assessTextLayer(multipage[0]!.page, multipage[0]!.content).reason, "invisible_ocr_layer");
  });

  test("/Rotate 90 is honoured in page pixel space", async () => {
    const [page] = await extractTextLayer(read(join(pdfDir, "ocrmypdf/rotated_skew.pdf")), { dpi: 300 });
    assert.ok(page);
    assert.deepEqual([page.page.width, page.page.height], [2550, 3300]);
  });
});

describe("shared data: invoice text layers", { skip }, () => {
  const dir = join(SHARED_DATA_DIR, "invoice2data");
  const names = skip === undefined && existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".pdf")) : [];
  for (const file of names) {
    test(file, async () => {
      const pages = await extractTextLayer(read(join(dir, file)));
      assert.ok(pages.length >= 1);
      for (const p of pages)
        assert.notEqual(assessTextLayer(p.page, p.content).reason, "garbage", `${file} p${p.page.number}`);
      const expected = JSON.parse(readFileSync(join(dir, file.replace(/\.pdf$/, ".json")), "utf8")) as Array<{
        invoice_number?: string;
      }>;
      const number = expected[0]?.invoice_number?.replace(/^#/, "");
      if (number && /\d{4,}/.test(number)) {
        const squashed = pages
          .map((p) => layerText(p.page))
          .join(" ")
          .replace(/\s+/g, "");
        assert.ok(squashed.includes(number), `${file}: invoice number ${number} not in the text layer`);
      }
    });
  }
});
