import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractWithRules } from "../../src/extraction/rules/index.js";
import { modelOf, type TextLine } from "./support/model-builder.js";

/** Cells at fixed x positions, as a table prints them. */
function tableRow(y: number, cells: Array<[number, string]>, size = 8): TextLine[] {
  return cells.map(([x, text]) => ({ x, y, text, size }));
}

describe("item table and VAT summary", () => {
  const lines: TextLine[] = [
    { x: 40, y: 40, text: "Faktura VAT nr 7/2024", size: 14 },
    ...tableRow(100, [
      [40, "Lp."],
      [62, "Nazwa towaru / usługi"],
      [230, "Ilość"],
      [262, "J.m."],
      [300, "Cena"],
      [350, "Wartość"],
      [410, "VAT"],
      [440, "Kwota"],
      [500, "Wartość"],
    ]),
    ...tableRow(110, [
      [300, "netto"],
      [350, "netto"],
      [440, "VAT"],
      [500, "brutto"],
    ]),
    ...tableRow(126, [
      [44, "1"],
      [62, "Projekt graficzny logo"],
      [232, "2"],
      [262, "usł."],
      [300, "1 000,00"],
      [350, "2 000,00"],
      [410, "23%"],
      [440, "460,00"],
      [500, "2 460,00"],
    ]),
    ...tableRow(140, [
      [44, "2"],
      [62, "Dostawa wewnątrzwspólnotowa –"],
      [232, "1,5"],
      [262, "kg"],
      [300, "100,00"],
      [350, "150,00"],
      [410, "zw"],
      [440, "0,00"],
      [500, "150,00"],
    ]),
    ...tableRow(150, [[62, "części zamienne"]]),
    ...tableRow(190, [
      [300, "Stawka VAT"],
      [360, "Netto"],
      [420, "VAT"],
      [480, "Brutto"],
    ]),
    ...tableRow(202, [
      [300, "23%"],
      [360, "2 000,00"],
      [420, "460,00"],
      [480, "2 460,00"],
    ]),
    ...tableRow(214, [
      [300, "zw"],
      [360, "150,00"],
      [420, "0,00"],
      [480, "150,00"],
    ]),
    ...tableRow(226, [
      [300, "Razem"],
      [360, "2 150,00"],
      [420, "460,00"],
      [480, "2 610,00"],
    ]),
    { x: 40, y: 260, text: "Do zapłaty: 2 610,00 PLN", size: 12 },
  ];

  it("reads the items under a two-line header, wrapped descriptions included", () => {
    const got = extractWithRules(modelOf({ lines }), "invoice");
    assert.deepEqual(
      got.line_items.map(({ source: _source, ...item }) => item),
      [
        {
          description: "Projekt graficzny logo",
          quantity: "2",
          unit: "usł.",
          unit_price: "1000.00",
          net: "2000.00",
          vat_rate: "23",
          vat: "460.00",
          gross: "2460.00",
        },
        {
          description: "Dostawa wewnątrzwspólnotowa – części zamienne",
          quantity: "1.5",
          unit: "kg",
          unit_price: "100.00",
          net: "150.00",
          vat_rate: "zw",
          vat: "0.00",
          gross: "150.00",
        },
      ],
    );
    assert.equal(got.line_items[0]!.source?.page, 1);
  });

  it("reads the VAT summary rows and the totals from its sum row", () => {
    const got = extractWithRules(modelOf({ lines }), "invoice");
    assert.deepEqual(got.vat_breakdown, [
      { rate: "23", net: "2000.00", vat: "460.00", gross: "2460.00" },
      { rate: "zw", net: "150.00", vat: "0.00", gross: "150.00" },
    ]);
    assert.equal(got.fields.total_net?.value, "2150.00");
    assert.equal(got.fields.total_vat?.value, "460.00");
    assert.equal(got.fields.total_gross?.value, "2610.00");
  });

  it("takes no item row from running text that merely says 'invoice'", () => {
    const got = extractWithRules(
      modelOf({
        lines: [
          { x: 40, y: 40, text: "This invoice consists of regular text." },
          { x: 40, y: 60, text: "Invoice No: 4711" },
        ],
      }),
      "invoice",
    );
    assert.equal(got.fields.document_number?.value, "4711");
    assert.deepEqual(got.line_items, []);
  });
});
