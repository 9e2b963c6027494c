import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildDocumentText } from "../../../src/extraction/document-text.js";
import { applyTemplate, matchTemplate, TEMPLATE_CONFIDENCE } from "../../../src/extraction/templates/apply-template.js";
import { parseTemplate } from "../../../src/extraction/templates/parse-template.js";
import { cellBox, modelFromLayout } from "./support.js";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/templates/${name}`, import.meta.url)), "utf8");
const LEGACY = parseTemplate(fixture("pl.acme-legacy.yml"), "pl.acme-legacy");
const LINES = parseTemplate(fixture("de.muster-lines.yml"), "de.muster-lines");

const ACME = [
  "ACME Sp. z o.o.                          Faktura VAT nr FV/12/2024",
  "ul. Polna 1, 00-001 Warszawa             Data wystawienia: 05.03.2024",
  "NIP 525-000-00-03                        Termin płatności: 19 marca 2024",
  "Zamówienie: ZAM-77",
  "",
  "Nabywca: Beta S.A.",
  "",
  "Razem netto:        1 100,00",
  "VAT 23%:              230,00",
  "VAT 8%:                 8,00",
  "Razem do zapłaty:   1 338,00",
];

const MUSTER = [
  "Muster GmbH                                   RECHNUNG",
  "Hauptstraße 5, 10115 Berlin                   Rechnungsnummer: RE-4711",
  "USt-IdNr.: DE 123 456 789                     Rechnungsdatum: 14.02.2024",
  "",
  "Pos  Beschreibung               Menge  Einheit   Preis      Betrag",
  "1    Beratung                   10     Std       95,00      950,00",
  "     vor Ort, inkl. Anfahrt",
  "2    Lizenz Software            1      Stk       1.200,00   1.200,00",
  "     Übertrag                                               2.150,00",
  "3    Schulung                   2      Tag       400,00     800,00",
  "Nettobetrag EUR 2.950,00",
  "USt-Satz  Netto     USt",
  "19 %      2.950,00  560,50",
  "Gesamtbetrag EUR 3.510,50",
  "IBAN: DE89 3704 0044 0532 0130 00",
];

const values = (fields: Record<string, { value: string } | undefined>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v!.value]));

describe("matchTemplate", () => {
  it("needs every keyword and no exclude keyword", () => {
    const acme = buildDocumentText(modelFromLayout([ACME]));
    assert.equal(matchTemplate([LINES, LEGACY], acme)?.name, "pl.acme-legacy");
    assert.equal(
      matchTemplate([LEGACY], buildDocumentText(modelFromLayout([ACME.slice(1)]))),
      null,
      "the name is missing",
    );
    assert.equal(matchTemplate([LEGACY], buildDocumentText(modelFromLayout([["KOREKTA", ...ACME]]))), null, "excluded");
    // Keywords are regexes (`(?i)rechnung` matches RECHNUNG) or plain text.
    assert.equal(matchTemplate([LEGACY, LINES], buildDocumentText(modelFromLayout([MUSTER])))?.name, "de.muster-lines");
  });

  it("prefers the higher priority, then more keywords", () => {
    const text = buildDocumentText(modelFromLayout([["Muster GmbH Rechnung ACME"]]));
    const generic = parseTemplate("keywords: [Rechnung]\nfields: {}\n", "generic");
    const two = parseTemplate("keywords: [Rechnung, Muster]\n", "two");
    const urgent = parseTemplate("keywords: [ACME]\npriority: 9\n", "urgent");
    assert.equal(matchTemplate([generic, two], text)?.name, "two");
    assert.equal(matchTemplate([generic, two, urgent], text)?.name, "urgent");
    assert.equal(matchTemplate([LINES, two], text)?.name, "de.muster-lines", "priority 6 beats the default 5");
  });
});

describe("applyTemplate, legacy form", () => {
  const dt = buildDocumentText(modelFromLayout([ACME]));
  const result = applyTemplate(LEGACY, dt);

  it("reads Docket's fields, typed by name and normalised with the template's options", () => {
    assert.deepEqual(values(result.fields), {
      document_number: "FV/12/2024",
      issue_date: "2024-03-05",
      due_date: "2024-03-19",
      total_gross: "1338.00",
      total_net: "1100.00",
      total_vat: "238.00",
      seller_tax_id: "5250000003",
      currency: "PLN",
      seller_name: "ACME Sp. z o.o.",
    });
    for (const field of Object.values(result.fields)) assert.equal(field!.origin, "template");
  });

  it("keeps the printed text, the source box and a high (not certain) confidence", () => {
    const number = result.fields.document_number!;
    assert.equal(number.raw, "FV/12/2024");
    assert.deepEqual(number.source, { page: 1, bbox: cellBox(0, 56, "FV/12/2024") });
    assert.equal(number.confidence, TEMPLATE_CONFIDENCE);
    assert.ok(number.confidence < 1);
    const gross = result.fields.total_gross!;
    assert.equal(gross.raw, "1 338,00");
    assert.deepEqual(gross.source, {
      page: 1,
      bbox: [
        cellBox(10, 20, "1")[0],
        cellBox(10, 20, "1")[1],
        cellBox(10, 22, "338,00")[2],
        cellBox(10, 22, "338,00")[3],
      ],
    });
    // A sum's source covers its parts.
    const vat = result.fields.total_vat!;
    assert.equal(vat.raw, "230,00 + 8,00");
    assert.deepEqual(vat.source?.bbox, [
      cellBox(8, 22, "230,00")[0],
      cellBox(8, 22, "230,00")[1],
      cellBox(9, 24, "8,00")[2],
      cellBox(9, 24, "8,00")[3],
    ]);
    // Stated, not read: the currency has no box; the issuer's name is found in the document.
    assert.equal(result.fields.currency!.source, null);
    assert.deepEqual(result.fields.seller_name!.source, {
      page: 1,
      bbox: [cellBox(0, 0, "ACME")[0], cellBox(0, 0, "ACME")[1], cellBox(0, 11, "o.o.")[2], cellBox(0, 11, "o.o.")[3]],
    });
  });

  it("keeps fields without a Docket name in the extras", () => {
    assert.deepEqual(result.extras, { partner_website: "acme.example.pl", order_number: "ZAM-77" });
  });
});

describe("applyTemplate, parsers with lines", () => {
  const dt = buildDocumentText(modelFromLayout([MUSTER]));
  const result = applyTemplate(LINES, dt);

  it("reads the fields", () => {
    assert.deepEqual(values(result.fields), {
      document_number: "RE-4711",
      issue_date: "2024-02-14",
      total_gross: "3510.50",
      total_net: "2950.00",
      seller_tax_id: "DE123456789",
      iban: "DE89370400440532013000",
      currency: "EUR",
      seller_name: "Muster GmbH",
    });
  });

  it("reads the item table: first_line starts an item, line continues it, skip_line drops page furniture", () => {
    assert.deepEqual(
      result.line_items.map(({ source: _source, ...item }) => item),
      [
        {
          description: "Beratung vor Ort, inkl. Anfahrt",
          quantity: "10",
          unit: "Std",
          unit_price: "95.00",
          net: "950.00",
          vat_rate: null,
          vat: null,
          gross: null,
        },
        {
          description: "Lizenz Software",
          quantity: "1",
          unit: "Stk",
          unit_price: "1200.00",
          net: "1200.00",
          vat_rate: null,
          vat: null,
          gross: null,
        },
        {
          description: "Schulung",
          quantity: "2",
          unit: "Tag",
          unit_price: "400.00",
          net: "800.00",
          vat_rate: null,
          vat: null,
          gross: null,
        },
      ],
    );
    // An item's box spans the lines it was read from.
    const [x0, y0] = cellBox(5, 0, "1");
    assert.equal(result.line_items[0]!.source?.page, 1);
    assert.deepEqual(result.line_items[0]!.source?.bbox.slice(0, 2), [x0, y0]);
    assert.equal(result.line_items[0]!.source?.bbox[3], cellBox(6, 5, "vor")[3]);
  });

  it("reads the VAT summary and keeps the rows, typed, in the extras", () => {
    assert.deepEqual(result.vat_breakdown, [{ rate: "19", net: "2950.00", vat: "560.50", gross: null }]);
    assert.deepEqual(result.extras.tax_lines, [{ line_tax_percent: 19, price_subtotal: 2950, line_tax_amount: 560.5 }]);
    assert.deepEqual((result.extras.lines as unknown[])[1], {
      pos: "2",
      name: "Lizenz Software",
      qty: 1,
      uom: "Stk",
      price_unit: 1200,
      price_subtotal: 1200,
    });
    assert.equal(result.extras.country_code, "DE");
  });
});

describe("applyTemplate, options that rewrite the text", () => {
  const template = parseTemplate(
    [
      "issuer: Gamma Serwis",
      "keywords: [GAMMA]",
      "fields:",
      "  invoice_number: rachuneknr(\\d+/\\d+)",
      "  amount: dozapłaty:([\\d,]+)pln",
      "  partner_name: sprzedawca:(.+?)nip",
      "  date: data:(\\d+\\.\\d+\\.\\d+)",
      "options:",
      "  remove_whitespace: true",
      "  lowercase: yes",
      "  decimal_separator: ','",
      "  replace:",
      "    - ['(?<=\\d)o|o(?=\\d)', '0']",
    ].join("\n"),
    "gamma",
  );
  const dt = buildDocumentText(
    modelFromLayout([
      [
        "GAMMA SERWIS",
        "Rachunek nr 2O24/7        Data: 01.O2.2024",
        "Sprzedawca: Gamma Serwis Sp. j.    NIP 123",
        "Do zapłaty: 1 2O5,50 PLN",
      ],
    ]),
  );
  const result = applyTemplate(template, dt);

  it("matches the rewritten text and maps every value back to the printed words", () => {
    assert.equal(result.fields.document_number?.value, "2024/7");
    assert.equal(result.fields.document_number?.raw, "2O24/7");
    assert.deepEqual(result.fields.document_number?.source, { page: 1, bbox: cellBox(1, 12, "2O24/7") });
    assert.equal(result.fields.total_gross?.value, "1205.50");
    assert.equal(result.fields.total_gross?.raw, "1 2O5,50");
    assert.deepEqual(result.fields.total_gross?.source?.bbox, [
      cellBox(3, 12, "1")[0],
      cellBox(3, 12, "1")[1],
      cellBox(3, 14, "2O5,50")[2],
      cellBox(3, 14, "2O5,50")[3],
    ]);
    assert.equal(result.fields.issue_date?.value, "2024-02-01");
  });

  it("takes a name as printed, not as lower-cased without spaces", () => {
    assert.equal(result.fields.seller_name?.value, "Gamma Serwis Sp. j.");
    assert.equal(result.fields.seller_name?.origin, "template");
  });
});

describe("applyTemplate, several values", () => {
  const dt = buildDocumentText(
    modelFromLayout([["SHOP 1", "Date 03.01.2024   Due 17.01.2024", "Total 10.00", "Total 12.50", "Ref A-1  Ref A-1"]]),
  );
  const make = (fields: string) => parseTemplate(`keywords: [SHOP]\nissuer: Shop\n${fields}`, "shop");

  it("without a group: the first, with less confidence when they differ", () => {
    const r = applyTemplate(make("fields:\n  amount: Total (\\S+)\n  invoice_number: Ref (\\S+)\n"), dt);
    assert.equal(r.fields.total_gross?.value, "10.00");
    assert.ok(r.fields.total_gross!.confidence < TEMPLATE_CONFIDENCE);
    assert.equal(r.fields.document_number?.value, "A-1");
    assert.equal(r.fields.document_number?.confidence, TEMPLATE_CONFIDENCE, "the same value twice is not ambiguous");
  });

  it("group: sum, max, min, last, join", () => {
    const r = (group: string, field = "amount", regex = "Total (\\S+)") =>
      applyTemplate(make(`fields:\n  ${field}:\n    parser: regex\n    regex: ${regex}\n    group: ${group}\n`), dt);
    assert.equal(r("sum").fields.total_gross?.value, "22.50");
    assert.equal(r("max").fields.total_gross?.value, "12.50");
    assert.equal(r("min").fields.total_gross?.value, "10.00");
    assert.equal(r("last").fields.total_gross?.raw, "12.50");
    assert.equal(r("min", "date", "(\\d\\d\\.\\d\\d\\.\\d{4})").fields.issue_date?.value, "2024-01-03");
    assert.equal(r("max", "date_due", "(\\d\\d\\.\\d\\d\\.\\d{4})").fields.due_date?.value, "2024-01-17");
    assert.deepEqual(r("join", "note", "Total (\\S+)").extras.note, "10.00 12.50");
  });

  it("a regex with two groups gives nothing, as in invoice2data, and the template says so", () => {
    const t = make("fields:\n  amount: (Total) (\\S+)\n");
    assert.match(t.warnings.join("\n"), /2 capturing groups/);
    assert.equal(applyTemplate(t, dt).fields.total_gross, undefined);
  });

  it("a value Docket cannot read is kept in the extras, not lost", () => {
    const r = applyTemplate(make("fields:\n  date: Ref (\\S+)\n"), dt);
    assert.equal(r.fields.issue_date, undefined);
    assert.equal(r.extras.date, "A-1");
  });
});

describe("applyTemplate, area", () => {
  it("reads only the words inside the rectangle, given in pixels at the area's own resolution", () => {
    const dt = buildDocumentText(
      modelFromLayout([["AREA Test", "Total 10.00                         Total 99.00", "Total 55.00"]]),
    );
    // Right half of the first rows, at 144 dpi (the page's boxes are at 72 dpi): x ≥ 400 / 2 = 200 px.
    const area = "{f: 1, l: 1, x: 400, y: 0, r: 144, W: 800, H: 140}";
    const t = parseTemplate(
      `keywords: [AREA]\nfields:\n  amount:\n    parser: regex\n    regex: Total (\\S+)\n    area: ${area}\n  amount_untaxed:\n    parser: regex\n    regex: Total (\\S+)\n`,
      "area",
    );
    const r = applyTemplate(t, dt);
    assert.equal(r.fields.total_gross?.value, "99.00");
    assert.deepEqual(r.fields.total_gross?.source, { page: 1, bbox: cellBox(1, 42, "99.00") });
    assert.equal(r.fields.total_gross?.confidence, TEMPLATE_CONFIDENCE, "one value in the area: not ambiguous");
    assert.equal(r.fields.total_net?.value, "10.00", "without an area the whole page is read");
    assert.throws(
      () =>
        parseTemplate(
          `keywords: [X]\nfields:\n  amount:\n    parser: regex\n    regex: (\\d+)\n    area: {f: 1, x: 0}\n`,
          "bad",
        ),
      /fields\.amount\.area needs f, l, x, y, r, W, H \(y is missing\)/,
    );
  });
});
