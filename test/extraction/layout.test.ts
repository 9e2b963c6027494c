import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildLayout,
  compileLabels,
  findLabels,
  indexLabels,
  valueRegions,
} from "../../src/extraction/layout/index.js";
import { modelOf, type TextLine } from "./support/model-builder.js";

const LABELS = compileLabels();

function regionsOf(lines: TextLine[], phrase: string) {
  const layout = buildLayout(modelOf({ lines }));
  const hits = findLabels(layout, LABELS);
  const index = indexLabels(hits);
  const hit = hits.find((h) => h.phrase === phrase);
  assert.ok(hit, `label ${phrase} found among ${hits.map((h) => h.phrase).join(", ")}`);
  return valueRegions(hit, layout, index, new Set([hit.kind])).map((r) => ({
    direction: r.direction,
    text: r.words.map((w) => w.text).join(" "),
  }));
}

describe("layout index", () => {
  it("joins a label and a value printed as separate blocks on one row", () => {
    const lines = [
      { x: 40, y: 100, text: "Invoice Number:" },
      { x: 400, y: 101, text: "42183017" },
      { x: 40, y: 114, text: "Invoice Date:" },
      { x: 400, y: 115, text: "August 3, 2014" },
    ];
    const layout = buildLayout(modelOf({ lines }));
    assert.deepEqual(
      layout.rows.map((r) => r.segments.map((s) => s.text)),
      [
        ["Invoice Number:", "42183017"],
        ["Invoice Date:", "August 3, 2014"],
      ],
    );
    assert.deepEqual(regionsOf(lines, "Invoice Number")[0], { direction: "right", text: "42183017" });
  });

  it("splits a line at a column-wide gap and a glued label at its colon", () => {
    const layout = buildLayout(
      modelOf({ lines: [{ x: 40, y: 100, text: "NIP:7740001454            Nabywca: ACME" }] }),
    );
    assert.deepEqual(
      layout.rows[0]!.segments.map((s) => s.words.map((w) => w.text)),
      [
        ["NIP:", "7740001454"],
        ["Nabywca:", "ACME"],
      ],
    );
  });

  it("finds the value below a caption in the same column, not the neighbour's", () => {
    const lines = [
      { x: 40, y: 100, text: "NUMER FAKTURY      DATA WYSTAWIENIA", size: 7 },
      { x: 40, y: 110, text: "FV/1/2024", size: 10 },
      { x: 40 + 19 * 3.85, y: 110, text: "05.03.2024", size: 10 },
    ];
    assert.deepEqual(regionsOf(lines, "Numer faktury"), [{ direction: "below", text: "FV/1/2024" }]);
    assert.deepEqual(regionsOf(lines, "Data wystawienia"), [{ direction: "below", text: "05.03.2024" }]);
  });

  it("reads a value above a caption printed under its box, and leaves a value owned by a nearer label alone", () => {
    const lines = [
      { x: 60, y: 100, text: "2024-03-05" },
      { x: 55, y: 113, text: "data wystawienia", size: 7 },
      { x: 60, y: 150, text: "2024-03-19" },
      { x: 55, y: 163, text: "termin płatności", size: 7 },
    ];
    const regions = regionsOf(lines, "Data wystawienia");
    assert.deepEqual(regions, [{ direction: "above", text: "2024-03-05" }]);
  });

  it("matches labels over several words, without accents, in any case and with OCR slips", () => {
    const layout = buildLayout(
      modelOf({
        lines: [
          { x: 40, y: 100, text: "N1P: 774-00-01-454" },
          { x: 40, y: 120, text: "DATA SPRZEDAZY 2024-03-01" },
          { x: 40, y: 140, text: "Termin platnosci: 2024-03-20" },
          { x: 40, y: 160, text: "Rechnungs- nummer 123" },
          { x: 40, y: 180, text: "Datawystawienia 2024-03-02" },
          { x: 40, y: 200, text: "Fälligkeitsdatum: 20.03.2024" },
        ],
      }),
    );
    const kinds = findLabels(layout, LABELS).map((h) => `${h.row.index}:${h.kind}`);
    for (const expected of ["0:tax_id", "1:sale_date", "2:due_date", "3:document_number", "4:issue_date", "5:due_date"])
      assert.ok(kinds.includes(expected), `${expected} in ${kinds.join(" ")}`);
  });

  it("prefers the longer label where two overlap", () => {
    const layout = buildLayout(modelOf({ lines: [{ x: 40, y: 100, text: "Razem netto: 100,00" }] }));
    const hits = findLabels(layout, LABELS);
    assert.deepEqual(
      hits.map((h) => h.phrase),
      ["Razem netto"],
    );
  });
});
