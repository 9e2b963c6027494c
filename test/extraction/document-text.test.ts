import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DocumentModel, Word } from "../../src/domain/document-model.js";
import { buildDocumentText, locateText, sourceOf } from "../../src/extraction/document-text.js";
import { cellBox, modelFromLayout } from "./templates/support.js";

const INVOICE = [
  "ACME Sp. z o.o.                       Faktura VAT nr FV/12/2024",
  "ul. Polna 1, 00-001 Warszawa          Data wystawienia: 05.03.2024",
  "",
  "",
  "",
  "Nabywca: Beta S.A.",
  "    Razem do zapłaty:      1 234,56 PLN",
];

describe("buildDocumentText", () => {
  it("lays rows out like pdftotext -layout: columns kept, one space inside a phrase, blank lines for gaps, pages split by form feeds", () => {
    const dt = buildDocumentText(modelFromLayout([INVOICE, ["Strona 2", "Uwagi: brak"]]));
    const [first, second] = dt.text.split("\n\f");
    const rows = first!.split("\n");
    // A label and its value in separate model lines (other blocks) share the text line.
    assert.equal(rows[0], INVOICE[0]);
    assert.equal(rows[1], INVOICE[1]);
    // Three empty rows of space: blank lines (not necessarily as many), never none.
    const gap = rows.indexOf("Nabywca: Beta S.A.") - 2;
    assert.ok(gap >= 2 && gap <= 4, `blank lines for the vertical gap: ${gap}`);
    // Indentation and the column gap survive.
    assert.equal(rows.at(-1), INVOICE[6]);
    assert.equal(second, "Strona 2\nUwagi: brak");
    assert.deepEqual(
      dt.pages.map((p) => p.number),
      [1, 2],
    );
    assert.equal(dt.text.slice(dt.pages[1]!.start, dt.pages[1]!.end), "Strona 2\nUwagi: brak");
  });

  it("records every word's range and box, in text order", () => {
    const model = modelFromLayout([INVOICE]);
    const dt = buildDocumentText(model);
    const words = model.pages[0]!.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    assert.equal(dt.spans.length, words.length);
    for (let i = 1; i < dt.spans.length; i++)
      assert.ok(dt.spans[i]!.start >= dt.spans[i - 1]!.end, "ascending, not overlapping");
    for (const span of dt.spans) {
      const word = words.find((w) => w.bbox.x0 === span.bbox.x0 && w.bbox.y0 === span.bbox.y0)!;
      assert.equal(dt.text.slice(span.start, span.end), word.text);
    }
  });

  it("keeps two small lines apart when a tall word spans both", () => {
    const word = (text: string, x0: number, y0: number, x1: number, y1: number): Word => ({
      text,
      bbox: { x0, y0, x1, y1 },
      confidence: 100,
    });
    const line = (w: Word) => ({ bbox: w.bbox, confidence: 100, words: [w] });
    const words = [
      word("Sammy", 48, 23, 84, 37),
      word("sammy@example.com", 48, 36, 153, 49),
      word("INVOICE", 458, 18, 574, 57),
    ];
    const model: DocumentModel = {
      version: 1,
      documentId: "d",
      languages: [],
      engine: "t",
      pages: [
        {
          number: 1,
          width: 600,
          height: 800,
          dpi: 72,
          source: "text-layer",
          rotation: 0,
          skew: 0,
          confidence: 100,
          blocks: words.map((w) => ({ kind: "paragraph" as const, bbox: w.bbox, confidence: 100, lines: [line(w)] })),
        },
      ],
    };
    const rows = buildDocumentText(model).text.split("\n");
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^Sammy\s{2,}INVOICE$/);
    assert.equal(rows[1], "sammy@example.com");
  });

  it("reads an empty model as empty text", () => {
    const dt = buildDocumentText({ version: 1, documentId: "d", languages: [], engine: "t", pages: [] });
    assert.deepEqual(dt, { text: "", spans: [], pages: [] });
  });
});

describe("sourceOf", () => {
  const dt = buildDocumentText(modelFromLayout([INVOICE, ["Strona 2"]]));

  it("maps a range to the page and the union box of the words it touches", () => {
    const start = dt.text.indexOf("FV/12/2024");
    assert.deepEqual(sourceOf(dt, start, start + "FV/12/2024".length), { page: 1, bbox: cellBox(0, 53, "FV/12/2024") });
    // Part of a word still points at the whole word; a range over several words is their union.
    const amount = dt.text.indexOf("1 234,56");
    const [x0, y0] = cellBox(6, 27, "1");
    const [, , x1, y1] = cellBox(6, 29, "234,56");
    assert.deepEqual(sourceOf(dt, amount + 2, amount + 4), { page: 1, bbox: cellBox(6, 29, "234,56") });
    assert.deepEqual(sourceOf(dt, amount, amount + "1 234,56".length), { page: 1, bbox: [x0, y0, x1, y1] });
  });

  it("stays on the first page of a range that crosses pages, and is null over whitespace", () => {
    const lastRow = dt.text.indexOf("Razem");
    const source = sourceOf(dt, lastRow, dt.text.length);
    assert.equal(source?.page, 1);
    const spaces = dt.text.indexOf("   ");
    assert.equal(sourceOf(dt, spaces, spaces + 3), null);
    assert.equal(sourceOf(dt, 5, 5), null);
    assert.equal(sourceOf(dt, dt.pages[1]!.start, dt.pages[1]!.end)?.page, 2);
  });
});

describe("locateText", () => {
  const dt = buildDocumentText(modelFromLayout([INVOICE]));

  it("finds quoted text exactly, across layout spacing, or ignoring case", () => {
    assert.equal(dt.text.slice(...range(locateText(dt, "FV/12/2024"))), "FV/12/2024");
    assert.equal(dt.text.slice(...range(locateText(dt, "zapłaty: 1 234,56"))), "zapłaty:      1 234,56");
    assert.equal(dt.text.slice(...range(locateText(dt, "acme sp. z o.o."))), "ACME Sp. z o.o.");
    assert.equal(locateText(dt, "Invoice 77"), null);
    assert.equal(locateText(dt, "   "), null);
  });
});

function range(r: { start: number; end: number } | null): [number, number] {
  assert.ok(r, "found");
  return [r.start, r.end];
}
